// SETUP_ORDER: the one place that decides in which order the helper runs the setup steps.

import type { CompileContext } from "./context.js";
import { compileCaps } from "./caps.js";
import {
  compileChdir, compileCloseFds, compileExec, compileLockMounts, compileNoNewPrivs, compileSeccompLoad,
  compileSession, compileSetIds,
} from "./exec.js";
import { compileRlimits, compileTimeLimit } from "./limits.js";
import { compileMounts } from "./mount.js";
import { compileHostname, compileLoopback, compileNamespaces, compilePidFork, compileSpawn } from "./namespaces.js";
import type { Op } from "./ops.js";
import { compileUser } from "./user.js";

type Step = readonly [name: string, compile: (ctx: CompileContext) => Op[]];

/**
 * The user namespace comes first (every other namespace is then owned by it); mounts are built
 * before pivot_root; the command's own restrictions come last, seccomp very last, so that the
 * helper's own setup syscalls never have to pass the filter.
 */
export const SETUP_ORDER: readonly Step[] = [
  ["time-limit", compileTimeLimit],
  ["user", compileUser],
  ["namespaces", compileNamespaces],
  ["pid", compilePidFork],
  ["mounts", compileMounts],
  ["hostname", compileHostname],
  ["loopback", compileLoopback],
  ["spawn", compileSpawn],
  ["session", compileSession],
  ["rlimits", compileRlimits],
  ["chdir", compileChdir],
  ["lock-mounts", compileLockMounts],
  ["ids", compileSetIds],
  ["close-fds", compileCloseFds],
  ["caps", compileCaps],
  ["no-new-privs", compileNoNewPrivs],
  ["seccomp", compileSeccompLoad],
  ["exec", compileExec],
];

export function compileOps(ctx: CompileContext): Op[] {
  return SETUP_ORDER.flatMap(([, compile]) => compile(ctx));
}
