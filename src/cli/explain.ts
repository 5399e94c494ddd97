// `explain`: the compiled plan told in plain words, each step with the policy line or flag it came from.
// It reads the ops the helper will run (and the resolved policy for origins), never re-deriving them.

import { existsSync } from "node:fs";
import { relative } from "node:path";
import { formatOrigin } from "../policy/index.js";
import { CAPABILITIES } from "../policy/types.js";
import { OpType, type Op } from "../plan/index.js";
import { RLIMITS } from "../plan/limits.js";
import { applyEnvRecipe } from "../plan/exec.js";
import { BIND_DEV, BIND_RW, BIND_TRY, ENV_CLEAR, FORK_DIE_WITH_PARENT, MNT_RO, OVERLAY_RO, OVERLAY_TMP, type Item } from "../plan/ops.js";
import { CLONE_FLAGS } from "../plan/namespaces.js";
import type { PreparedPlan } from "../run/prepare.js";
import { explainSeccomp } from "./explain-seccomp.js";

const str = (i: Item | undefined): string => (typeof i === "string" ? i : Buffer.isBuffer(i) ? i.toString("utf8") : String(i ?? ""));
const num = (i: Item | undefined): bigint => (typeof i === "bigint" ? i : 0n);
const octal = (i: Item | undefined): string => `0${num(i).toString(8)}`;
const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** A file under the current directory relative to it, as messages show files. */
function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

/**
 * "command line --bind /a /b#/mounts/0" -> "command line --bind /a /b": a layer made by flags (or by
 * bwrap mode) has no file:line, and its pointer is into the layer alone, so only the label says anything.
 */
export function why(origin: string): string {
  const m = /^(.*?)#\/[^#]*$/.exec(origin);
  return m && !/:\d+:\d+$/.test(m[1]!) ? m[1]! : origin || "built in";
}

