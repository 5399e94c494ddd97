// The shape shared by every command-line flag table: a flag's names, arity and effect on the request.

import type { Policy, PolicyLayer } from "../../policy/types.js";

/** What the command line asks for, built flag by flag in command-line order. */
export interface RunRequest {
  /** --policy: a file or preset name; undefined means the default policy (or nothing, in bwrap mode). */
  policy?: string;
  /** Start from an empty policy, as bwrap does (invoked as `bwrap` or `nsjail-ts bwrap`). */
  bwrapMode: boolean;
  /** Policy fragments from flags, applied in order after the policy (mount lists append). */
  layers: PolicyLayer[];
  /** Settings that are not part of a policy (status fds, names, cache control...), by flag name. */
  runtime: Record<string, string | number | boolean | string[] | number[]>;
  debug: boolean;
  help: boolean;
  version: boolean;
  command: string[];
}

export function emptyRequest(bwrapMode = false): RunRequest {
  return { bwrapMode, layers: [], runtime: {}, debug: false, help: false, version: false, command: [] };
}

export interface FlagSpec {
  /** Names including the dashes; the first is the canonical one. */
  names: string[];
  /** Number of values the flag takes (bwrap's --bind takes 2). */
  arity: number;
  /** One line for --help and the man page; `values` names the arguments, e.g. "SRC DEST". */
  help: string;
  values?: string;
  /** Apply the flag to the request; throw usageError for a bad value. */
  apply(req: RunRequest, values: string[]): void;
}

/** Append a policy fragment labelled with the flag that made it. */
export function addLayer(req: RunRequest, flag: string, policy: Policy): void {
  req.layers.push({ policy, label: `command line ${flag}` });
}
