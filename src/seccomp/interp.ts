// A classic-BPF interpreter over struct seccomp_data: runs our programs and libseccomp's alike.
import { DATA, type Insn } from "./bpf.js";

/** What the kernel hands a filter for one syscall. Arguments are raw 64-bit register values. */
export interface SeccompData {
  nr: number;
  arch: number;
  ip?: bigint;
  args?: readonly bigint[];
}

export interface RunResult {
  /** The filter's return value (SECCOMP_RET_*), or undefined when the program is invalid. */
  ret: number | undefined;
  /** Instructions executed, the return included. */
  steps: number;
  error?: string;
}

export function seccompDataBytes(d: SeccompData): Buffer {
  const b = Buffer.alloc(DATA.size);
  b.writeUInt32LE(d.nr >>> 0, DATA.nr);
  b.writeUInt32LE(d.arch >>> 0, DATA.arch);
  b.writeBigUInt64LE(BigInt.asUintN(64, d.ip ?? 0n), DATA.ipLo);
  (d.args ?? []).slice(0, 6).forEach((a, i) => b.writeBigUInt64LE(BigInt.asUintN(64, a), DATA.argLo(i)));
  return b;
}

function alu(op: number, a: number, v: number): number | undefined {
  switch (op) {
    case 0x00: return (a + v) >>> 0;
    case 0x10: return (a - v) >>> 0;
    case 0x20: return Math.imul(a, v) >>> 0;
    case 0x30: return v === 0 ? undefined : Math.floor(a / v) >>> 0;
    case 0x40: return (a | v) >>> 0;
    case 0x50: return (a & v) >>> 0;
    case 0x60: return v >= 32 ? 0 : (a << v) >>> 0;
    case 0x70: return v >= 32 ? 0 : a >>> v;
    case 0x80: return -a >>> 0;
    case 0x90: return v === 0 ? undefined : a % v >>> 0;
    case 0xa0: return (a ^ v) >>> 0;
    default: return undefined;
  }
}

function jump(op: number, a: number, v: number): boolean | undefined {
  switch (op) {
    case 0x10: return a === v;
    case 0x20: return a > v;
    case 0x30: return a >= v;
    case 0x40: return (a & v) !== 0;
    default: return undefined;
  }
}

/** Runs a program the way the kernel's classic BPF engine would. */
export function runFilter(prog: readonly Insn[], data: SeccompData | Buffer, maxSteps = 1 << 20): RunResult {
  const mem = Buffer.isBuffer(data) ? data : seccompDataBytes(data);
  const scratch = new Uint32Array(16);
  let a = 0, x = 0, pc = 0, steps = 0;
  const bad = (error: string): RunResult => ({ ret: undefined, steps, error: `insn ${pc}: ${error}` });
  while (steps < maxSteps) {
    if (pc >= prog.length) return bad("fell off the end of the program");
    const ins = prog[pc]!;
    steps++;
    const cls = ins.code & 0x07;
    const src = ins.code & 0x08 ? x : ins.k >>> 0;
    switch (cls) {
      case 0x00: case 0x01: { // LD, LDX
        const mode = ins.code & 0xe0, size = ins.code & 0x18;
        let v: number;
        if (mode === 0x00) v = ins.k >>> 0;
        else if (mode === 0x60) { if (ins.k > 15) return bad("bad scratch slot"); v = scratch[ins.k]!; }
        else if (mode === 0x80) v = DATA.size;
        else if (mode === 0x20 && cls === 0x00) {
          const n = size === 0x00 ? 4 : size === 0x08 ? 2 : 1;
          if (ins.k + n > DATA.size) return bad(`load beyond seccomp_data (offset ${ins.k})`);
          v = n === 4 ? mem.readUInt32LE(ins.k) : n === 2 ? mem.readUInt16LE(ins.k) : mem.readUInt8(ins.k);
        } else return bad(`unsupported load 0x${ins.code.toString(16)}`);
        if (cls === 0x00) a = v; else x = v;
        pc++;
        break;
      }
      case 0x02: case 0x03: // ST, STX
        if (ins.k > 15) return bad("bad scratch slot");
        scratch[ins.k] = cls === 0x02 ? a : x;
        pc++;
        break;
      case 0x04: { // ALU
        const r = alu(ins.code & 0xf0, a, src);
        if (r === undefined) return bad(`bad ALU op 0x${ins.code.toString(16)}`);
        a = r;
        pc++;
        break;
      }
      case 0x05: { // JMP
        if ((ins.code & 0xf0) === 0x00) { pc += 1 + ins.k; break; }
        const taken = jump(ins.code & 0xf0, a, src);
        if (taken === undefined) return bad(`bad jump op 0x${ins.code.toString(16)}`);
        pc += 1 + (taken ? ins.jt : ins.jf);
        break;
      }
      case 0x06: // RET
        return { ret: ((ins.code & 0x18) === 0x10 ? a : ins.k) >>> 0, steps };
      case 0x07: // MISC
        if ((ins.code & 0xf8) === 0x00) x = a; else a = x;
        pc++;
        break;
    }
  }
  return bad("step limit reached");
}
