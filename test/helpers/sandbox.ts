// Test harness: runs things as the unprivileged test uid against a world-readable staged build.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const isRoot = process.getuid?.() === 0;

function idOf(kind: "-u" | "-g"): number {
  const fromEnv = kind === "-u" ? process.env.NSJAIL_TS_TEST_UID : process.env.NSJAIL_TS_TEST_GID;
  if (fromEnv) return Number(fromEnv);
  if (!isRoot) return kind === "-u" ? process.getuid!() : process.getgid!();
  const r = spawnSync("id", [kind, process.env.NSJAIL_TS_TEST_USER ?? "nsjail-ts-test"], { encoding: "utf8" });
  return r.status === 0 ? Number(r.stdout.trim()) : 65534;
}

/** The uid/gid every sandbox in the tests runs as (never 0). */
export const TEST_UID = idOf("-u");
export const TEST_GID = idOf("-g");

const ownTemps: string[] = [];
process.on("exit", () => {
  for (const d of ownTemps) rmSync(d, { recursive: true, force: true });
});

function makeReadable(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.isDirectory() || st.mode & 0o111 ? 0o755 : 0o644);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeReadable(join(path, e));
}

let stageCache: string | undefined;
/** A world-readable copy of the built project, made by scripts/test.mjs (or here, when a test runs alone). */
export function stageDir(): string {
  if (stageCache) return stageCache;
  const fromEnv = process.env.NSJAIL_TS_STAGE;
  if (fromEnv && existsSync(fromEnv)) return (stageCache = fromEnv);
  const dir = mkdtempSync(join(tmpdir(), "nsjail-ts-stage-"));
  ownTemps.push(dir);
  for (const part of ["dist", "helper-c/build", "policies", "man", "package.json", "node_modules"]) {
    const src = join(projectRoot, part);
    if (existsSync(src)) cpSync(src, join(dir, part), { recursive: true, dereference: false });
  }
  makeReadable(dir);
  return (stageCache = dir);
}

export const helperPath = (): string => join(stageDir(), "helper-c/build/nsjail-ts-helper");
export const cliPath = (): string => join(stageDir(), "dist/cli/main.js");

/** A fresh directory owned by the test uid, removed when the test process exits. */
export function tempDir(prefix = "nsjail-ts-t-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  ownTemps.push(dir);
  chmodSync(dir, 0o755);
  if (isRoot) chownSync(dir, TEST_UID, TEST_GID);
  return dir;
}

/** Write a file the test uid can read (and own). */
export function writeTestFile(dir: string, name: string, content: string | Buffer, mode = 0o644): string {
  const p = join(dir, name);
  writeFileSync(p, content, { mode });
  chmodSync(p, mode);
  if (isRoot) chownSync(p, TEST_UID, TEST_GID);
  return p;
}

export const writePlanFile = (plan: Buffer): string => writeTestFile(tempDir("nsjail-ts-plan-"), "plan.bin", plan);

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}
export interface RunOptions {
  input?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Host fds to pass on as the child's fds 3, 4, ... */
  extraFds?: number[];
  onSpawn?: (pid: number) => void;
}

/** The environment a test sandbox starts from: small and predictable. */
export function baseEnv(home: string): Record<string, string> {
  return { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: home, USER: "nsjail-ts-test", LANG: "C.UTF-8", TERM: "dumb" };
}

/** Run a command as the unprivileged test uid (as-is when the suite is not root). */
export function runAs(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const cwd = opts.cwd ?? tempDir();
  const env = opts.env ?? baseEnv(tempDir("nsjail-ts-home-"));
  // `env -i` first: the test runner injects its own NODE_OPTIONS into spawned processes.
  const argv = [
    "env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...(isRoot ? ["setpriv", `--reuid=${TEST_UID}`, `--regid=${TEST_GID}`, "--clear-groups", "--inh-caps=-all", "--"] : []),
    cmd, ...args,
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      stdio: ["pipe", "pipe", "pipe", ...(opts.extraFds ?? [])],
    });
    opts.onSpawn?.(child.pid ?? -1);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
    child.stdin!.on("error", () => {
      /* the command may exit without reading its input */
    });
    child.stdin!.end(opts.input ?? "");
  });
}

/** Run the nsjail-ts CLI (the staged build) as the test uid. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runAs(process.execPath, [cliPath(), ...args], opts);
}
