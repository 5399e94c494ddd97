// nsjail-ts compile: compile the policy, flags and command into a plan file to run later with run-plan.

import { localIds, planManifest, withManifest, writeAtomic } from "../../cache/index.js";
import { NsjailError, ExitCode, usageError } from "../../errors.js";
import { encodePlan } from "../../plan/index.js";
import { parseRunArgs } from "../args.js";
import { allFlags, emptyRequest, type FlagSpec } from "../flags/index.js";
import { prepareRequest } from "../request.js";
import { lifecyclePlan, lifecycleRequest } from "../../run/status.js";
import { whereOf } from "../../run/prepare.js";

export const summary = "compile [--policy FILE] [flags] -o PLAN -- COMMAND: write the plan to a file for run-plan";

const OUTPUT: FlagSpec = {
  names: ["-o", "--output"],
  arity: 1,
  values: "PLAN",
  help: "the plan file to write",
  apply: (r, [v]) => void (r.runtime.output = v!),
};

export async function main(argv: string[]): Promise<number> {
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const req = parseRunArgs(argv, emptyRequest(), [...allFlags(), OUTPUT]);
  const output = req.runtime.output;
  if (typeof output !== "string" || output === "") throw usageError("compile needs -o PLAN (usage: nsjail-ts compile [--policy FILE] [flags] -o PLAN -- COMMAND [ARGS...])");
  const prepared = prepareRequest(req);
  // A cgroup is made for one run; a plan kept for later runs could only name one that no longer exists.
  if (prepared.resolved.policy.limits?.cgroup) {
    throw new NsjailError(ExitCode.Policy, "cgroup limits are made per run and cannot be compiled into a plan file; run the policy with nsjail-ts itself, or use rlimits", { where: whereOf(prepared.resolved, "/limits/cgroup") });
  }
  // Names and status lines are carried out by the helper's outer process, so they belong in the plan.
  const lifecycle = lifecyclePlan(prepared, req.command, lifecycleRequest(req.runtime));
  const manifest = planManifest(prepared, req.policy, { ...localIds(), startedNs });
  // The manifest is a record for readers here (run-plan runs a plan as it is); one that could not be made is left out.
  const plan = manifest.ok ? encodePlan(withManifest(lifecycle.ops, manifest.records)) : lifecycle.plan;
  try {
    writeAtomic(output, plan, 0o644);
  } catch (e) {
    throw new NsjailError(ExitCode.Usage, `cannot write the plan ${output}: ${(e as Error).message}`);
  }
  return 0;
}
