// The whole TypeScript pipeline (policy file → load → layers → seccomp → ops → plan bytes) on generated
// policies and mutated preset text: every input ends in a plan the helper accepts, or in an
// NsjailError with a one-line message and a documented exit code, never in another exception.

import t from "tap";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExitCode, NsjailError } from "../../src/errors.js";
import { decodePlan, OpType } from "../../src/plan/index.js";
import { presetsDir } from "../../src/policy/index.js";
import type { Policy } from "../../src/policy/types.js";
import { preparePlan } from "../../src/run/prepare.js";
import { projectRoot } from "../helpers/sandbox.js";
import { rng, type Rng } from "../helpers/random.js";

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const maybe = (r: Rng, p = 0.5): boolean => r() < p;

const PATHS = ["/usr", "/etc", "/tmp", "/nonexistent", "/a/b", "rel", "/", "/proc", "/dev/null", "${PWD}", "${HOME}/x", "/a/../..", "/tmp//x/", ""];
const SYSCALLS = ["read", "write", "openat", "ioctl", "clone", "unshare", "keyctl", "@basic-io", "@mount", "@privileged", "@nonexistent", "readd", "personality", "socket", "execve", "clone3"];
const ACTIONS = ["allow", "log", "errno:EPERM", "errno:ENOSYS", "errno:1", "errno:99999", "kill-process", "kill-thread", "trap", "notify", "kill", "errno", "deny"];
const VALUES = [0, 1, -1, 4294967295, "0xffffffffffffffff", "TIOCSTI", "CLONE_NEWUSER", "AF_NETLINK", "NOPE", 2 ** 53, 1.5, "12"];
const OPS = ["==", "!=", "<", "<=", ">", ">=", "&==", "=~"];
const MOUNT_TYPES = ["bind", "tmpfs", "proc", "dev", "mqueue", "dir", "symlink", "file", "overlay", "remount-ro", "nope"];

function mount(r: Rng): Record<string, unknown> {
  const m: Record<string, unknown> = { type: pick(r, MOUNT_TYPES) };
  if (maybe(r, 0.8)) m.dst = pick(r, PATHS);
  if (maybe(r, 0.6)) m.src = pick(r, PATHS);
  if (maybe(r, 0.3)) m.rw = maybe(r);
  if (maybe(r, 0.3)) m.optional = maybe(r);
  if (maybe(r, 0.2)) m.size = pick(r, ["64M", 0, "1T", "-1", "9999999T", 4096]);
  if (maybe(r, 0.2)) m.mode = pick(r, ["0755", "1777", 511, "999", 70000]);
  if (maybe(r, 0.2)) m.content = pick(r, ["", "x\n", "\u0000", "é"]);
  if (maybe(r, 0.2)) m.target = pick(r, PATHS);
  if (maybe(r, 0.1)) m.lower = [pick(r, PATHS), pick(r, PATHS)];
  if (maybe(r, 0.05)) m[pick(r, ["bogus", "ro", "upper", "work", "tmp"])] = pick(r, [true, "/tmp", 3]);
  return m;
}

function seccomp(r: Rng): Record<string, unknown> {
  const k = r();
  if (k < 0.15) return { preset: pick(r, ["none", "default", "nope", "../x"]) };
  if (k < 0.2) return { profile: pick(r, ["/nonexistent.json", "x.json"]) };
  const rules = Array.from({ length: Math.floor(r() * 5) }, () => {
    const rule: Record<string, unknown> = { action: pick(r, ACTIONS), syscalls: Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, SYSCALLS)) };
    if (maybe(r, 0.4)) {
      rule.args = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
        const a: Record<string, unknown> = { index: pick(r, [0, 1, 2, 5, 6, -1]), op: pick(r, OPS), value: pick(r, VALUES) };
        if (a.op === "&==" || maybe(r, 0.1)) a.mask = pick(r, VALUES);
        return a;
      });
    }
    return rule;
  });
  return { ...(maybe(r, 0.7) ? { default: pick(r, ACTIONS) } : {}), rules };
}

