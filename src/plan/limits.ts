// Resource limits: setrlimit values, the wall-clock limit, and the cgroup to join.

import type { RlimitName } from "../policy/types.js";
import { policyErrorAt, type CompileContext } from "./context.js";
import { op, OpType, type Op } from "./ops.js";
import { parseRlimit } from "./units.js";

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
  return [op(OpType.TimeLimit, ctx.originOf("/limits/time"), [BigInt(Math.ceil(t)), BigInt(TIME_LIMIT_GRACE)])];
}
