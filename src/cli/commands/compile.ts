// nsjail-ts compile: compile the policy, flags and command into a plan file to run later with run-plan.

import { localIds, manifestRecords, policyArgAbsent, envDeps, withManifest, writeAtomic } from "../../cache/index.js";
import { NsjailError, ExitCode, usageError } from "../../errors.js";
import { encodePlan } from "../../plan/index.js";
import { parseRunArgs } from "../args.js";
import { allFlags, emptyRequest, type FlagSpec } from "../flags/index.js";
import { prepareRequest } from "../request.js";

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
  const manifest = manifestRecords({
    files: prepared.files,
    absent: policyArgAbsent(req.policy),
    env: envDeps(prepared.resolved),
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    cwd: process.cwd(),
    ...localIds(),
    startedNs,
  });
  // The manifest is a record for readers here (run-plan runs a plan as it is); one that could not be made is left out.
  const plan = manifest.ok ? encodePlan(withManifest(prepared.ops, manifest.records)) : prepared.plan;
  try {
    writeAtomic(output, plan, 0o644);
  } catch (e) {
    throw new NsjailError(ExitCode.Usage, `cannot write the plan ${output}: ${(e as Error).message}`);
  }
  return 0;
}
