// The mount namespace: a private tree, a new root, the policy's mounts in order, pivot_root.

import type { Mount } from "../policy/types.js";
import { policyErrorAt, unshares, type CompileContext } from "./context.js";
import { BIND_DEV, BIND_RW, BIND_TRY, MNT_RO, OVERLAY_RO, OVERLAY_TMP, op, OpType, type Op } from "./ops.js";
import { parseMode, parseSize } from "./units.js";

/** One policy mount as ops; `at` is its pointer in the merged policy. */
function compileMount(ctx: CompileContext, m: Mount, at: string): Op[] {
  const origin = ctx.originOf(at);
  const convert = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw policyErrorAt(ctx, `${at}/${what}`, (e as Error).message);
    }
  };
  switch (m.type) {
    case "bind": {
      const dst = m.dst ?? m.src;
      if (!m.optional && !ctx.hostPathExists(m.src)) {
        const fromFlag = ctx.whereOf(at).file?.startsWith("command line") ?? false;
        const hint = fromFlag ? "use the flag's -try form to skip it" : 'mark the mount "optional": true to skip it';
        throw policyErrorAt(ctx, `${at}/src`, `bind source ${m.src} does not exist (${hint})`);
      }
      const flags = (m.rw ? BIND_RW : 0) | (m.optional ? BIND_TRY : 0) | (m.dev ? BIND_DEV : 0);
      return [op(OpType.Bind, origin, [m.src, dst], flags)];
    }
    case "tmpfs": {
      const size = m.size === undefined ? 0n : convert("size", () => parseSize(m.size!));
      const mode = convert("mode", () => parseMode(m.mode, 0o755));
      return [op(OpType.Tmpfs, origin, [m.dst, size, BigInt(mode)], m.ro ? MNT_RO : 0)];
    }
    case "proc":
      // A fresh proc shows the PID namespace it is mounted from; with the host's PID namespace shared
      // the kernel may refuse a new instance (a partly masked /proc), so the host's is bound, as bwrap does.
      // A joined PID namespace (fds.pidns) gets a fresh instance: its processes are the sandbox's.
      return unshares(ctx, "pid") || ctx.policy.fds?.pidns !== undefined ? [op(OpType.Proc, origin, [m.dst])] : [op(OpType.Bind, origin, ["/proc", m.dst], BIND_RW)];
    case "dev":
      return [op(OpType.Dev, origin, [m.dst])];
    case "mqueue":
      return [op(OpType.Mqueue, origin, [m.dst])];
    case "dir":
      return [op(OpType.Dir, origin, [m.dst, BigInt(convert("mode", () => parseMode(m.mode, 0o755)))])];
    case "symlink":
      return [op(OpType.Symlink, origin, [m.target, m.dst])];
    case "file": {
      const mode = convert("mode", () => parseMode(m.mode, 0o644));
      return [op(OpType.File, origin, [m.dst, Buffer.from(m.content, "utf8"), BigInt(mode)], m.ro ? MNT_RO : 0)];
    }
    case "remount-ro":
      return [op(OpType.RemountRo, origin, [m.dst])];
    case "chmod":
      return [op(OpType.Chmod, origin, [m.dst, BigInt(convert("mode", () => parseMode(m.mode, 0o755)))])];
    case "bind-fd":
      return [op(OpType.BindFd, origin, [BigInt(m.fd), m.dst], m.rw ? BIND_RW : 0)];
    case "overlay": {
      for (const [i, lower] of m.lower.entries()) {
        if (!ctx.hostPathExists(lower)) throw policyErrorAt(ctx, `${at}/lower/${i}`, `overlay lower directory ${lower} does not exist`);
      }
      const flags = m.tmp ? OVERLAY_TMP : m.upper === undefined ? OVERLAY_RO : 0;
      return [op(OpType.Overlay, origin, [m.dst, m.upper ?? "", m.work ?? "", ...m.lower], flags)];
    }
  }
}

/** Everything between MOUNT_PRIVATE and PIVOT_ROOT, in policy order. */
export function compileMounts(ctx: CompileContext): Op[] {
  if (!unshares(ctx, "mount")) {
    if (ctx.policy.mounts?.length) throw policyErrorAt(ctx, "/mounts", "mounts need the mount namespace (namespaces.mount is false)");
    return [];
  }
  const ops: Op[] = [op(OpType.MountPrivate, ctx.originOf("/namespaces/mount"))];
  if (ctx.policy.root !== undefined) {
    if (!ctx.hostPathExists(ctx.policy.root)) throw policyErrorAt(ctx, "/root", `root directory ${ctx.policy.root} does not exist`);
    ops.push(op(OpType.RootDir, ctx.originOf("/root"), [ctx.policy.root]));
  } else {
    ops.push(op(OpType.RootTmpfs, ctx.originOf("/mounts"), [0n]));
  }
  (ctx.policy.mounts ?? []).forEach((m, i) => ops.push(...compileMount(ctx, m, `/mounts/${i}`)));
  ops.push(op(OpType.PivotRoot, ctx.originOf("/mounts")));
  return ops;
}
