// The plan cache's flag: run without reading or writing a cached plan.

import type { FlagSpec } from "./types.js";

export const CACHE_FLAGS: FlagSpec[] = [
  {
    names: ["--no-cache"],
    arity: 0,
    help: "compile the policy even when a cached plan for this exact command line still holds, and do not store one",
    apply: (r) => void (r.runtime["no-cache"] = true),
  },
];
