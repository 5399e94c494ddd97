// Filter actions: the policy's spelling ("errno:EPERM") to SECCOMP_RET_* values and back.
import { ERRNOS } from "./data/errnos.js";
import { RET, RET_ACTION_FULL, RET_DATA } from "./bpf.js";

const SIMPLE: Record<string, number> = {
  allow: RET.ALLOW,
  log: RET.LOG,
  trap: RET.TRAP,
  "kill-thread": RET.KILL_THREAD,
  "kill-process": RET.KILL_PROCESS,
  notify: RET.USER_NOTIF,
  trace: RET.TRACE,
  // Short spellings: errno alone means EPERM (as in Docker profiles), kill means the whole process.
  errno: (RET.ERRNO | 1) >>> 0,
  kill: RET.KILL_PROCESS,
};

export const ACTION_NAMES = [...Object.keys(SIMPLE), "errno:NAME", "errno:N", "trace:N"];

const errnoName = new Map<number, string>();
for (const [name, n] of Object.entries(ERRNOS)) if (!errnoName.has(n)) errnoName.set(n, name);

/** Parses an errno given by name or number (0..4095, the kernel's SECCOMP_RET_DATA limit for errno). */
export function parseErrno(s: string): number | string {
  const n = /^\d+$/.test(s) ? Number(s) : ERRNOS[s];
  if (n === undefined) return `unknown errno ${JSON.stringify(s)} (expected a name like EPERM or a number)`;
  if (n > 4095) return `errno ${s} is out of range (0..4095)`;
  return n;
}

/** Parses "allow", "errno:EPERM", "trace:7" …; returns the SECCOMP_RET value or an error message. */
export function parseAction(s: string): number | string {
  const simple = SIMPLE[s];
  if (simple !== undefined) return simple;
  const m = /^(errno|trace):(.+)$/.exec(s);
  if (m?.[1] === "errno") {
    const e = parseErrno(m[2]!);
    return typeof e === "string" ? e : (RET.ERRNO | e) >>> 0;
  }
  if (m?.[1] === "trace") {
    const n = /^\d+$/.test(m[2]!) ? Number(m[2]) : NaN;
    return n >= 0 && n <= RET_DATA ? (RET.TRACE | n) >>> 0 : `trace data ${JSON.stringify(m[2])} must be 0..65535`;
  }
  return `unknown action ${JSON.stringify(s)} (expected one of ${ACTION_NAMES.join(", ")})`;
}

/** The policy spelling of a SECCOMP_RET value. */
export function describeAction(ret: number): string {
  const action = (ret & RET_ACTION_FULL) >>> 0, data = ret & RET_DATA;
  switch (action) {
    case RET.KILL_PROCESS: return "kill-process";
    case RET.KILL_THREAD: return "kill-thread";
    case RET.TRAP: return data ? `trap:${data}` : "trap";
    case RET.ERRNO: return `errno:${errnoName.get(data) ?? data}`;
    case RET.USER_NOTIF: return "notify";
    case RET.TRACE: return data ? `trace:${data}` : "trace";
    case RET.LOG: return "log";
    case RET.ALLOW: return "allow";
    default: return `unknown(0x${(ret >>> 0).toString(16)})`;
  }
}
