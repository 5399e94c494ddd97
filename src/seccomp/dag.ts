// Decision nodes, hash-consed so that equal subtrees (shared tails) exist, and are emitted, once.
import { BPF } from "./bpf.js";

export interface RetNode { id: number; kind: "ret"; k: number }
export interface JmpNode {
  id: number;
  kind: "jmp";
  /** seccomp_data offset loaded into A first; undefined when A already holds the value. */
  load: number | undefined;
  /** A &= and, after the load. */
  and: number | undefined;
  code: number;
  k: number;
  t: Node;
  f: Node;
}
export type Node = RetNode | JmpNode;

export class Dag {
  private readonly memo = new Map<string, Node>();
  private next = 0;

  ret(k: number): Node {
    const key = `r${k >>> 0}`;
    let n = this.memo.get(key);
    if (!n) this.memo.set(key, (n = { id: this.next++, kind: "ret", k: k >>> 0 }));
    return n;
  }

  jmp(load: number | undefined, and: number | undefined, code: number, k: number, t: Node, f: Node): Node {
    // A test whose outcomes agree is no test; keep it only when a successor relies on its load.
    if (t === f && (load === undefined || t.kind === "ret" || t.load !== undefined) && and === undefined) return t;
    // After "ld X" with no mask, A already holds X: a successor's own "ld X" can go.
    if (load !== undefined && and === undefined) {
      t = this.withoutLoad(t, load);
      f = this.withoutLoad(f, load);
    }
    const key = `j${load}|${and}|${code}|${k >>> 0}|${t.id}|${f.id}`;
    let n = this.memo.get(key);
    if (!n) this.memo.set(key, (n = { id: this.next++, kind: "jmp", load, and, code, k: k >>> 0, t, f }));
    return n;
  }

  private withoutLoad(n: Node, load: number): Node {
    return n.kind === "jmp" && n.load === load ? this.jmp(undefined, n.and, n.code, n.k, n.t, n.f) : n;
  }

  /** Equality of a loaded word under a mask, with the cheap special cases. */
  maskedEq(load: number, mask: number, value: number, t: Node, f: Node): Node {
    mask >>>= 0; value >>>= 0;
    if ((value & ~mask) !== 0) return f;
    if (mask === 0) return t;
    if (mask === 0xffffffff) return this.jmp(load, undefined, BPF.JEQ_K, value, t, f);
    if (value === 0) return this.jmp(load, undefined, BPF.JSET_K, mask, f, t);
    if (value === mask && (mask & (mask - 1)) === 0) return this.jmp(load, undefined, BPF.JSET_K, mask, t, f);
    return this.jmp(load, mask, BPF.JEQ_K, value, t, f);
  }
}
