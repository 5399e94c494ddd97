// The nsjail-ts library: compile a policy into a plan and run commands in sandboxes from Node.

import { NsjailError, ExitCode } from "./errors.js";
import { preparePlan, type PrepareOptions, type PreparedPlan } from "./run/prepare.js";
import { spawnPlan, type RunResult, type SpawnOptions } from "./run/spawn.js";
import { lifecyclePlan, type LifecycleRequest } from "./run/status.js";
import { OpType } from "./plan/ops.js";

export { NsjailError, ExitCode, type Where } from "./errors.js";
export type { Policy, Mount } from "./policy/types.js";
export type { PreparedPlan, PrepareOptions } from "./run/prepare.js";
export type { RunResult, SetupFailure, SpawnOptions } from "./run/spawn.js";
export type { LifecycleRequest } from "./run/status.js";
export { decodePlan, encodePlan, SETUP_ORDER } from "./plan/index.js";

/** Compile a policy (file, preset default, plus flag layers) and a command into a plan, without running it. */
export function compilePolicy(opts: PrepareOptions): PreparedPlan {
  return preparePlan(opts);
}

export interface RunOptions extends Omit<PrepareOptions, "command">, SpawnOptions {
  /** A name for `nsjail-ts ps/exec/kill`, and status lines (JSON) to an fd or file. */
  lifecycle?: LifecycleRequest;
}

/**
 * Run `command` in a sandbox and wait for it. Resolves with the exit code (and, when setup failed,
 * which step failed and why); rejects only with an NsjailError for bad input.
 */
export async function run(command: string[], opts: RunOptions = {}): Promise<RunResult & { warnings: string[] }> {
  const prepared = preparePlan({ ...opts, command });
  const lifecycle = lifecyclePlan(prepared, command, opts.lifecycle ?? {});
  const result = await spawnPlan(lifecycle.plan, opts);
  if (result.setupError) {
    // An invalid plan is a bug or bad input, not a sandbox outcome.
    if (result.setupError.exitCode === ExitCode.Policy) throw new NsjailError(ExitCode.Policy, result.setupError.message);
    const failed = lifecycle.ops[result.setupError.opIndex];
    if (failed) result.setupError.step = `${OpType[failed.type]} (${failed.origin})`;
  }
  return { ...result, warnings: [...prepared.warnings, ...lifecycle.warnings] };
}
