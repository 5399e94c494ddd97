// SETUP_ORDER: the one place that decides in which order the helper runs the setup steps.

import type { CompileContext } from "./context.js";
import { compileCaps } from "./caps.js";
import { compileChdir, compileCloseFds, compileExec, compileLockMounts, compileNoNewPrivs, compileSession, compileSetIds } from "./exec.js";
import { compileAssertUserns, compileBlock, compileDisableUserns, compileHeld, compileReporting, compileSeccompLoad } from "./fds.js";
import { compileRlimits, compileTimeLimit } from "./limits.js";
import { compileMounts } from "./mount.js";
import { compileHostname, compileLoopback, compileNamespaces, compilePidFork, compileSpawn } from "./namespaces.js";
import type { Op } from "./ops.js";
import { compileUser, compileUserns2, compileUsernsBlock } from "./user.js";

type Step = readonly [name: string, compile: (ctx: CompileContext) => Op[]];

/**
 * The user namespace comes first (every other namespace is then owned by it); mounts are built
 * before pivot_root; the command's own restrictions come last, seccomp very last, so that the
 * helper's own setup syscalls never have to pass the filter.
 */
export const SETUP_ORDER: readonly Step[] = [
  ["reporting", compileReporting],
  ["time-limit", compileTimeLimit],
  ["user", compileUser],
  ["namespaces", compileNamespaces],
  ["userns-block", compileUsernsBlock],
  ["pid", compilePidFork],
  ["mounts", compileMounts],
  ["hostname", compileHostname],
  ["loopback", compileLoopback],
  ["userns2", compileUserns2],
  ["held", compileHeld],
  ["spawn", compileSpawn],
  ["session", compileSession],
  ["rlimits", compileRlimits],
  ["chdir", compileChdir],
  ["disable-userns", compileDisableUserns],
  ["lock-mounts", compileLockMounts],
  ["assert-userns", compileAssertUserns],
  ["ids", compileSetIds],
  ["block", compileBlock],
  ["close-fds", compileCloseFds],
  ["caps", compileCaps],
  ["no-new-privs", compileNoNewPrivs],
  ["seccomp", compileSeccompLoad],
  ["exec", compileExec],
];

export function compileOps(ctx: CompileContext): Op[] {
  return SETUP_ORDER.flatMap(([, compile]) => compile(ctx));
}