/** The value at a JSON pointer of the resolved policy (undefined when the policy leaves it to the default). */
function valueAt(value: unknown, pointer: string): unknown {
  let v = value;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Why a setting has its value: where the policy or a flag wrote it, or "default" when nothing did. */
function whyAt(prepared: PreparedPlan, pointer: string): string {
  if (valueAt(prepared.resolved.policy, pointer) === undefined) return "default";
  const o = prepared.resolved.origin(pointer);
  return o ? why(formatOrigin(o)) : "default";
}

function size(bytes: bigint): string {
  if (bytes === 0n) return "no size limit";
  for (const [unit, n] of [["G", 30n], ["M", 20n], ["K", 10n]] as const) if (bytes % (1n << n) === 0n) return `${bytes >> n}${unit} at most`;
  return `${bytes} bytes at most`;
}

/** One mount op in words. */
function describeMount(o: Op): string | undefined {
  const [a, b] = o.items;
  switch (o.type) {
    case OpType.Bind: {
      const src = str(a);
      const mode = o.flags & BIND_RW ? "read-write" : "read-only";
      const dev = o.flags & BIND_DEV ? ", device nodes usable" : "";
      const tryNote = o.flags & BIND_TRY ? (existsSync(src) ? ", or nothing if it goes missing" : ", skipped: it does not exist now") : "";
      return `${str(b)}: ${mode} bind of ${src}${dev}${tryNote}`;
    }
    case OpType.Tmpfs:
      return `${str(a)}: empty tmpfs, mode ${octal(o.items[2])}, ${size(num(b))}${o.flags & MNT_RO ? ", read-only" : ""}`;
    case OpType.Proc:
      return `${str(a)}: proc, showing the sandbox's own processes`;
    case OpType.Dev:
      return `${str(a)}: minimal /dev (null, zero, full, random, urandom, tty, pts, shm)`;
    case OpType.Mqueue:
      return `${str(a)}: POSIX message queues`;
    case OpType.Dir:
      return `${str(a)}: directory, mode ${octal(b)}`;
    case OpType.Symlink:
      return `${str(b)}: symbolic link to ${str(a)}`;
    case OpType.File:
      return `${str(a)}: file of ${Buffer.isBuffer(b) ? b.length : 0} bytes, mode ${octal(o.items[2])}${o.flags & MNT_RO ? ", read-only" : ""}`;
    case OpType.RemountRo:
      return `${str(a)}: made read-only (that mount only)`;
    case OpType.Overlay: {
      const lower = o.items.slice(3).map(str).join(", ");
      const writes = o.flags & OVERLAY_TMP ? "writes go to a throwaway tmpfs" : o.flags & OVERLAY_RO ? "read-only" : `writes go to ${str(b)} (work dir ${str(o.items[2])})`;
      return `${str(a)}: overlay of ${lower} (top first), ${writes}`;
    }
    case OpType.BindFd:
      return `${str(b)}: ${o.flags & BIND_RW ? "read-write" : "read-only"} bind of the directory open as fd ${num(a)}`;
    case OpType.Chmod:
      return `${str(a)}: mode changed to ${octal(b)}`;
    default:
      return undefined;
  }
}

function namespaceLines(ops: Op[], prepared: PreparedPlan): string[] {
  const unshare = ops.find((o) => o.type === OpType.Unshare);
  const flags = num(unshare?.items[0]);
  const hasUser = ops.some((o) => o.type === OpType.UnshareUser);
  const names = Object.keys(CLONE_FLAGS) as (keyof typeof CLONE_FLAGS)[];
  const fresh = [...(hasUser ? ["user"] : []), ...names.filter((n) => flags & CLONE_FLAGS[n])];
  const shared = ["user", ...names].filter((n) => !fresh.includes(n));
  const whereNs = (n: string): string => whyAt(prepared, `/namespaces/${n}`);
  const lines = [
    `  new: ${fresh.map((n) => `${n} (${whereNs(n)})`).join(", ") || "none"}`,
    `  shared with the host: ${shared.map((n) => `${n} (${whereNs(n)})`).join(", ") || "none"}`,
  ];
  const uidMap = ops.find((o) => o.type === OpType.UidMap);
  const gidMap = ops.find((o) => o.type === OpType.GidMap);
  for (const [what, o] of [["uid", uidMap], ["gid", gidMap]] as const) {
    if (!o) continue;
    const [inside, outside] = str(o.items[0]).trim().split(/\s+/);
    lines.push(`  ${what} map: ${what} ${inside} inside is ${what} ${outside} outside; no other ${what} exists inside (${whyAt(prepared, `/${what}`)})`);
  }
  const host = ops.find((o) => o.type === OpType.Hostname);
  if (host) lines.push(`  hostname: ${str(host.items[0])} (${whyAt(prepared, "/hostname")})`);
  if (ops.some((o) => o.type === OpType.LoopbackUp)) lines.push("  network: a loopback interface only, up");
  const fork = ops.find((o) => o.type === OpType.ForkPidNs);
  if (fork) {
    const dies = fork.flags & FORK_DIE_WITH_PARENT ? "killed when nsjail-ts's parent dies" : "not tied to nsjail-ts's parent";
    lines.push(`  processes: the command runs under a small init (PID 1) that reaps orphans; the sandbox is ${dies}`);
  }
  return lines;
}

function mountLines(ops: Op[]): string[] {
  const lines: string[] = [];
  const root = ops.find((o) => o.type === OpType.RootTmpfs || o.type === OpType.RootDir);
  if (!root) return ["  the host's filesystem, unchanged (no mount namespace)"];
  lines.push(root.type === OpType.RootDir ? `  base: the host directory ${str(root.items[0])} (${why(root.origin)})` : "  base: an empty tmpfs, so nothing of the host is visible unless listed");
  let n = 0;
  for (const o of ops) {
    const text = describeMount(o);
    if (text !== undefined) lines.push(`  ${String(++n).padStart(3)}. ${text}\n         why: ${why(o.origin)}`);
  }
  if (n === 0) lines.push("  (nothing is mounted on it)");
  if (ops.some((o) => o.type === OpType.PivotRoot)) lines.push("  then this tree becomes / and the host's root is detached");
  if (ops.some((o) => o.type === OpType.LockMounts)) lines.push("  then every mount is locked (a nested user namespace), so the command cannot unmount or remount any of them");
  return lines;
}

/** The environment recipe (helper-c/plan.h, OP_ENV) step by step, then what it gives for this caller now. */
function envLines(env: Op, prepared: PreparedPlan): string[] {
  const clear = (env.flags & ENV_CLEAR) !== 0;
  const items = env.items.map(str);
  const lines = [`  environment: ${clear ? `cleared (${whyAt(prepared, "/env/clear")}), then` : "the caller's, then"}`];
  const kept = items.filter((i) => i.startsWith("+")).map((i) => i.slice(1));
  if (kept.length) lines.push(`    kept from the caller: ${kept.join(" ")}`);
  const unset = items.filter((i) => i.startsWith("-")).map((i) => i.slice(1));
  if (unset.length) lines.push(`    removed: ${unset.join(" ")}`);
  for (const i of items.filter((x) => !x.startsWith("+") && !x.startsWith("-"))) {
    const name = i.slice(0, i.indexOf("="));
    lines.push(`    set: ${i.length > 100 ? `${i.slice(0, 97)}...` : i}   (${whyAt(prepared, `/env/set/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`)})`);
  }
  if (items.length === 0) lines.push("    nothing changed");
  const now = Object.entries(applyEnvRecipe({ clear, items }, process.env)).sort(([a], [b]) => (a < b ? -1 : 1));
  lines.push(`  which for this caller now gives ${now.length} variable${now.length === 1 ? "" : "s"}: ${now.map(([k]) => k).join(" ")}`);
  return lines;
}

function processLines(ops: Op[], prepared: PreparedPlan): string[] {
  const lines: string[] = [];
  const get = (t: OpType) => ops.find((o) => o.type === t);
  const chdir = get(OpType.Chdir);
  if (chdir) lines.push(`  working directory: ${str(chdir.items[0])} (${whyAt(prepared, "/cwd")})`);
  const ids = get(OpType.SetIds);
  if (ids) lines.push(`  runs as: uid ${num(ids.items[0])}, gid ${num(ids.items[1])}, no supplementary groups (${whyAt(prepared, "/uid")})`);
  const caps = get(OpType.Caps);
  if (caps) {
    const mask = num(caps.items[0]);
    const kept = CAPABILITIES.filter((_, i) => mask & (1n << BigInt(i)));
    lines.push(`  capabilities: ${kept.length === CAPABILITIES.length ? "all" : kept.join(", ") || "none"} (${whyAt(prepared, "/capabilities/keep")})`);
  }
  lines.push(`  new session: ${get(OpType.Setsid) ? "yes, detached from the terminal" : "no, it shares the terminal"}`);
  if (get(OpType.NoNewPrivs)) lines.push("  no_new_privs: set, so setuid programs cannot gain privileges");
  if (get(OpType.CloseFds)) lines.push("  open files: only stdin, stdout and stderr are passed on");
  const env = get(OpType.Env);
  if (env) lines.push(...envLines(env, prepared));
  return lines;
}

function limitLines(ops: Op[]): string[] {
  const names = new Map(Object.entries(RLIMITS).map(([k, v]) => [BigInt(v), k]));
  const lines: string[] = [];
  const time = ops.find((o) => o.type === OpType.TimeLimit);
  if (time) lines.push(`  wall clock: ${num(time.items[0])} s, then SIGTERM, and SIGKILL ${num(time.items[1])} s later; exit status 124 (${why(time.origin)})`);
  for (const o of ops.filter((x) => x.type === OpType.Rlimit)) {
    const v = num(o.items[1]);
    lines.push(`  ${names.get(num(o.items[0])) ?? `resource ${num(o.items[0])}`}: ${v === (1n << 64n) - 1n ? "unlimited" : v} (${why(o.origin)})`);
  }
  const cg = ops.find((o) => o.type === OpType.JoinCgroup);
  if (cg) lines.push(`  cgroup: joins ${str(cg.items[0])} (${why(cg.origin)})`);
  return lines.length ? lines : ["  none"];
}

/** The whole explanation, one section per concern, in the order the helper sets them up. */
export function explainPlan(prepared: PreparedPlan): string {
  const ops = prepared.ops;
  const exec = ops.find((o) => o.type === OpType.Exec);
  const seccompOp = ops.find((o) => o.type === OpType.Seccomp);
  const program = seccompOp?.items[0];
  const instructions = Buffer.isBuffer(program) ? program.length / 8 : 0;
  const so = prepared.resolved.origin("/seccomp");
  const sections: [string, string[]][] = [
    ["Namespaces", namespaceLines(ops, prepared)],
    ["Filesystem, built in this order", mountLines(ops)],
    ["Process", processLines(ops, prepared)],
    ["Limits", limitLines(ops)],
    ["Seccomp", explainSeccomp(prepared.resolved.policy.seccomp, instructions, so && prepared.resolved.policy.seccomp ? why(formatOrigin(so)) : "default")],
  ];
  const head = [
    `command: ${(exec?.items ?? []).map((i) => quote(str(i))).join(" ")}`,
    `policy: ${prepared.resolved.files.map(shortPath).join(", ") || "none (an empty start)"}`,
  ];
  return `${head.join("\n")}\n${sections.map(([title, lines]) => `\n${title}\n${lines.join("\n")}`).join("\n")}\n`;
}
