// Every flag table the run command knows, in the order --help lists them.

import { CORE_FLAGS } from "./core.js";
import { BWRAP_FLAGS } from "./bwrap.js";
import { CACHE_FLAGS } from "./cache.js";
import type { FlagSpec } from "./types.js";

export const FLAG_TABLES: readonly (readonly FlagSpec[])[] = [CORE_FLAGS, CACHE_FLAGS, BWRAP_FLAGS];

export function allFlags(): FlagSpec[] {
  return FLAG_TABLES.flat();
}
export * from "./types.js";
