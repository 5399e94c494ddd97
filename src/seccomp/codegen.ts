// Chains and syscall-number ranges to decision nodes: argument tests, binary search, arch dispatch.
import { BPF, DATA, RET } from "./bpf.js";
import type { Chain } from "./decide.js";
import { Dag, type Node } from "./dag.js";
import type { ArgCondAt } from "./ir.js";

const lo32 = (v: bigint): number => Number(v & 0xffffffffn);
const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);

/** Unsigned "arg > v" (or >= when `orEqual`) on the argument's kernel width. */
function greater(dag: Dag, c: ArgCondAt, v: bigint, orEqual: boolean, t: Node, f: Node): Node {
  const code = orEqual ? BPF.JGE_K : BPF.JGT_K;
  const lo = DATA.argLo(c.index);
  if (orEqual && v === 0n) return t;
  if (c.width === 16) return dag.jmp(lo, 0xffff, code, lo32(v), t, f);
  if (c.width === 32) return dag.jmp(lo, undefined, code, lo32(v), t, f);
  // 64 bits: decided by the high half unless it is equal, then by the low half.
  const low = dag.jmp(lo, undefined, code, lo32(v), t, f);
  const hiEq = dag.jmp(undefined, undefined, BPF.JEQ_K, hi32(v), low, f);
  return dag.jmp(DATA.argHi(c.index), undefined, BPF.JGT_K, hi32(v), t, hiEq);
}

function equal(dag: Dag, c: ArgCondAt, mask: bigint, t: Node, f: Node): Node {
  const lo = DATA.argLo(c.index);
  const m = c.width === 16 ? mask & 0xffffn : mask;
  if (c.width !== 64) return dag.maskedEq(lo, lo32(m), lo32(c.value), t, f);
  const low = dag.maskedEq(lo, lo32(m), lo32(c.value), t, f);
  return dag.maskedEq(DATA.argHi(c.index), hi32(m), hi32(c.value), low, f);
}

/** One argument test: t when it holds, f otherwise. */
export function condNode(dag: Dag, c: ArgCondAt, t: Node, f: Node): Node {
  const all = (1n << 64n) - 1n;
  switch (c.op) {
    case "==": return equal(dag, c, all, t, f);
    case "!=": return equal(dag, c, all, f, t);
    case "&==": return equal(dag, c, c.mask, t, f);
    case ">": return greater(dag, c, c.value, false, t, f);
    case ">=": return greater(dag, c, c.value, true, t, f);
    case "<": return greater(dag, c, c.value, true, f, t);
    case "<=": return greater(dag, c, c.value, false, f, t);
  }
}

export function chainNode(dag: Dag, chain: Chain): Node {
  let node = dag.ret(chain.fallback);
  for (let i = chain.entries.length - 1; i >= 0; i--) {
    const e = chain.entries[i]!;
    const hit = dag.ret(e.action);
    node = e.conds.reduceRight((next, c) => condNode(dag, c, next, node), hit);
  }
  return node;
}

/** A number with no leaf of its own gets the node of the last segment starting at or below it. */
export interface Segment {
  from: number;
  node: Node;
}

/**
 * Binary search over nr; the root loads nr, the tests below it keep using A. The split balances
 * weight rather than count: each range weighs 1 plus the `hot` weight of the numbers in it, so
 * frequent syscalls sit near the root.
 */
export function searchNode(dag: Dag, leaves: Map<number, Node>, segments: Segment[], hot: Map<number, number> = new Map()): Node {
  const ranges: { lo: number; node: Node }[] = [];
  const push = (lo: number, node: Node): void => {
    if (ranges.at(-1)?.node !== node) ranges.push({ lo, node });
  };
  const otherAt = (nr: number): Node => segments.filter((s) => s.from <= nr).at(-1)!.node;
  const points = [...leaves.keys(), ...segments.map((s) => s.from)].sort((a, b) => a - b);
  for (const [i, nr] of points.entries()) {
    if (i > 0 && points[i - 1] === nr) continue;
    push(nr, leaves.get(nr) ?? otherAt(nr));
    if (nr < 0xffffffff && !leaves.has(nr + 1) && !segments.some((s) => s.from === nr + 1)) push(nr + 1, otherAt(nr + 1));
  }
  const weight = ranges.map((r, i) => {
    const end = ranges[i + 1]?.lo ?? 0x100000000;
    let w = 1;
    for (const [nr, h] of hot) if (nr >= r.lo && nr < end) w += h;
    return w;
  });
  const before = [0];
  for (const w of weight) before.push(before.at(-1)! + w);
  const build = (i: number, j: number, load: number | undefined): Node => {
    if (i === j) return ranges[i]!.node;
    let mid = i + 1, best = Infinity;
    for (let m = i + 1; m <= j; m++) {
      const d = Math.abs(before[m]! - before[i]! - (before[j + 1]! - before[m]!));
      if (d < best) { best = d; mid = m; }
    }
    return dag.jmp(load, undefined, BPF.JGE_K, ranges[mid]!.lo, build(mid, j, undefined), build(i, mid - 1, undefined));
  };
  return build(0, ranges.length - 1, DATA.nr);
}

/** The whole program: check seccomp_data.arch first, then search that arch's numbers. */
export function archDispatch(dag: Dag, arches: { audit: number; node: Node }[]): Node {
  let node = dag.ret(RET.KILL_PROCESS); // an arch this filter does not know is killed
  for (let i = arches.length - 1; i >= 0; i--) {
    node = dag.jmp(i === 0 ? DATA.arch : undefined, undefined, BPF.JEQ_K, arches[i]!.audit, arches[i]!.node, node);
  }
  return node;
}