/** A policy over the whole schema, mostly plausible, sometimes wrong in one place. */
function policy(r: Rng): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (maybe(r, 0.7)) p.extends = pick(r, ["default", "build", "untrusted", "nope", ["default", "untrusted"]]);
  if (maybe(r, 0.3)) p.namespaces = Object.fromEntries(["user", "mount", "pid", "ipc", "uts", "net", "cgroup"].filter(() => maybe(r, 0.3)).map((n) => [n, maybe(r, 0.7)]));
  if (maybe(r, 0.2)) p.uid = pick(r, [0, 1000, 65534, 65536, -1]);
  if (maybe(r, 0.2)) p.gid = pick(r, [0, 1000, 65534, "0"]);
  if (maybe(r, 0.2)) p.hostname = pick(r, ["box", "a.b-c", "", "-x", "x".repeat(70), "é"]);
  if (maybe(r, 0.2)) p.cwd = pick(r, PATHS);
  if (maybe(r, 0.2)) p.env = { clear: maybe(r), keep: ["PATH", "LC_*", "1BAD"].filter(() => maybe(r)), set: maybe(r) ? { A: "b", "B=C": "d" } : {}, unset: ["HOME"] };
  if (maybe(r, 0.6)) p.mounts = Array.from({ length: Math.floor(r() * 5) }, () => mount(r));
  if (maybe(r, 0.3)) {
    p.limits = {
      ...(maybe(r) ? { time: pick(r, [1, 0, -5, 1e9, "10"]) } : {}),
      ...(maybe(r) ? { rlimits: { [pick(r, ["nofile", "as", "cpu", "core", "nproc", "fsize", "bogus"])]: pick(r, [0, 64, "64M", "unlimited", -1, "1X"]) } } : {}),
      ...(maybe(r, 0.2) ? { cgroup: { memory: pick(r, ["512M", 0, "x"]), pids: pick(r, [1, 128, -1]), required: false } } : {}),
    };
  }
  if (maybe(r, 0.2)) p.capabilities = { keep: ["CAP_NET_BIND_SERVICE", "net_raw", "CAP_NOPE", "ALL"].filter(() => maybe(r, 0.4)) };
  if (maybe(r, 0.4)) p.seccomp = seccomp(r);
  if (maybe(r, 0.2)) p.newSession = maybe(r);
  if (maybe(r, 0.2)) p.dieWithParent = maybe(r);
  if (maybe(r, 0.05)) p[pick(r, ["bogus", "Mounts", "__proto__"])] = 1;
  return p;
}

/** Text edits of the kinds a hand-edited file suffers: deletions, insertions, swaps, truncation. */
function mutate(r: Rng, text: string): string {
  let s = text;
  for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
    const i = Math.floor(r() * (s.length + 1));
    const k = r();
    if (k < 0.25) s = s.slice(0, i) + s.slice(i + 1 + Math.floor(r() * 8));
    else if (k < 0.5) s = s.slice(0, i) + pick(r, ['"', "{", "}", "[", "]", ",", ":", "\\", "\u0000", "9", "-", "null", "true", "${", "\ud800", "\n"]) + s.slice(i);
    else if (k < 0.75) s = s.slice(0, i) + pick(r, ["1", "x", '"', " "]) + s.slice(i + 1);
    else s = s.slice(0, i);
  }
  return s;
}

