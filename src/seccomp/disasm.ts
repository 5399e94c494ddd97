// Human-readable listing of a seccomp program, with jump targets as absolute instruction numbers.
import { AUDIT_ARCH, DATA, type Insn } from "./bpf.js";
import { describeAction } from "./actions.js";

const FIELD: Record<number, string> = { [DATA.nr]: "nr", [DATA.arch]: "arch", [DATA.ipLo]: "ip.lo", [DATA.ipHi]: "ip.hi" };
for (let i = 0; i < 6; i++) { FIELD[DATA.argLo(i)] = `arg${i}.lo`; FIELD[DATA.argHi(i)] = `arg${i}.hi`; }
const ARCH_NAME = new Map<number, string>(Object.entries(AUDIT_ARCH).map(([n, v]) => [v, n]));

const hex = (k: number): string => `0x${(k >>> 0).toString(16)}`;
const JMP: Record<number, string> = { 0x10: "jeq", 0x20: "jgt", 0x30: "jge", 0x40: "jset" };
const ALU: Record<number, string> = { 0x00: "add", 0x10: "sub", 0x20: "mul", 0x30: "div", 0x40: "or", 0x50: "and", 0x60: "lsh", 0x70: "rsh", 0x80: "neg", 0x90: "mod", 0xa0: "xor" };

export function disasmInsn(ins: Insn, pc: number): string {
  const cls = ins.code & 0x07, src = ins.code & 0x08 ? "x" : hex(ins.k);
  switch (cls) {
    case 0x00: case 0x01: {
      const r = cls === 0x00 ? "ld" : "ldx", mode = ins.code & 0xe0;
      if (mode === 0x00) return `${r} ${hex(ins.k)}`;
      if (mode === 0x60) return `${r} M[${ins.k}]`;
      if (mode === 0x80) return `${r} len`;
      const size = ins.code & 0x18, w = size === 0x00 ? "" : size === 0x08 ? "h" : "b";
      return `${r}${w} [${ins.k}]${FIELD[ins.k] ? `  ; ${FIELD[ins.k]}` : ""}`;
    }
    case 0x02: return `st M[${ins.k}]`;
    case 0x03: return `stx M[${ins.k}]`;
    case 0x04: return `${ALU[ins.code & 0xf0] ?? "alu?"} ${src}`;
    case 0x05: {
      if ((ins.code & 0xf0) === 0) return `ja ${pc + 1 + ins.k}`;
      const arch = ARCH_NAME.get(ins.k >>> 0);
      return `${JMP[ins.code & 0xf0] ?? "j?"} ${src} ? ${pc + 1 + ins.jt} : ${pc + 1 + ins.jf}${arch && !(ins.code & 0x08) ? `  ; ${arch}` : ""}`;
    }
    case 0x06: return (ins.code & 0x18) === 0x10 ? "ret a" : `ret ${describeAction(ins.k)}`;
    default: return (ins.code & 0xf8) === 0 ? "tax" : "txa";
  }
}

export function disassemble(prog: readonly Insn[]): string {
  const width = String(prog.length).length;
  return prog.map((ins, pc) => `${String(pc).padStart(width)}: ${disasmInsn(ins, pc)}`).join("\n");
}
