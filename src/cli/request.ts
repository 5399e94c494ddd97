// Turn a parsed RunRequest into a compiled plan, printing the warnings once.

import { writeSync } from "node:fs";
import { preparePlan, type PreparedPlan } from "../run/prepare.js";
import { bwrapLayers, finishBwrapFlags } from "./flags/bwrap.js";
import { levelTag } from "./flags/bwrap-state.js";
import type { RunRequest } from "./flags/index.js";
import { policyPath } from "./policy-arg.js";

/** In bwrap mode the sandbox starts from nothing (no policy file) and bwrap's own defaults come first. */
export function prepareRequest(req: RunRequest): PreparedPlan {
  finishBwrapFlags(req);
  const prepared = preparePlan({
    command: req.command,
    layers: req.bwrapMode ? bwrapLayers(req) : req.layers,
    ...(req.bwrapMode ? { policyFile: null } : req.policy !== undefined ? { policyFile: policyPath(req.policy) } : {}),
  });
  // Synchronous: the process may be replaced by the helper right after, and pipe writes are async.
  for (const w of prepared.warnings) writeSync(2, `${levelTag(4)}nsjail-ts: warning: ${w}\n`);
  return prepared;
}
