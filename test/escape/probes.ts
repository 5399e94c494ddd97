// Escape probes: compiles test/escape/probes/*.c for the test uid and runs them in and out of a sandbox.

import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { cliPath, projectRoot, runAs, runCli, tempDir, TEST_GID, TEST_UID, writeTestFile, type RunOptions, type RunResult } from "../helpers/sandbox.js";

export const isRoot = process.getuid?.() === 0;
/** Where the probe directory appears inside every sandbox. */
export const PROBES_INSIDE = "/probes";

const sources = join(projectRoot, "test/escape/probes");
let built: string | undefined;

/** Compile the probes (statically, so they need nothing from the sandbox) into a directory of the test uid. */
export function probeDir(): string {
  if (built) return built;
  const dir = tempDir("nsjail-ts-probes-");
  for (const name of ["probe", "suid-ids"]) {
    execFileSync("cc", ["-static", "-O1", "-Wall", "-Wextra", "-Werror", "-o", join(dir, name), join(sources, `${name}.c`)]);
    chmodSync(join(dir, name), 0o755);
    // owned by the test uid, so that only the sandbox (a read-only bind), not file permissions, stands
    // between the command and writing its own binary
    if (isRoot) chownSync(join(dir, name), TEST_UID, TEST_GID);
  }
  return (built = dir);
}

/**
 * A root-owned setuid copy of suid-ids, runnable by the test uid's group only. It prints its ids and
 * nothing else, so the set-uid bit is harmless on the host.
 */
export function setuidRootCopy(): string {
  const dir = tempDir("nsjail-ts-suid-");
  const path = join(dir, "suid-ids");
  copyFileSync(join(probeDir(), "suid-ids"), path);
  chownSync(path, 0, TEST_GID);
  chmodSync(path, 0o4750);
  return dir;
}

/** "missing": the probe never reported the step (it did not run, or the sandbox did not start). */
export type Kind = "ok" | "err" | "sig" | "missing";
export interface Outcome {
  kind: Kind;
  /** The return value for ok, the errno name for err, the signal name for sig; for missing, the run's output. */
  value: string;
}
export interface ProbeRun {
  result: RunResult;
  /** Each step's outcome, in order; a step given twice appears twice. */
  steps: { step: string; outcome: Outcome }[];
  /** Lines a step printed about itself: "fds", "status", "content". */
  info: Map<string, string>;
  /** The first outcome of a step (a missing step means the probe never got to it). */
  get(step: string): Outcome;
  /** The n-th (from 0) outcome of a step given more than once. */
  nth(step: string, n: number): Outcome;
}

export function parseProbe(result: RunResult): ProbeRun {
  const steps: ProbeRun["steps"] = [];
  const info = new Map<string, string>();
  for (const line of result.stdout.split("\n")) {
    const m = /^(\S+) (ok|err|sig) (\S+)$/.exec(line);
    if (m) steps.push({ step: m[1]!, outcome: { kind: m[2] as Kind, value: m[3]! } });
    else {
      const i = /^(fds|status|content) ?(.*)$/.exec(line);
      if (i) info.set(i[1]!, i[2]!);
    }
  }
  return {
    result,
    steps,
    info,
    get(step: string): Outcome {
      return this.nth(step, 0);
    },
    nth(step: string, n: number): Outcome {
      const why = `(exit ${result.code ?? result.signal}; stdout: ${result.stdout.slice(0, 200)}; stderr: ${result.stderr.slice(0, 300)})`;
      return steps.filter((s) => s.step === step)[n]?.outcome ?? { kind: "missing", value: why };
    },
  };
}

/** Describe an outcome for assertion messages. */
export const show = (o: Outcome): string => `${o.kind} ${o.value}`;

export interface SandboxProbe extends RunOptions {
  /** Fields laid over the preset (merged by the policy loader: mounts append, seccomp replaces). */
  extra?: Record<string, unknown>;
  /** More read-only binds, host path → inside path. */
  binds?: [string, string][];
}

/** A policy file: the preset, the probe directory bound read-only at /probes, and `extra`. */
export function policyFile(preset: string, opts: SandboxProbe = {}): string {
  const { mounts: extraMounts, ...rest } = (opts.extra ?? {}) as { mounts?: unknown[] };
  const mounts = [
    { type: "bind", src: probeDir(), dst: PROBES_INSIDE },
    ...(opts.binds ?? []).map(([src, dst]) => ({ type: "bind", src, dst })),
    ...(extraMounts ?? []),
  ];
  const policy = { extends: preset, ...rest, mounts };
  return writeTestFile(tempDir("nsjail-ts-policy-"), "probe-policy.json", JSON.stringify(policy, null, 2));
}

