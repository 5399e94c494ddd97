// The namespaces other than user: unshared together, owned by the new user namespace.

import { policyErrorAt, unshares, type CompileContext } from "./context.js";
import { needsInit } from "./fds.js";
import { FORK_DIE_WITH_PARENT, op, OpType, type Op } from "./ops.js";

export const CLONE_FLAGS = {
  mount: 0x00020000n,
  uts: 0x04000000n,
  ipc: 0x08000000n,
  net: 0x40000000n,
  pid: 0x20000000n,
  cgroup: 0x02000000n,
} as const;

export function compileNamespaces(ctx: CompileContext): Op[] {
  let flags = 0n;
  for (const [name, bit] of Object.entries(CLONE_FLAGS) as [keyof typeof CLONE_FLAGS, bigint][]) {
    if (unshares(ctx, name)) flags |= bit;
  }
  return flags === 0n ? [] : [op(OpType.Unshare, ctx.originOf("/namespaces"), [flags])];
}

/** A new PID namespace only takes effect for children: fork, and the child becomes PID 1. */
export function compilePidFork(ctx: CompileContext): Op[] {
  // Die with the parent unless the policy explicitly allows the sandbox to outlive nsjail-ts.
  const flags = ctx.policy.dieWithParent === false ? 0 : FORK_DIE_WITH_PARENT;
  const pidns = ctx.policy.fds?.pidns;
  if (pidns !== undefined) {
    // bwrap nests a new PID namespace inside the joined one with one more fork; nsjail-ts has no such step.
    if (unshares(ctx, "pid")) throw policyErrorAt(ctx, "/fds/pidns", "a new PID namespace inside the one of fds.pidns is not supported: set namespaces.pid to false");
    // setns only changes where children are born: the fork's child is the sandbox's first process in it.
    return [op(OpType.SetnsPid, ctx.originOf("/fds/pidns"), [BigInt(pidns)]), op(OpType.ForkPidNs, ctx.originOf("/fds/pidns"), [], flags)];
  }
  if (!unshares(ctx, "pid")) return [];
  return [op(OpType.ForkPidNs, ctx.originOf("/namespaces/pid"), [], flags)];
}

/**
 * PID 1 stays as init (reaps, relays signals); the command runs as its child. Without a PID namespace an
 * init still stays behind when it must hold lock files or the sync fd; with asPid1 there is none.
 */
export function compileSpawn(ctx: CompileContext): Op[] {
  if (ctx.policy.asPid1) {
    if (!unshares(ctx, "pid")) throw policyErrorAt(ctx, "/asPid1", "asPid1 needs the PID namespace (namespaces.pid must not be false)");
    return [];
  }
  if (unshares(ctx, "pid")) return [op(OpType.Spawn, ctx.originOf("/namespaces/pid"))];
  return needsInit(ctx) ? [op(OpType.Spawn, ctx.originOf(ctx.policy.lockFiles?.length ? "/lockFiles" : "/fds/sync"))] : [];
}

export function compileHostname(ctx: CompileContext): Op[] {
  if (!unshares(ctx, "uts")) {
    // Setting the host's own hostname is never what a policy means.
    if (ctx.policy.hostname !== undefined) throw policyErrorAt(ctx, "/hostname", "a hostname needs the UTS namespace (namespaces.uts must not be false)");
    return [];
  }
  return [op(OpType.Hostname, ctx.originOf("/hostname"), [ctx.policy.hostname ?? "nsjail-ts"])];
}

export function compileLoopback(ctx: CompileContext): Op[] {
  return unshares(ctx, "net") ? [op(OpType.LoopbackUp, ctx.originOf("/namespaces/net"))] : [];
}
