// Resource limits: setrlimit values, the wall-clock limit, cgroup settings and their rlimit fallback, and
// the run-time ops of the outer helper process (cgroup, status lines, name).

import type { CgroupLimits, RlimitName } from "../policy/types.js";
import { policyErrorAt, unshares, type CompileContext } from "./context.js";
import { op, OpType, STATUS_FD, type Op } from "./ops.js";
import { parseRlimit, parseSize } from "./units.js";

/** RLIMIT_* numbers on Linux (the same on x86_64 and aarch64). */
export const RLIMITS: Record<RlimitName, number> = {
  cpu: 0, fsize: 1, stack: 3, core: 4, nproc: 6, nofile: 7, memlock: 8, as: 9, msgqueue: 12,
};

export function compileRlimits(ctx: CompileContext): Op[] {
  const rl = ctx.policy.limits?.rlimits ?? {};
  return (Object.entries(rl) as [RlimitName, number | string][]).map(([name, value]) => {
    const at = `/limits/rlimits/${name}`;
    let v: bigint;
    try {
      v = parseRlimit(value);
    } catch (e) {
      throw policyErrorAt(ctx, at, (e as Error).message);
    }
    return op(OpType.Rlimit, ctx.originOf(at), [BigInt(RLIMITS[name]), v, v]);
  });
}

/** Seconds of grace between SIGTERM and SIGKILL when the wall-clock limit is reached. */
export const TIME_LIMIT_GRACE = 2;

export function compileTimeLimit(ctx: CompileContext): Op[] {
  const t = ctx.policy.limits?.time;
  if (t === undefined || t === 0) return [];
  // The outer process of the PID namespace enforces it: it ends the whole sandbox by ending its init.
  if (!unshares(ctx, "pid")) throw policyErrorAt(ctx, "/limits/time", "a time limit needs the PID namespace (namespaces.pid must not be false)");
  return [op(OpType.TimeLimit, ctx.originOf("/limits/time"), [BigInt(Math.ceil(t)), BigInt(TIME_LIMIT_GRACE)])];
}

/** One cgroup v2 interface file the sandbox's cgroup gets, and the policy pointer it comes from. */
export interface CgroupSetting {
  file: string;
  value: string;
  pointer: string;
}

/** Period of cpu.max in microseconds: the quota is this times the number of CPUs. */
export const CPU_PERIOD_US = 100_000;

/** The files limits.cgroup writes; throws an Error naming the bad value (the caller adds where). */
export function cgroupSettings(cg: CgroupLimits): CgroupSetting[] {
  const at = (k: string) => `/limits/cgroup/${k}`;
  const out: CgroupSetting[] = [];
  if (cg.memory !== undefined) out.push({ file: "memory.max", value: String(parseSize(cg.memory)), pointer: at("memory") });
  if (cg.memorySwap !== undefined) out.push({ file: "memory.swap.max", value: String(parseSize(cg.memorySwap)), pointer: at("memorySwap") });
  if (cg.pids !== undefined) {
    if (!Number.isSafeInteger(cg.pids) || cg.pids < 1) throw new Error(`pids ${cg.pids} is not a whole number of at least 1`);
    out.push({ file: "pids.max", value: String(cg.pids), pointer: at("pids") });
  }
  if (cg.cpu !== undefined) {
    const quota = Math.round(cg.cpu * CPU_PERIOD_US);
    if (!(quota >= 1000)) throw new Error(`cpu ${cg.cpu} is not a number of CPUs of at least 0.01`);
    out.push({ file: "cpu.max", value: `${quota} ${CPU_PERIOD_US}`, pointer: at("cpu") });
  }
  return out;
}

/** The controller each file belongs to ("memory.swap.max" → "memory"). */
export const controllerOf = (file: string): string => file.slice(0, file.indexOf("."));

/**
 * Without a delegated cgroup, memory falls back to RLIMIT_AS and pids to RLIMIT_NPROC, unless the policy
 * sets those rlimits itself. Returns the ops and, for the warning, what fell back and what is dropped.
 */
export function cgroupFallback(cg: CgroupLimits, rlimits: Partial<Record<RlimitName, unknown>>, originOf: (p: string) => string): { ops: Op[]; fell: string[]; dropped: string[] } {
  const ops: Op[] = [];
  const fell: string[] = [];
  const dropped: string[] = [];
  const fallback = (key: "memory" | "pids", rl: RlimitName, value: bigint | undefined) => {
    if (value === undefined) return;
    if (rlimits[rl] !== undefined) {
      fell.push(`${key} to the policy's rlimit ${rl}`);
      return;
    }
    fell.push(`${key} to rlimit ${rl}`);
    ops.push(op(OpType.Rlimit, originOf(`/limits/cgroup/${key}`), [BigInt(RLIMITS[rl]), value, value]));
  };
  fallback("memory", "as", cg.memory !== undefined ? parseSize(cg.memory) : undefined);
  fallback("pids", "nproc", cg.pids !== undefined ? BigInt(cg.pids) : undefined);
  if (cg.memorySwap !== undefined) dropped.push("memorySwap");
  if (cg.cpu !== undefined) dropped.push("cpu");
  return { ops, fell, dropped };
}

/** What the outer helper process does around the sandbox, decided at run time (src/run/status.ts). */
export interface LifecycleOps {
  /** The sandbox's cgroup, and the cgroup the outer process moves back to before removing it. */
  cgroup?: { dir: string; leave: string };
  status?: { fd?: number; file?: string };
  name?: { registry: string; name: string; info: Buffer };
  /** rlimits standing in for cgroup limits. */
  fallback?: Op[];
}

/**
 * Add the run-time ops to a compiled plan: the outer process's ops first (the helper requires them before
 * every other op), fallback rlimits where SETUP_ORDER puts rlimits (just before chdir).
 */
export function withLifecycle(ops: readonly Op[], l: LifecycleOps, originOf: (p: string) => string): Op[] {
  const early: Op[] = [];
  if (l.cgroup) {
    early.push(op(OpType.JoinCgroup, originOf("/limits/cgroup"), [l.cgroup.dir]));
    early.push(op(OpType.CgroupRemove, originOf("/limits/cgroup"), [l.cgroup.leave, l.cgroup.dir]));
  }
  if (l.status) {
    const fd = l.status.fd;
    early.push(op(OpType.Status, "command line --json-status-fd/--status-file", [BigInt(fd ?? 0), l.status.file ?? ""], fd === undefined ? 0 : STATUS_FD));
  }
  if (l.name) early.push(op(OpType.Name, "command line --name", [l.name.registry, l.name.name, l.name.info]));
  const late = l.fallback ?? [];
  const chdir = ops.findIndex((o) => o.type === OpType.Chdir);
  const at = chdir < 0 ? ops.length - 1 : chdir;
  return [...early, ...ops.slice(0, at), ...late, ...ops.slice(at)];
}