/** Run the probe inside a sandbox made from `preset` (a preset name or a policy file). */
export async function probeIn(preset: string, steps: string[], opts: SandboxProbe = {}): Promise<ProbeRun> {
  const policy = policyFile(preset, opts);
  const r = await runCli(["--policy", policy, "--", `${PROBES_INSIDE}/probe`, ...steps], opts);
  return parseProbe(r);
}

/** Run the probe on the host as the test uid: no sandbox at all. */
export async function probeOnHost(steps: string[], opts: RunOptions = {}): Promise<ProbeRun> {
  return parseProbe(await runAs(join(probeDir(), "probe"), steps, opts));
}

/** Run the probe on the host as root (only when the suite itself runs as root). */
export function probeAsRoot(steps: string[]): ProbeRun {
  let stdout = "";
  try {
    stdout = execFileSync(join(probeDir(), "probe"), steps, { encoding: "utf8" });
  } catch (e) {
    stdout = String((e as { stdout?: string }).stdout ?? "");
  }
  return parseProbe({ code: 0, signal: null, stdout, stderr: "", pid: -1 });
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Run the probe under a real pseudo-terminal (script(1)), so the command has a controlling terminal
 * to attack; `policy` undefined runs it on the host without a sandbox.
 */
export async function probeUnderPty(policy: string | undefined, steps: string[]): Promise<ProbeRun> {
  const argv = policy === undefined
    ? [join(probeDir(), "probe"), ...steps]
    : [process.execPath, cliPath(), "--policy", policy, "--", `${PROBES_INSIDE}/probe`, ...steps];
  const r = await runAs("script", ["-qec", argv.map(quote).join(" "), "/dev/null"]);
  // the terminal turns "\n" into "\r\n"
  return parseProbe({ ...r, stdout: r.stdout.replace(/\r/g, "") });
}

/** Every capability the kernel knows, for policies that keep them all. */
export const ALL_CAPS = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
  "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
];

/** The two presets the escape suite attacks. */
export const PRESETS = ["default", "untrusted"] as const;

/** The attack was tried and did not work: an error or a kill, never a step that did not run. */
export const refused = (o: Outcome): boolean => o.kind === "err" || o.kind === "sig";

export interface HostListener {
  port: number;
  /** The abstract unix socket's name (without the leading NUL). */
  abstract: string;
  /** Connections accepted so far. */
  accepted(): number;
  close(): void;
}

const LISTENER = `
const net = require("node:net");
let n = 0;
const tcp = net.createServer((c) => { n++; process.stdout.write("accepted\\n"); c.end(); });
const unix = net.createServer((c) => { n++; process.stdout.write("accepted\\n"); c.end(); });
tcp.listen(0, "127.0.0.1", () => unix.listen("\\0" + process.argv[1], () => process.stdout.write("port " + tcp.address().port + "\\n")));
`;

/** A TCP listener on the host's 127.0.0.1 and an abstract unix socket, both owned by the test uid. */
export function hostListener(): Promise<HostListener> {
  const name = `nsjail-ts-probe-${process.pid}-${Date.now()}`;
  // `env -i`: the test runner injects its own NODE_OPTIONS (hooks the test uid may not even be able to read).
  const node = ["env", "-i", "PATH=/usr/bin:/bin", process.execPath, "-e", LISTENER, name];
  const argv = isRoot ? ["setpriv", `--reuid=${TEST_UID}`, `--regid=${TEST_GID}`, "--clear-groups", "--", ...node] : node;
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString("utf8");
      const m = /^port (\d+)$/m.exec(out);
      if (m && !out.includes("resolved")) {
        out += "\nresolved\n";
        resolve({
          port: Number(m[1]),
          abstract: name,
          accepted: () => out.split("\n").filter((l) => l === "accepted").length,
          close: () => void child.kill("SIGKILL"),
        });
      }
    });
  });
}

/** A `sleep` owned by the test uid on the host, to be attacked from inside. */
export function hostSleeper(): { pid: number; alive(): boolean; stop(): void } {
  const argv = isRoot ? ["setpriv", `--reuid=${TEST_UID}`, `--regid=${TEST_GID}`, "--clear-groups", "--", "sleep", "120"] : ["sleep", "120"];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
  let exited = false;
  child.on("exit", () => (exited = true));
  return { pid: child.pid ?? -1, alive: () => !exited, stop: () => void child.kill("SIGKILL") };
}
