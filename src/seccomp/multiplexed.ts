// i386's multiplexers: socketcall(2) and ipc(2) reach the socket and System V IPC calls by number, so a
// rule on socket() alone would not stop i386 code that calls socketcall(SYS_SOCKET, args) instead. An
// unconditional rule on such a call gets a twin on the multiplexer, with the same action, right after it.
// Argument conditions cannot follow: the multiplexers pass the arguments through memory, which seccomp
// cannot read. A restrictive rule with conditions (in a filter that allows by default) gets a warning.
import { RET } from "./bpf.js";
import type { IrFilter, IrRule } from "./ir.js";

/** linux/net.h: socketcall's call numbers. */
const SOCKETCALL: Record<string, number> = {
  socket: 1, bind: 2, connect: 3, listen: 4, accept: 5, getsockname: 6, getpeername: 7, socketpair: 8,
  send: 9, recv: 10, sendto: 11, recvfrom: 12, shutdown: 13, setsockopt: 14, getsockopt: 15, sendmsg: 16,
  recvmsg: 17, accept4: 18, recvmmsg: 19, sendmmsg: 20,
};

/** linux/ipc.h: ipc's call numbers (the kernel reads the low 16 bits; the high ones carry a version). */
const IPC: Record<string, number> = {
  semop: 1, semget: 2, semctl: 3, semtimedop: 4, msgsnd: 11, msgrcv: 12, msgget: 13, msgctl: 14,
  shmat: 21, shmdt: 22, shmget: 23, shmctl: 24,
};

/** The twins of an unconditional rule, but for multiplexer calls an earlier rule already decides. */
function twins(rule: IrRule, decided: Set<string>): IrRule[] {
  const out: IrRule[] = [];
  for (const name of rule.syscalls) {
    const origin = `${rule.origin} (${name} through i386's multiplexer)`;
    const [mux, nr] = name in SOCKETCALL ? ["socketcall", SOCKETCALL[name]!] : name in IPC ? ["ipc", IPC[name]!] : [undefined, 0];
    if (!mux || decided.has(mux) || decided.has(`${mux} ${nr}`)) continue;
    decided.add(`${mux} ${nr}`);
    const cond = mux === "socketcall" ? { index: 0, op: "==" as const, value: BigInt(nr), mask: 0n } : { index: 0, op: "&==" as const, value: BigInt(nr), mask: 0xffffn };
    out.push({ action: rule.action, syscalls: [mux], explicit: new Set(), conds: [cond], origin });
  }
  return out;
}

/** The filter's rules with the multiplexer twins added (only where it admits the i386 ABI), and warnings. */
export function withMultiplexed(filter: IrFilter): { rules: IrRule[]; warnings: string[] } {
  if (!filter.abis.has("i386")) return { rules: filter.rules, warnings: [] };
  const rules: IrRule[] = [];
  const warnings: string[] = [];
  // Multiplexers (or one of their calls) that an earlier unconditional rule decides: first match wins.
  const decided = new Set<string>();
  for (const rule of filter.rules) {
    rules.push(rule);
    if (rule.conds.length === 0) for (const mux of ["socketcall", "ipc"]) if (rule.syscalls.includes(mux)) decided.add(mux);
    const reached = rule.syscalls.filter((n) => n in SOCKETCALL || n in IPC);
    if (reached.length === 0) continue;
    if (rule.conds.length === 0) rules.push(...twins(rule, decided));
    else if (filter.defaultAction === RET.ALLOW && rule.action !== RET.ALLOW) {
      const via = [...new Set(reached.map((n) => (n in SOCKETCALL ? "socketcall(2)" : "ipc(2)")))].join(" and ");
      warnings.push(`${rule.origin}: i386 code can also reach ${reached.join(", ")} through ${via}, where these argument conditions cannot be checked`);
    }
  }
  return { rules, warnings };
}
