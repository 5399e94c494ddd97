// Decision DAG to a linear sock_filter program; jumps too far for 8-bit offsets go through trampolines.
import { BPF, type Insn } from "./bpf.js";
import type { Node } from "./dag.js";

// A conditional jump's offsets are 8-bit; leave room for the two trampolines placed after it.
const NEAR = 253;

/**
 * Lays the DAG out backwards (BPF only jumps forward, so each node goes before its successors),
 * each shared node once. Returns the program in execution order.
 */
export function emitProgram(root: Node): Insn[] {
  const rev: Insn[] = []; // built back to front; a label is rev.length just after its first insn
  const label = new Map<number, number>();
  const push = (code: number, jt: number, jf: number, k: number): number => {
    rev.push({ code, jt, jf, k: k >>> 0 });
    return rev.length;
  };
  // A far target gets a nearby copy when it is a return (as cheap as a jump), else a "ja" to it.
  const near = (n: Node, at: number): number => {
    if (rev.length - at <= NEAR) return at;
    return n.kind === "ret" ? push(BPF.RET_K, 0, 0, n.k) : push(BPF.JA, 0, 0, rev.length - at);
  };
  const place = (n: Node): number => {
    const known = label.get(n.id);
    if (known !== undefined) return known;
    let at: number;
    if (n.kind === "ret") at = push(BPF.RET_K, 0, 0, n.k);
    else {
      place(n.t);
      place(n.f); // placed last, so it usually sits right after the test (offset 0)
      const f = near(n.f, label.get(n.f.id)!);
      const t = near(n.t, label.get(n.t.id)!);
      at = push(n.code, rev.length - t, rev.length - f, n.k);
      if (n.and !== undefined) at = push(BPF.AND_K, 0, 0, n.and);
      if (n.load !== undefined) at = push(BPF.LD_W_ABS, 0, 0, n.load);
    }
    label.set(n.id, at);
    return at;
  };
  place(root);
  return rev.reverse();
}
