// Capabilities: names, numbers, and the op that drops everything the policy does not keep.

import { policyErrorAt, type CompileContext } from "./context.js";
import { op, OpType, type Op } from "./ops.js";

/** Linux capability numbers (linux/capability.h). */
export const CAPABILITIES: Record<string, number> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_DAC_READ_SEARCH: 2, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5,
  CAP_SETGID: 6, CAP_SETUID: 7, CAP_SETPCAP: 8, CAP_LINUX_IMMUTABLE: 9, CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11, CAP_NET_ADMIN: 12, CAP_NET_RAW: 13, CAP_IPC_LOCK: 14, CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16, CAP_SYS_RAWIO: 17, CAP_SYS_CHROOT: 18, CAP_SYS_PTRACE: 19, CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21, CAP_SYS_BOOT: 22, CAP_SYS_NICE: 23, CAP_SYS_RESOURCE: 24, CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26, CAP_MKNOD: 27, CAP_LEASE: 28, CAP_AUDIT_WRITE: 29, CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31, CAP_MAC_OVERRIDE: 32, CAP_MAC_ADMIN: 33, CAP_SYSLOG: 34, CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36, CAP_AUDIT_READ: 37, CAP_PERFMON: 38, CAP_BPF: 39, CAP_CHECKPOINT_RESTORE: 40,
};

/** "net_bind_service", "CAP_NET_BIND_SERVICE" and "ALL" are accepted, as bwrap's --cap-add does. */
export function capabilityNumbers(names: readonly string[]): number[] | string {
  const out: number[] = [];
  for (const raw of names) {
    const name = raw.toUpperCase().startsWith("CAP_") ? raw.toUpperCase() : `CAP_${raw.toUpperCase()}`;
    if (name === "CAP_ALL") return Object.values(CAPABILITIES);
    const n = CAPABILITIES[name];
    if (n === undefined) return raw;
    out.push(n);
  }
  return out;
}

export function compileCaps(ctx: CompileContext): Op[] {
  const keep = ctx.policy.capabilities?.keep ?? [];
  const nums = capabilityNumbers(keep);
  if (typeof nums === "string") {
    const i = keep.indexOf(nums);
    throw policyErrorAt(ctx, `/capabilities/keep/${i}`, `unknown capability "${nums}" (expected a name like CAP_NET_BIND_SERVICE)`);
  }
  const mask = nums.reduce((m, n) => m | (1n << BigInt(n)), 0n);
  return [op(OpType.Caps, ctx.originOf("/capabilities"), [mask])];
}
