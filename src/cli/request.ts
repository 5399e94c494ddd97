// Turn a parsed RunRequest into a compiled plan, printing the warnings once.

import { writeSync } from "node:fs";
import { preparePlan, type PreparedPlan } from "../run/prepare.js";
import type { RunRequest } from "./flags/index.js";
import { policyPath } from "./policy-arg.js";

export function prepareRequest(req: RunRequest): PreparedPlan {
  const prepared = preparePlan({
    command: req.command,
    layers: req.layers,
    ...(req.policy !== undefined ? { policyFile: policyPath(req.policy) } : {}),
  });
  // Synchronous: the process may be replaced by the helper right after, and pipe writes are async.
  for (const w of prepared.warnings) writeSync(2, `nsjail-ts: warning: ${w}\n`);
  return prepared;
}
