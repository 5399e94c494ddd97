#!/usr/bin/env node
// nsjail-ts entry point: runs the command line (cli.ts) from the build's bundle, which starts much faster
// than loading the modules one by one (scripts/build-bundle.mjs), or from the modules.

import { createRequire } from "node:module";
import { basename } from "node:path";

/** Written here by scripts/build-bundle.mjs; empty in what tsc emits, so a `tsc` alone runs the modules it wrote. */
const BUNDLE_ID = "";

// Through require: importing node:fs as an ES module builds its facade, which loads fs streams (milliseconds).
const require = createRequire(import.meta.url);

type Cli = typeof import("./cli.js");
type Loader = (id: string) => unknown;

/** The bundle's module loader, or undefined when this build has none. */
function bundleLoader(): Loader | undefined {
  if (!BUNDLE_ID) return undefined;
  const { readFileSync } = require("node:fs") as typeof import("node:fs");
  const { Script } = require("node:vm") as typeof import("node:vm");
  const { fileURLToPath } = require("node:url") as typeof import("node:url");
  const file = fileURLToPath(new URL("bundle.cjs", import.meta.url));
  let source: string;
  try {
    source = readFileSync(file, "latin1"); // the build keeps the bundle ASCII
  } catch {
    return undefined; // the modules are still there
  }
  if (!source.startsWith(`// nsjail-ts bundle ${BUNDLE_ID}\n`)) return undefined; // from another build
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(fileURLToPath(new URL("bundle.cache", import.meta.url)));
  } catch {
    cachedData = undefined; // compiling from source is only slower
  }
  // V8 checks the code cache against the source and its own version, and compiles afresh when it does not fit.
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const make = script.runInThisContext() as (req: NodeJS.Require, distUrl: string, id: string) => Loader;
  return make(createRequire(file), new URL("../", import.meta.url).href, BUNDLE_ID);
}

const load = bundleLoader();
const cli = load ? (load("cli/cli.js") as Cli) : await import("./cli.js");
await cli.start(process.argv.slice(2), basename(process.argv[1] ?? ""));
