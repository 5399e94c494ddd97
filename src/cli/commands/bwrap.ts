// nsjail-ts bwrap: a stand-in for bubblewrap, starting from an empty sandbox as bwrap does.

import { packageVersion } from "../../run/paths.js";
import { BWRAP_FLAGS } from "../flags/bwrap.js";
import { runCommand } from "../run.js";

export const summary = "run COMMAND as bwrap would: an empty sandbox built only from bwrap-style flags";

/** --help in bwrap mode: bwrap's options only, since a bwrap command line uses nothing else. */
export async function bwrapHelp(): Promise<string> {
  const lines = BWRAP_FLAGS.map((f) => `    ${`${f.names.join(", ")}${f.values ? ` ${f.values}` : ""}`.padEnd(29)} ${f.help}`);
  return `usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]
       nsjail-ts bwrap [OPTIONS...] [--] COMMAND [ARGS...]

nsjail-ts ${packageVersion()} standing in for bubblewrap: the sandbox starts empty (new user and
mount namespaces only, an empty tmpfs root, the caller's uid, gid and environment, no seccomp
filter) and the options below build it, mounts in the order given.

    --help, -h                    show this help and exit
    --version, -V                 show the version and exit
${lines.join("\n")}

See nsjail-ts(1), section BWRAP MODE.
`;
}

export const main = (argv: string[]): Promise<number> => runCommand(argv, true, bwrapHelp);
