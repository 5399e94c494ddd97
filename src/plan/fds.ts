// bubblewrap's process plumbing as plan ops: inherited fds with a role (info, sync, block), lock files,
// user namespaces turned off inside, the syslog level on the helper's errors, and raw seccomp programs.

import { policyErrorAt, unshares, type CompileContext } from "./context.js";
import { planItems } from "./wire.js";
import { op, OpType, STATUS_FD, type Op } from "./ops.js";

/** The kernel's limit on one seccomp program (BPF_MAXINSNS). */
const MAX_INSNS = 4096;

/** Ops that only say how the helper reports: before every other op. */
export function compileReporting(ctx: CompileContext): Op[] {
  const p = ctx.policy;
  return [
    ...(p.levelPrefix ? [op(OpType.LevelPrefix, ctx.originOf("/levelPrefix"))] : []),
    ...(p.fds?.info !== undefined ? [op(OpType.InfoFd, ctx.originOf("/fds/info"), [BigInt(p.fds.info)])] : []),
  ];
}

/** What init holds for the sandbox's life: locks on files inside, and the sync fd. Right before spawn. */
export function compileHeld(ctx: CompileContext): Op[] {
  const p = ctx.policy;
  if (p.asPid1 && p.lockFiles?.length) throw policyErrorAt(ctx, "/lockFiles", "lock files need an init to hold their locks, and asPid1 runs none");
  if (p.lockFiles?.length && !unshares(ctx, "mount")) throw policyErrorAt(ctx, "/lockFiles", "lock files are paths inside the new root, which needs the mount namespace");
  return [
    ...(p.lockFiles ?? []).map((path, i) => op(OpType.LockFile, ctx.originOf(`/lockFiles/${i}`), [path])),
    ...(p.fds?.sync !== undefined ? [op(OpType.SyncFd, ctx.originOf("/fds/sync"), [BigInt(p.fds.sync)])] : []),
  ];
}

/** Whether an init must stay behind even without a PID namespace: something has to hold the locks and the sync fd. */
export function needsInit(ctx: CompileContext): boolean {
  const p = ctx.policy;
  return !p.asPid1 && ((p.lockFiles?.length ?? 0) > 0 || p.fds?.sync !== undefined);
}

/** The wait on the block fd, the last thing before the command's fds are closed. */
export function compileBlock(ctx: CompileContext): Op[] {
  const fd = ctx.policy.fds?.block;
  return fd === undefined ? [] : [op(OpType.BlockFd, ctx.originOf("/fds/block"), [BigInt(fd)])];
}

/** Before lock-mounts, which then makes the one nested user namespace the limit allows. */
export function compileDisableUserns(ctx: CompileContext): Op[] {
  if (!ctx.policy.disableUserns) return [];
  if (!unshares(ctx, "user") || !unshares(ctx, "mount")) {
    throw policyErrorAt(ctx, "/disableUserns", "disableUserns needs the user and mount namespaces (namespaces.user and namespaces.mount must not be false)");
  }
  return [op(OpType.DisableUserns, ctx.originOf("/disableUserns"))];
}

export function compileAssertUserns(ctx: CompileContext): Op[] {
  if (!ctx.policy.assertUsernsDisabled) return [];
  if (!unshares(ctx, "mount")) throw policyErrorAt(ctx, "/assertUsernsDisabled", "assertUsernsDisabled needs the mount namespace");
  return [op(OpType.AssertNoUserns, ctx.originOf("/assertUsernsDisabled"))];
}

/** A raw program from the policy, checked as the helper and the kernel will check it. */
export function rawSeccompProgram(ctx: CompileContext, index: number): Buffer {
  const text = ctx.policy.seccompPrograms![index]!;
  const bytes = Buffer.from(text, "base64");
  const at = `/seccompPrograms/${index}`;
  if (bytes.length === 0 || bytes.length % 8 !== 0) throw policyErrorAt(ctx, at, `a seccomp program is a whole number of 8-byte instructions, got ${bytes.length} bytes`);
  if (bytes.length / 8 > MAX_INSNS) throw policyErrorAt(ctx, at, `a seccomp program has at most ${MAX_INSNS} instructions, got ${bytes.length / 8}`);
  return bytes;
}

/** The compiled filter first, then each raw program in order: the kernel runs them all, the strictest result wins. */
export function compileSeccompLoad(ctx: CompileContext): Op[] {
  const compiled = ctx.seccompProgram.length ? [op(OpType.Seccomp, ctx.originOf("/seccomp"), [ctx.seccompProgram])] : [];
  const raw = (ctx.policy.seccompPrograms ?? []).map((_, i) => op(OpType.Seccomp, ctx.originOf(`/seccompPrograms/${i}`), [rawSeccompProgram(ctx, i)]));
  return [...compiled, ...raw];
}

/** Ops whose first item is an inherited fd the helper uses. */
function namesFd(type: OpType, flags: number): boolean {
  return type === OpType.BindFd || type === OpType.InfoFd || type === OpType.SyncFd || type === OpType.BlockFd ||
    type === OpType.SetnsUser || type === OpType.SetnsPid || type === OpType.Userns2 || type === OpType.UsernsBlockFd ||
    (type === OpType.Status && (flags & STATUS_FD) !== 0);
}

/** Every inherited fd these ops name: they must stay open for the helper. */
export function fdsNamed(ops: readonly Op[]): number[] {
  const fds = new Set<number>();
  for (const o of ops) {
    const item = o.items[0];
    if (namesFd(o.type, o.flags) && typeof item === "bigint") fds.add(Number(item));
  }
  return [...fds];
}

/** Every inherited fd a plan names: they must stay open across the exec of the helper. */
export function fdsNamedBy(plan: Buffer): number[] {
  const fds = new Set<number>();
  for (const o of planItems(plan)) {
    const item = o.items[0];
    if (namesFd(o.type, o.flags) && item?.length === 8) fds.add(Number(new DataView(item.buffer, item.byteOffset, 8).getBigUint64(0, true)));
  }
  return [...fds];
}
