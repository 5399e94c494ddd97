// The run command's own flags: policy choice, help, version, debug.

import type { FlagSpec } from "./types.js";

export const CORE_FLAGS: FlagSpec[] = [
  { names: ["--policy"], arity: 1, values: "FILE", help: "the JSON policy file, or a preset name (default, build, untrusted)", apply: (r, [v]) => void (r.policy = v!) },
  { names: ["--debug"], arity: 0, help: "show internal details (stack traces) on errors", apply: (r) => void (r.debug = true) },
  { names: ["--help", "-h"], arity: 0, help: "show the usage and exit", apply: (r) => void (r.help = true) },
  { names: ["--version", "-V"], arity: 0, help: "show the version and exit", apply: (r) => void (r.version = true) },
];
