// bubblewrap flags nsjail-ts has no mechanism for: each is accepted by name so that the error can say
// exactly which flag and why, instead of "unknown option" or, worse, being ignored. (--json-status-fd
// is in lifecycle.ts, which writes status lines.)

import type { FlagSpec } from "./types.js";
import { unsupported } from "./bwrap-state.js";

const JOIN = "joining an existing namespace from a file descriptor has no mechanism in nsjail-ts";
const NO_STATUS = "the helper reports no status on a file descriptor";
const SELINUX = "nsjail-ts runs rootless and sets no SELinux labels";
const RAW_SECCOMP = "a raw BPF program from a file descriptor cannot be carried in a policy; write the filter as policy \"seccomp\" rules";

export const BWRAP_UNSUPPORTED_FLAGS: FlagSpec[] = [
  unsupported(["--argv0"], 1, "VALUE", "run the command with argv[0] set to VALUE", "the helper cannot exec a command under another argv[0]"),
  unsupported(["--level-prefix"], 0, undefined, "prefix diagnostics with a syslog level like <3>", "nsjail-ts's messages carry no severity prefix"),
  unsupported(["--userns"], 1, "FD", "use an existing user namespace", JOIN),
  unsupported(["--userns2"], 1, "FD", "switch to this user namespace after setup", JOIN),
  unsupported(["--pidns"], 1, "FD", "use an existing PID namespace", JOIN),
  unsupported(["--disable-userns"], 0, undefined, "keep the command from creating user namespaces", "the helper cannot limit user.max_user_namespaces inside the sandbox"),
  unsupported(["--assert-userns-disabled"], 0, undefined, "fail unless user namespaces are disabled inside", "nsjail-ts cannot disable user namespaces inside the sandbox (see --disable-userns)"),
  unsupported(["--lock-file"], 1, "DEST", "hold a lock on DEST while the sandbox runs", "nsjail-ts holds no locks for the sandbox's lifetime"),
  unsupported(["--sync-fd"], 1, "FD", "keep FD open while the sandbox runs", "the helper keeps no file descriptor open for the sandbox's lifetime"),
  unsupported(["--block-fd"], 1, "FD", "wait for data on FD before running the command", "the helper does not wait on a file descriptor"),
  unsupported(["--userns-block-fd"], 1, "FD", "wait on FD for an outside process to set up the user namespace", "the helper writes its own id maps and does not wait for others to"),
  unsupported(["--info-fd"], 1, "FD", "write JSON about the sandbox to FD", NO_STATUS),
  unsupported(["--exec-label"], 1, "LABEL", "SELinux label for the sandbox's processes", SELINUX),
  unsupported(["--file-label"], 1, "LABEL", "SELinux label for the sandbox's files", SELINUX),
  unsupported(["--seccomp"], 1, "FD", "load a compiled seccomp BPF program from FD", RAW_SECCOMP),
  unsupported(["--add-seccomp-fd"], 1, "FD", "load one more compiled seccomp BPF program from FD", RAW_SECCOMP),
  unsupported(["--bind-fd"], 2, "FD DEST", "bind the directory open as FD on DEST", "a policy has no mount for an inherited file descriptor"),
  unsupported(["--ro-bind-fd"], 2, "FD DEST", "bind the directory open as FD read-only on DEST", "a policy has no mount for an inherited file descriptor"),
  unsupported(["--chmod"], 2, "OCTAL PATH", "change the mode of PATH inside", "a policy has no chmod entry among its mounts"),
  unsupported(["--as-pid-1"], 0, undefined, "run the command itself as PID 1, without an init", "the plan always runs an init as PID 1 in a new PID namespace"),
];
