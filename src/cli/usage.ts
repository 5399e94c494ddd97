// The --help text, built from the flag tables and the subcommands; man/nsjail-ts.1 has the whole story.

import { allFlags } from "./flags/index.js";

export function usage(subcommands: { name: string; summary: string }[]): string {
  const flagLines = allFlags().map((f) => {
    const left = `  ${f.names.join(", ")}${f.values ? ` ${f.values}` : ""}`;
    return `${left.padEnd(34)} ${f.help}`;
  });
  const subLines = subcommands.map((s) => `  ${s.name.padEnd(32)} ${s.summary}`);
  return `usage: nsjail-ts [OPTIONS] [--] COMMAND [ARGS...]
       nsjail-ts SUBCOMMAND [ARGS...]

Run COMMAND in a rootless sandbox: its own user, mount, PID, IPC, UTS, network
and cgroup namespaces, only the files the policy binds in, a seccomp filter and
resource limits. Without --policy the built-in default policy applies.

Options:
${flagLines.join("\n")}

Subcommands:
${subLines.join("\n")}

Exit status: the command's own, 128+N when it died of signal N, 2 usage error,
122 policy error, 124 time limit reached, 125 sandbox setup failed, 126 command
not executable, 127 command not found, 70 internal error.
See nsjail-ts(1) and nsjail-ts-policy(5).
`;
}
