// The run command: parse flags, compile the plan, and hand the process over to the helper (or the plan
// to the front end that started this compiler).

import { cachePlan, takeCacheRequest, trackFlags } from "../cache/index.js";
import { writeSync } from "node:fs";
import { linuxSys } from "../ffi/linux.js";
import { lifecyclePlan, lifecycleRequest } from "../run/status.js";
import { execHelper, sendPlan, takePlanFd } from "../run/handover.js";
import { fdsNamed } from "../plan/fds.js";
import { packageVersion } from "../run/paths.js";
import { parseRunArgs } from "./args.js";
import { allFlags, emptyRequest } from "./flags/index.js";
import { prepareRequest } from "./request.js";
import { levelTag } from "./flags/bwrap-state.js";

/** `bwrapMode` starts from an empty policy, as bwrap does. Returns for --help/--version, and once the plan is
 * written to the front end's fd (and then stored in the cache, when asked); else the helper replaces this process. */
export async function runCommand(argv: string[], bwrapMode: boolean, helpText: () => Promise<string>): Promise<number> {
  const cache = takeCacheRequest(); // before anything reads the environment
  const planFd = takePlanFd();
  const flags = allFlags();
  const used = new Set<string>();
  const req = parseRunArgs(argv, emptyRequest(bwrapMode), trackFlags(flags, used));
  if (req.help) {
    process.stdout.write(await helpText());
    return 0;
  }
  if (req.version) {
    process.stdout.write(`nsjail-ts ${packageVersion()}\n`);
    return 0;
  }
  const prepared = prepareRequest(req);
  // The run's own parts: a fresh cgroup (or the rlimit fallback), status lines, the name.
  const lifecycle = lifecyclePlan(prepared, req.command, { ...lifecycleRequest(req.runtime), ...(planFd === undefined ? {} : { frontPid: process.ppid }) });
  for (const w of lifecycle.warnings) writeSync(2, `${levelTag(4)}nsjail-ts: warning: ${w}\n`);
  // Not a spread: that would encode the prepared plan, which this run replaces.
  const final = { resolved: prepared.resolved, ops: lifecycle.ops, plan: lifecycle.plan, warnings: prepared.warnings, files: prepared.files };
  // A plan that names a cgroup made for this one run must not be replayed from the cache.
  const cacheable = cache && lifecycle.cgroup === undefined;
  if (planFd === undefined) execHelper(linuxSys(), cacheable ? cachePlan(cache, final, req, used, flags) : final.plan);
  sendPlan(planFd, final.plan, fdsNamed(final.ops)); // no koffi: the front end runs it at once
  // The cache entry (hashing its files, milliseconds of node:crypto) is written while the sandbox starts;
  // the front end waits for this process before it exits, so the entry is there once nsjail-ts returns.
  if (cacheable) cachePlan(cache, final, req, used, flags);
  return 0;
}
