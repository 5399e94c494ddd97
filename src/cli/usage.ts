// The --help text: a short synopsis; the man page (man/nsjail-ts.1) has the whole story.

export const USAGE = `usage: nsjail-ts [OPTIONS] [--policy FILE] [--] COMMAND [ARGS...]
       nsjail-ts SUBCOMMAND ...

Run COMMAND in a rootless sandbox: its own user, mount, PID, IPC, UTS, network
and cgroup namespaces, only the files the policy binds in, a seccomp filter and
resource limits. Without --policy the built-in default policy applies.

Options:
  --policy FILE      the JSON policy (or a preset name: default, build, untrusted)
  --debug            show internal details (stack traces) on errors
  -h, --help         show this help and exit
  -V, --version      show the version and exit

Subcommands:
  check [--policy FILE]            validate and print the fully resolved policy
  doctor                           report what this machine supports
  seccomp compile|disasm|explain   work with seccomp filters (see nsjail-ts(1))

Exit status: the command's own, 128+N when it died of signal N, 2 usage error,
122 policy error, 124 time limit, 125 sandbox setup failure, 126 command not
executable, 127 command not found, 70 internal error.
See nsjail-ts(1) and nsjail-ts-policy(5).
`;