const dir = mkdtempSync(join(tmpdir(), "nsjail-ts-pipeline-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const helper = join(projectRoot, "helper-c/build/nsjail-ts-helper");
const EXIT_CODES = new Set<number>(Object.values(ExitCode));
let planned = 0;
let refusedCount = 0;
const checkedByHelper: { file: string; text: string; timeLimitWithoutPid: boolean }[] = [];

/** Run one policy text through the pipeline; return a failure description, or undefined. */
function attempt(text: string, layers: { policy: Policy; label: string }[] = []): string | undefined {
  const file = join(dir, "policy.json");
  writeFileSync(file, text);
  try {
    const p = preparePlan({ policyFile: file, layers, command: ["/bin/true"] });
    const ops = decodePlan(p.plan);
    if (ops.at(-1)?.type !== OpType.Exec) return "the plan does not end with exec";
    planned++;
    if (checkedByHelper.length < 60) {
      const planFile = join(dir, `plan-${checkedByHelper.length}.bin`);
      writeFileSync(planFile, p.plan);
      const has = (type: OpType) => ops.some((o) => o.type === type);
      checkedByHelper.push({ file: planFile, text, timeLimitWithoutPid: has(OpType.TimeLimit) && !has(OpType.ForkPidNs) });
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof NsjailError)) return `not an NsjailError: ${e instanceof Error ? e.stack : String(e)}`;
    if (!EXIT_CODES.has(e.code)) return `undocumented exit code ${e.code}`;
    if (e.message.includes("\n") || e.message.trim() === "") return `message is not one line: ${JSON.stringify(e.message)}`;
    refusedCount++;
    return undefined;
  }
}

t.test("generated policies: a plan or an NsjailError", async (t) => {
  const failures: string[] = [];
  for (let seed = 1; seed <= 700 && failures.length < 5; seed++) {
    const r = rng(seed);
    const text = JSON.stringify(policy(r), null, 2);
    const layers = maybe(r, 0.2) ? [{ policy: policy(r) as Policy, label: "generated layer" }] : [];
    const f = attempt(text, layers);
    if (f) failures.push(`seed ${seed}: ${f}\n${text}`);
  }
  t.same(failures, [], failures.join("\n\n"));
});

t.test("mutated preset text: a plan or an NsjailError", async (t) => {
  const presets = ["default", "build", "untrusted"].map((n) => readFileSync(join(presetsDir(), `${n}.json`), "utf8"));
  const failures: string[] = [];
  for (let seed = 1; seed <= 600 && failures.length < 5; seed++) {
    const r = rng(100_000 + seed);
    const text = mutate(r, pick(r, presets));
    const f = attempt(text);
    if (f) failures.push(`seed ${100_000 + seed}: ${f}\n${text.slice(0, 400)}`);
  }
  t.same(failures, [], failures.join("\n\n"));
});

t.test("both outcomes occur, so the generators reach past validation", async (t) => {
  t.ok(planned >= 50, `${planned} inputs became plans`);
  t.ok(refusedCount >= 50, `${refusedCount} inputs were refused`);
});

const helperCheck = (file: string) => spawnSync(helper, ["--check", "--plan-file", file], { encoding: "utf8" });

t.test("the helper accepts every plan the compiler produced", { skip: !existsSync(helper) && "helper not built" }, async (t) => {
  const plans = checkedByHelper.filter((p) => !p.timeLimitWithoutPid);
  t.ok(plans.length >= 20, `${plans.length} plans checked`);
  for (const p of plans) {
    const r = helperCheck(p.file);
    t.equal(r.status, 0, `${r.stderr.trim()} for the policy ${p.text.replace(/\s+/g, " ")}`);
  }
});

t.test("a time limit without a PID namespace is refused at the policy, not by the helper", {
  skip: !existsSync(helper) && "helper not built",
}, async (t) => {
  const file = join(dir, "time-no-pid.json");
  writeFileSync(file, JSON.stringify({ extends: "default", namespaces: { pid: false }, limits: { time: 5 } }));
  let plan: Buffer | undefined;
  try {
    plan = preparePlan({ policyFile: file, command: ["/bin/true"] }).plan;
  } catch (e) {
    t.ok(e instanceof NsjailError && /limits\/time|namespaces\/pid/.test(e.message), `refused with a pointer: ${String(e)}`);
    return;
  }
  const planFile = join(dir, "time-no-pid.plan");
  writeFileSync(planFile, plan);
  const r = helperCheck(planFile);
  t.equal(r.status, 0, `the compiler produced a plan the helper refuses: ${r.stderr.trim()}`);
});
