// Classic BPF as seccomp uses it: opcodes, the seccomp_data layout, and sock_filter encoding.

/** One struct sock_filter. */
export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const BPF = {
  LD_W_ABS: 0x20,
  LD_H_ABS: 0x28,
  LD_B_ABS: 0x30,
  LD_W_LEN: 0x80,
  LD_IMM: 0x00,
  LD_MEM: 0x60,
  LDX_IMM: 0x01,
  LDX_MEM: 0x61,
  LDX_W_LEN: 0x81,
  ST: 0x02,
  STX: 0x03,
  JA: 0x05,
  JEQ_K: 0x15,
  JGT_K: 0x25,
  JGE_K: 0x35,
  JSET_K: 0x45,
  JEQ_X: 0x1d,
  JGT_X: 0x2d,
  JGE_X: 0x3d,
  JSET_X: 0x4d,
  AND_K: 0x54,
  RET_K: 0x06,
  RET_A: 0x16,
  TAX: 0x07,
  TXA: 0x87,
} as const;

/** The kernel's BPF_MAXINSNS. */
export const MAX_INSNS = 4096;

/** Offsets inside struct seccomp_data (little-endian: an argument's low half comes first). */
export const DATA = {
  nr: 0,
  arch: 4,
  ipLo: 8,
  ipHi: 12,
  argLo: (i: number): number => 16 + 8 * i,
  argHi: (i: number): number => 20 + 8 * i,
  size: 64,
} as const;

export const AUDIT_ARCH = {
  x86_64: 0xc000003e,
  i386: 0x40000003,
  aarch64: 0xc00000b7,
  arm: 0x40000028,
} as const;

/** SECCOMP_RET_* values (the action part is the high 16 bits; data the low 16). */
export const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;
export const RET_ACTION_FULL = 0xffff0000;
export const RET_DATA = 0x0000ffff;

export function encodeProgram(insns: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((ins, i) => {
    buf.writeUInt16LE(ins.code, i * 8);
    buf.writeUInt8(ins.jt, i * 8 + 2);
    buf.writeUInt8(ins.jf, i * 8 + 3);
    buf.writeUInt32LE(ins.k >>> 0, i * 8 + 4);
  });
  return buf;
}

/** Decodes sock_filter[]; returns an error string for a length that is not a multiple of 8. */
export function decodeProgram(buf: Buffer): Insn[] | string {
  if (buf.length % 8 !== 0) return `program length ${buf.length} is not a multiple of 8`;
  const out: Insn[] = [];
  for (let o = 0; o < buf.length; o += 8) {
    out.push({ code: buf.readUInt16LE(o), jt: buf.readUInt8(o + 2), jf: buf.readUInt8(o + 3), k: buf.readUInt32LE(o + 4) });
  }
  return out;
}
