// Command-line parsing for the run command: argv to typed options (no I/O here).

import arg from "arg";
import { usageError } from "../errors.js";

export interface RunArgs {
  policy?: string;
  debug: boolean;
  help: boolean;
  version: boolean;
  command: string[];
}

const SPEC = {
  "--policy": String,
  "--debug": Boolean,
  "--help": Boolean,
  "--version": Boolean,
  "-h": "--help",
  "-V": "--version",
} as const;

/** Parse `[options] [--] COMMAND...`: the first non-option word starts the command, as with bwrap. */
export function parseRunArgs(argv: string[]): RunArgs {
  let parsed: arg.Result<typeof SPEC>;
  try {
    parsed = arg(SPEC, { argv, stopAtPositional: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/^unknown or unexpected option/, "unknown option");
    throw usageError(`${msg} (see nsjail-ts --help)`);
  }
  const command = parsed._;
  const out: RunArgs = {
    debug: parsed["--debug"] ?? false,
    help: parsed["--help"] ?? false,
    version: parsed["--version"] ?? false,
    command,
  };
  if (parsed["--policy"] !== undefined) out.policy = parsed["--policy"];
  return out;
}
