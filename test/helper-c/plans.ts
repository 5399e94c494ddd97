// Plans for the helper tests, built op by op in the order the TypeScript compiler emits them.

import { BIND_RW, FORK_DIE_WITH_PARENT, op, OpType as T, type Op } from "../../src/plan/ops.js";
import { encodePlan } from "../../src/plan/wire.js";

export const CLONE = {
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;
export const ALL_NS = BigInt(Object.values(CLONE).reduce((a, b) => a | b, 0));

export const CAP_SYS_ADMIN = 21;

export interface SandboxOpts {
  uid: number;
  gid: number;
  argv: string[];
  /** Mount ops placed after the system binds, before pivot_root. */
  mounts?: Op[];
  /** Ops before unshare-user (join-cgroup, time-limit). */
  early?: Op[];
  /** Ops between the last setup step and exec (seccomp, rlimit...). */
  late?: Op[];
  env?: string[];
  hostname?: string;
  lockMounts?: boolean;
  spawn?: boolean;
  keepCaps?: bigint;
  setIds?: [number, number];
  cwd?: string;
  /** The id the caller maps to inside (default 0, root). */
  insideId?: number;
}

/** The usual system binds of a sandbox: /usr read-only with its merged-/usr links, /etc, tmp, proc, dev. */
export function systemMounts(): Op[] {
  return [
    op(T.Bind, "test#/mounts/usr", ["/usr", "/usr"]),
    op(T.Symlink, "test#/mounts/bin", ["usr/bin", "/bin"]),
    op(T.Symlink, "test#/mounts/sbin", ["usr/sbin", "/sbin"]),
    op(T.Symlink, "test#/mounts/lib", ["usr/lib", "/lib"]),
    op(T.Symlink, "test#/mounts/lib64", ["usr/lib64", "/lib64"]),
    op(T.Bind, "test#/mounts/etc", ["/etc", "/etc"]),
    op(T.Tmpfs, "test#/mounts/tmp", ["/tmp", 0n, 0o1777n]),
    op(T.Proc, "test#/mounts/proc", ["/proc"]),
    op(T.Dev, "test#/mounts/dev", ["/dev"]),
  ];
}

/** Every namespace, a tmpfs root, init as PID 1, then the command. */
export function sandboxOps(o: SandboxOpts): Op[] {
  const ops: Op[] = [
    ...(o.early ?? []),
    op(T.UnshareUser, "test#/namespaces/user"),
    op(T.SetgroupsDeny, "test#/user"),
    op(T.UidMap, "test#/user/uid", [`${o.insideId ?? 0} ${o.uid} 1`]),
    op(T.GidMap, "test#/user/gid", [`${o.insideId ?? 0} ${o.gid} 1`]),
    op(T.Unshare, "test#/namespaces", [ALL_NS]),
    op(T.ForkPidNs, "test#/namespaces/pid", [], FORK_DIE_WITH_PARENT),
    op(T.MountPrivate, "test#/mounts"),
    op(T.RootTmpfs, "test#/root", [0n]),
    ...systemMounts(),
    ...(o.mounts ?? []),
    op(T.PivotRoot, "test#/root"),
    op(T.Hostname, "test#/hostname", [o.hostname ?? "nsjail-ts-test"]),
    op(T.LoopbackUp, "test#/namespaces/net"),
  ];
  if (o.spawn !== false) ops.push(op(T.Spawn, "test#/init"));
  ops.push(op(T.Setsid, "test#/setsid"));
  ops.push(op(T.Chdir, "test#/cwd", [o.cwd ?? "/tmp"]));
  if (o.lockMounts !== false) ops.push(op(T.LockMounts, "test#/lock"));
  if (o.setIds) ops.push(op(T.SetIds, "test#/user/ids", [BigInt(o.setIds[0]), BigInt(o.setIds[1])]));
  ops.push(op(T.CloseFds, "test#/fds"));
  ops.push(op(T.Caps, "test#/caps", [o.keepCaps ?? 0n]));
  ops.push(op(T.NoNewPrivs, "test#/nnp"));
  ops.push(...(o.late ?? []));
  ops.push(op(T.Env, "test#/env", o.env ?? ["PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C"]));
  ops.push(op(T.Exec, "test#/command", o.argv));
  return ops;
}

export const sandboxPlan = (o: SandboxOpts): Buffer => encodePlan(sandboxOps(o));

/** A plan that only runs a command, with no namespace at all. */
export const bareExecPlan = (argv: string[]): Buffer => encodePlan([op(T.Exec, "test#/command", argv)]);

export { BIND_RW, op, T };
