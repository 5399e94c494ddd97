// bubblewrap's flags for the process around the command: raw seccomp programs, argv[0], PID 1, the
// syslog level of messages, fds with a role (info, sync, block), lock files, user namespaces inside.

import { usageError } from "../../errors.js";
import type { FlagSpec, RunRequest } from "./types.js";
import { bwrapFlag, bwrapState, layer, openFd, readFd, setLevelPrefix } from "./bwrap-state.js";
import { destination } from "./bwrap-state.js";

/** The kernel's limit on one seccomp program (BPF_MAXINSNS). */
const MAX_INSNS = 4096;

/** A compiled program read from the fd at parse time, as bwrap reads it; base64 for the policy. */
function seccompProgram(flag: string, fd: string): string {
  const bytes = readFd(flag, fd);
  if (bytes.length === 0 || bytes.length % 8 !== 0) {
    throw usageError(`${flag} ${fd}: invalid seccomp data: ${bytes.length} bytes is not a whole number of 8-byte instructions`);
  }
  if (bytes.length / 8 > MAX_INSNS) throw usageError(`${flag} ${fd}: the seccomp program has ${bytes.length / 8} instructions, more than ${MAX_INSNS}`);
  return bytes.toString("base64");
}

function addSeccomp(req: RunRequest, fd: string): void {
  const s = bwrapState(req);
  if (s.seccompFd) throw usageError("--add-seccomp-fd cannot be combined with --seccomp");
  const program = seccompProgram("--add-seccomp-fd", fd);
  if (!s.addedSeccomp) {
    s.addedSeccomp = [];
    layer(req, "--add-seccomp-fd", [], { seccompPrograms: s.addedSeccomp });
  }
  s.addedSeccomp.push(program);
}

function addLockFile(req: RunRequest, dst: string): void {
  const s = bwrapState(req);
  if (s.asPid1) throw usageError("--lock-file cannot be combined with --as-pid-1 (no init would hold the lock)");
  if (!s.lockFiles) {
    s.lockFiles = [];
    layer(req, "--lock-file", [], { lockFiles: s.lockFiles });
  }
  s.lockFiles.push(destination("--lock-file", dst));
}

/** A flag naming an inherited fd with a role in the sandbox's life. */
function roleFd(name: string, role: "info" | "sync" | "block", help: string): FlagSpec {
  return bwrapFlag({
    names: [name],
    arity: 1,
    values: "FD",
    help,
    apply: (r, [fd]) => {
      if (role === "info") bwrapState(r).infoFd = true;
      layer(r, name, [fd!], { fds: { [role]: openFd(name, fd!) } });
    },
  });
}

export const BWRAP_PLUMBING_FLAGS: FlagSpec[] = [
  bwrapFlag({
    names: ["--argv0"],
    arity: 1,
    values: "VALUE",
    help: "run the command with argv[0] set to VALUE (the program is still the command's first word)",
    apply: (r, [v]) => {
      if (v === "") throw usageError("--argv0: the value must not be empty");
      layer(r, "--argv0", [v!], { argv0: v! });
    },
  }),
  bwrapFlag({
    names: ["--level-prefix"],
    arity: 0,
    help: "start nsjail-ts's own error lines with <3> and warnings with <4>, the syslog levels journald reads",
    apply: (r) => {
      setLevelPrefix();
      layer(r, "--level-prefix", [], { levelPrefix: true });
    },
  }),
  bwrapFlag({
    names: ["--seccomp"],
    arity: 1,
    values: "FD",
    help: "load the compiled seccomp program read from FD instead of any other filter (not with --add-seccomp-fd)",
    apply: (r, [fd]) => {
      const s = bwrapState(r);
      if (s.addedSeccomp) throw usageError("--seccomp cannot be combined with --add-seccomp-fd");
      s.seccompFd = true;
      layer(r, "--seccomp", [fd!], { seccomp: { preset: "none" }, seccompPrograms: [seccompProgram("--seccomp", fd!)] });
    },
  }),
  bwrapFlag({
    names: ["--add-seccomp-fd"],
    arity: 1,
    values: "FD",
    help: "load one more compiled seccomp program from FD, after the policy's filter; repeatable, loaded in order",
    apply: (r, [fd]) => addSeccomp(r, fd!),
  }),
  roleFd("--info-fd", "info", "write JSON about the sandbox ({\"child-pid\": N, ...}) to FD once it starts, then close it"),
  roleFd("--sync-fd", "sync", "keep FD open in the sandbox's init until the sandbox ends"),
  roleFd("--block-fd", "block", "wait until FD has data (or reaches end of file) before running the command"),
  bwrapFlag({
    names: ["--lock-file"],
    arity: 1,
    values: "DEST",
    help: "hold a read lock (fcntl F_SETLK) on the file DEST inside the sandbox while it runs; repeatable",
    apply: (r, [dst]) => addLockFile(r, dst!),
  }),
  bwrapFlag({
    names: ["--as-pid-1"],
    arity: 0,
    help: "run the command itself as PID 1 of the new PID namespace, without an init (needs --unshare-pid)",
    apply: (r) => {
      const s = bwrapState(r);
      if (s.lockFiles) throw usageError("--as-pid-1 cannot be combined with --lock-file (no init would hold the lock)");
      s.asPid1 = true;
      layer(r, "--as-pid-1", [], { asPid1: true });
    },
  }),
  bwrapFlag({
    names: ["--disable-userns"],
    arity: 0,
    help: "keep the command from creating user namespaces (user.max_user_namespaces inside, from a nested namespace)",
    apply: (r) => {
      bwrapState(r).disableUserns = true;
      layer(r, "--disable-userns", [], { disableUserns: true });
    },
  }),
  bwrapFlag({
    names: ["--assert-userns-disabled"],
    arity: 0,
    help: "refuse to run the command unless creating a user namespace fails inside",
    apply: (r) => layer(r, "--assert-userns-disabled", [], { assertUsernsDisabled: true }),
  }),
];
