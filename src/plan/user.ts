// The user namespace: unshare it first, deny setgroups, map the caller to the inside ids.

import { policyErrorAt, type CompileContext } from "./context.js";
import { op, OpType, type Op } from "./ops.js";

/** Ids the command has inside the sandbox: root by default, as bwrap --uid/--gid otherwise. */
export function insideIds(ctx: CompileContext): { uid: number; gid: number } {
  return { uid: ctx.policy.uid ?? 0, gid: ctx.policy.gid ?? 0 };
}

export function compileUser(ctx: CompileContext): Op[] {
  if (ctx.policy.namespaces?.user === false) {
    for (const id of ["uid", "gid"] as const) {
      if (ctx.policy[id] !== undefined) throw policyErrorAt(ctx, `/${id}`, `${id} needs the user namespace (namespaces.user must not be false)`);
    }
    return [];
  }
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
