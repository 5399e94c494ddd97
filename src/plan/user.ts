// The user namespace: unshare it first, deny setgroups, map the caller to the inside ids.

import { policyErrorAt, type CompileContext } from "./context.js";
import { op, OpType, type Op } from "./ops.js";

/** Ids the command has inside the sandbox: root by default, as bwrap --uid/--gid otherwise. */
export function insideIds(ctx: CompileContext): { uid: number; gid: number } {
  return { uid: ctx.policy.uid ?? 0, gid: ctx.policy.gid ?? 0 };
}

/** Whether the ids inside come from maps nsjail-ts does not write (an existing namespace, or maps written from outside). */
export function mapsFromOutside(ctx: CompileContext): boolean {
  return ctx.policy.fds?.userns !== undefined || ctx.policy.fds?.usernsBlock !== undefined;
}

export function compileUser(ctx: CompileContext): Op[] {
  if (ctx.policy.namespaces?.user === false) {
    for (const f of ["userns", "userns2", "usernsBlock"] as const) {
      if (ctx.policy.fds?.[f] !== undefined) throw policyErrorAt(ctx, `/fds/${f}`, `fds.${f} needs the user namespace (namespaces.user must not be false)`);
    }
    for (const id of ["uid", "gid"] as const) {
      if (ctx.policy[id] !== undefined) throw policyErrorAt(ctx, `/${id}`, `${id} needs the user namespace (namespaces.user must not be false)`);
    }
    return [];
  }
  const fds = ctx.policy.fds ?? {};
  if (fds.userns !== undefined) {
    if (fds.usernsBlock !== undefined) throw policyErrorAt(ctx, "/fds/usernsBlock", "usernsBlock waits for the maps of a new user namespace, and fds.userns enters an existing one");
    // An existing namespace already has its maps: the caller's ids in it are what the command gets.
    return [op(OpType.SetnsUser, ctx.originOf("/fds/userns"), [BigInt(fds.userns)])];
  }
  if (fds.usernsBlock !== undefined) return [op(OpType.UnshareUser, ctx.originOf("/namespaces/user"))]; // maps: from outside
  const { uid, gid } = insideIds(ctx);
  const at = (p: string) => ctx.originOf(p);
  return [
    op(OpType.UnshareUser, at("/namespaces/user")),
    // An unprivileged process may write a gid_map only after denying setgroups (user_namespaces(7)).
    op(OpType.SetgroupsDeny, at("/namespaces/user")),
    op(OpType.UidMap, at("/uid"), [`${uid} ${ctx.caller.uid} 1\n`]),
    op(OpType.GidMap, at("/gid"), [`${gid} ${ctx.caller.gid} 1\n`]),
  ];
}

/** bwrap --userns-block-fd: once the namespaces exist, say where they are on the info fd and wait for outside maps. */
export function compileUsernsBlock(ctx: CompileContext): Op[] {
  const fds = ctx.policy.fds ?? {};
  if (fds.usernsBlock === undefined) return [];
  if (fds.info === undefined) throw policyErrorAt(ctx, "/fds/usernsBlock", "usernsBlock needs fds.info, which tells the outside process which pid's maps to write");
  return [op(OpType.UsernsBlockFd, ctx.originOf("/fds/usernsBlock"), [BigInt(fds.usernsBlock)])];
}

/** bwrap --userns2: once the mounts are built, switch into a descendant of the sandbox's user namespace. */
export function compileUserns2(ctx: CompileContext): Op[] {
  const fd = ctx.policy.fds?.userns2;
  return fd === undefined ? [] : [op(OpType.Userns2, ctx.originOf("/fds/userns2"), [BigInt(fd)])];
}
