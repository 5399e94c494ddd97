// nsjail-ts explain: what the sandbox will be, in plain words, without running anything.

import { parseRunArgs } from "../args.js";
import { explainPlan } from "../explain.js";
import { finishBwrapFlags } from "../flags/bwrap.js";
import { prepareRequest } from "../request.js";

export const summary = "describe in plain words what the sandbox for COMMAND will be, without running it";

export async function main(argv: string[]): Promise<number> {
  const req = parseRunArgs(argv);
  if (req.help) {
    process.stdout.write("usage: nsjail-ts explain [--policy FILE] [OPTIONS] [--] COMMAND [ARGS...]\n\nTakes the options of a run (see nsjail-ts --help) and prints the sandbox they make. See nsjail-ts(1).\n");
    return 0;
  }
  if (req.command.length === 0) req.command = ["/bin/true"];
  finishBwrapFlags(req);
  process.stdout.write(explainPlan(prepareRequest(req)));
  return 0;
}
