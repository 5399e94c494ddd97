// Every flag table the run command knows, in the order --help lists them (a later table wins a shared name).

import { CORE_FLAGS } from "./core.js";
import { BWRAP_FLAGS } from "./bwrap.js";
import { CACHE_FLAGS } from "./cache.js";
import { LIFECYCLE_FLAGS } from "./lifecycle.js";
import { LIMIT_FLAGS } from "./limits.js";
import type { FlagSpec } from "./types.js";

export const FLAG_TABLES: readonly (readonly FlagSpec[])[] = [CORE_FLAGS, CACHE_FLAGS, LIMIT_FLAGS, BWRAP_FLAGS, LIFECYCLE_FLAGS];

export function allFlags(): FlagSpec[] {
  return FLAG_TABLES.flat();
}
export * from "./types.js";
