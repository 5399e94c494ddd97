// nsjail-ts run-plan: run a plan written by `nsjail-ts compile`, optionally with another command.

import { readFileSync } from "node:fs";
import { usageError } from "../../errors.js";
import { linuxSys } from "../../ffi/linux.js";
import { decodePlan, PlanFormatError } from "../../plan/index.js";
import { execHelper } from "../../run/handover.js";

export const summary = "run-plan PLAN [-- COMMAND]: run a compiled plan (the front end does this without Node)";

const USAGE = "usage: nsjail-ts run-plan PLAN [-- COMMAND [ARGS...]]";

export async function main(argv: string[]): Promise<number> {
  const [file, sep, ...command] = argv;
  if (file === undefined || file.startsWith("-")) throw usageError(`run-plan needs a plan file (${USAGE})`);
  if (sep !== undefined && (sep !== "--" || command.length === 0)) throw usageError(`run-plan takes a command only after -- (${USAGE})`);
  let plan: Buffer;
  try {
    plan = readFileSync(file);
    decodePlan(plan);
  } catch (e) {
    const why = e instanceof PlanFormatError ? e.message : ((e as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (e as Error).message);
    throw usageError(`run-plan: cannot use ${file}: ${why}`);
  }
  execHelper(linuxSys(), plan, process.env, command);
}
