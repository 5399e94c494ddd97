// Where the installed package keeps its helper binary, presets and version.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: two levels above dist/run (or src/run when run from sources). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The compiled helper; NSJAIL_TS_HELPER overrides it for packagers who install it elsewhere. */
export function helperPath(): string {
  return process.env.NSJAIL_TS_HELPER ?? join(packageRoot, "helper-c/build/nsjail-ts-helper");
}

let version: string | undefined;
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
  return version;
}
