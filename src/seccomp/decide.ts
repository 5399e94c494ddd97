// Per ABI and syscall number: the ordered decision chain the rules imply, cut to the kernel's widths.
import { argWidth, syscallNumber, type Abi } from "./abi.js";
import type { ArgCondAt, IrFilter, IrRule } from "./ir.js";

export interface ChainEntry {
  conds: ArgCondAt[];
  action: number;
}
/** Entries tried in order; `fallback` when none matches. */
export interface Chain {
  entries: ChainEntry[];
  fallback: number;
}

const maskOf = (w: number): bigint => (1n << BigInt(w)) - 1n;

/** Both the constant and the mask are cut to what the kernel keeps of the argument. */
function atWidth(abi: Abi, name: string, rule: IrRule): ArgCondAt[] {
  return rule.conds.map((c) => {
    const width = argWidth(abi, name, c.index);
    return { ...c, width, value: c.value & maskOf(width), mask: c.mask & maskOf(width) };
  });
}

const condKey = (c: ArgCondAt): string => `${c.index}${c.op}${c.value}/${c.mask}/${c.width}`;

/** Which earlier rule shadows a rule for one (ABI, syscall), if any. */
export type Shadow = Map<IrRule, Map<string, Set<IrRule>>>;

/** Builds every chain of one ABI, and records for each rule where earlier rules decide instead. */
export function decideAbi(filter: IrFilter, abi: Abi, shadow: Shadow, reach: Map<IrRule, Set<string>>): Map<number, Chain> {
  const work = new Map<number, { name: string; entries: (ChainEntry & { rule: IrRule; keys: Set<string> })[]; fallback?: number }>();
  for (const rule of filter.rules) {
    for (const name of rule.syscalls) {
      const nr = syscallNumber(abi, name);
      if (nr === undefined) continue;
      let w = work.get(nr);
      if (!w) work.set(nr, (w = { name, entries: [] }));
      const conds = atWidth(abi, name, rule);
      const keys = new Set(conds.map(condKey));
      // An earlier rule whose tests are a subset of this rule's tests matches whenever this one would.
      const before = w.fallback !== undefined ? w.entries.at(-1)?.rule ?? rule : w.entries.find((e) => [...e.keys].every((k) => keys.has(k)))?.rule;
      if (w.fallback !== undefined || before) {
        const by = shadow.get(rule) ?? new Map<string, Set<IrRule>>();
        shadow.set(rule, by);
        const s = by.get(name) ?? new Set<IrRule>();
        by.set(name, s);
        if (before && before !== rule) s.add(before);
        continue;
      }
      reach.set(rule, (reach.get(rule) ?? new Set<string>()).add(name));
      w.entries.push({ conds, action: rule.action, rule, keys });
      if (conds.length === 0) w.fallback = rule.action;
    }
  }
  const out = new Map<number, Chain>();
  for (const [nr, w] of work) {
    const entries = w.entries.filter((e) => e.conds.length > 0).map(({ conds, action }) => ({ conds, action }));
    const fallback = w.fallback ?? filter.defaultAction;
    // Trailing tests that lead to the fallback action anyway decide nothing.
    while (entries.length && entries.at(-1)!.action === fallback) entries.pop();
    out.set(nr, { entries, fallback });
  }
  return out;
}
