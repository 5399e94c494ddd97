// The compiler's input after parsing: ordered rules with resolved actions, names and 64-bit values.
import type { Abi } from "./abi.js";

export type CmpOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "&==";
export const CMP_OPS: readonly CmpOp[] = ["==", "!=", "<", "<=", ">", ">=", "&=="];

/** One argument test; value and mask are 64-bit two's-complement bits, not yet cut to a width. */
export interface ArgCond {
  index: number;
  op: CmpOp;
  value: bigint;
  /** Only for "&==": the test is (arg & mask) == value. */
  mask: bigint;
}

export interface IrRule {
  /** SECCOMP_RET_* value. */
  action: number;
  /** Syscall names, groups already expanded. */
  syscalls: string[];
  /** Names the rule spelt out itself (not through a group), for precise warnings. */
  explicit: Set<string>;
  /** All must hold (AND). */
  conds: ArgCond[];
  /** Where the rule came from, for messages: "#/seccomp/rules/3" or "profile.json#/syscalls/5". */
  origin: string;
}

export interface IrFilter {
  defaultAction: number;
  rules: IrRule[];
  /** ABIs the filter admits; a call through any other ABI of the arch is killed. */
  abis: Set<Abi>;
}

export interface ArgCondAt extends ArgCond {
  /** Bits of the argument the kernel uses on this ABI for this syscall. */
  width: 64 | 32 | 16;
}
