// nsjail-ts check: validate a policy (with flags) and print it fully resolved, without running anything.

import { parseRunArgs } from "../args.js";
import { prepareRequest } from "../request.js";

export const summary = "validate the policy (with flags) and print it fully resolved";

export async function main(argv: string[]): Promise<number> {
  const req = parseRunArgs(argv);
  if (req.command.length === 0) req.command = ["/bin/true"];
  const prepared = prepareRequest(req);
  process.stdout.write(`${JSON.stringify(prepared.resolved.policy, null, 2)}\n`);
  return 0;
}
