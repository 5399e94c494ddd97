// What every per-concern compiler in src/plan receives: the resolved policy and the caller's facts.

import { NsjailError, ExitCode, type Where } from "../errors.js";
import type { Policy } from "../policy/types.js";

/** Facts about the caller that the plan depends on (recorded for cache manifests). */
export interface CallerFacts {
  uid: number;
  gid: number;
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface CompileContext {
  policy: Policy;
  caller: CallerFacts;
  /** Label for an op's origin: "build.json#/mounts/3" for a pointer into the merged policy. */
  originOf(pointer: string): string;
  /** Where a pointer was written, for error messages. */
  whereOf(pointer: string): Where;
  /** Whether a host path exists (injected so the compiler stays testable without a filesystem). */
  hostPathExists(path: string): boolean;
  /** The command to exec and its arguments. */
  command: string[];
  /** The compiled seccomp program (empty: no filter). */
  seccompProgram: Buffer;
}

/** A namespace is unshared unless the policy turns it off. */
export function unshares(ctx: CompileContext, ns: keyof NonNullable<Policy["namespaces"]>): boolean {
  return ctx.policy.namespaces?.[ns] !== false;
}

/** A policy error at a pointer of the merged policy. */
export function policyErrorAt(ctx: CompileContext, pointer: string, message: string): NsjailError {
  return new NsjailError(ExitCode.Policy, message, { where: ctx.whereOf(pointer) });
}
