// nsjail-ts check: validate a policy (with flags) and print it fully resolved, without running anything.

import { preparePlan } from "../run/prepare.js";
import { parseRunArgs } from "./args.js";
import { policyPath } from "./policy-arg.js";

export async function checkMain(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  const command = args.command.length ? args.command : ["/bin/true"];
  const prepared = preparePlan({ command, ...(args.policy !== undefined ? { policyFile: policyPath(args.policy) } : {}) });
  for (const w of prepared.warnings) process.stderr.write(`nsjail-ts: warning: ${w}\n`);
  process.stdout.write(`${JSON.stringify(prepared.resolved.policy, null, 2)}\n`);
  return 0;
}
