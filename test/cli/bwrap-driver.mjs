// Runs a bwrap command line the way `nsjail-ts bwrap` does once src/cli/request.ts applies
// bwrapLayers(): the flags over an empty policy, then the helper. Usage: STAGE EMPTY_POLICY ARGS...
import { writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [stage, emptyPolicy, ...argv] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(stage, "dist", p)).href);
const { parseRunArgs } = await load("cli/args.js");
const { emptyRequest } = await load("cli/flags/index.js");
const { bwrapLayers } = await load("cli/flags/bwrap.js");
const { preparePlan } = await load("run/prepare.js");
const { execHelper } = await load("run/handover.js");
const { linuxSys } = await load("ffi/linux.js");
const { NsjailError } = await load("errors.js");

try {
  const req = parseRunArgs(argv, emptyRequest(true));
  const prepared = preparePlan({ policyFile: emptyPolicy, layers: bwrapLayers(req), command: req.command });
  for (const w of prepared.warnings) writeSync(2, `nsjail-ts: warning: ${w}\n`);
  execHelper(linuxSys(), prepared.plan);
} catch (e) {
  if (!(e instanceof NsjailError)) throw e;
  writeSync(2, `nsjail-ts: ${e.message}\n`);
  process.exit(e.code);
}
