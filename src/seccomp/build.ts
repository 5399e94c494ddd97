// IR filter to BPF program for one architecture, with unreachable-rule warnings.
import { ARCH_GROUPS, type SeccompArch } from "./abi.js";
import { MAX_INSNS, RET, type Insn } from "./bpf.js";
import { archDispatch, chainNode, searchNode, type Segment } from "./codegen.js";
import { Dag, type Node } from "./dag.js";
import { decideAbi, type Shadow } from "./decide.js";
import type { IrFilter, IrRule } from "./ir.js";
import { emitProgram } from "./emit.js";

const X32_BIT = 0x40000000;

export interface Built {
  insns: Insn[];
  warnings: string[];
}

export function buildProgram(filter: IrFilter, arch: SeccompArch): Built {
  const dag = new Dag();
  const shadow: Shadow = new Map(), reach = new Map<IrRule, Set<string>>();
  const kill = dag.ret(RET.KILL_PROCESS), other = dag.ret(filter.defaultAction);
  const arches = ARCH_GROUPS[arch].map((group) => {
    const leaves = new Map<number, Node>();
    for (const abi of group.abis) {
      if (!filter.abis.has(abi)) continue;
      for (const [nr, chain] of decideAbi(filter, abi, shadow, reach)) leaves.set(nr, chainNode(dag, chain));
    }
    // Numbers of an ABI the filter does not admit are killed, like an unknown arch.
    const segments: Segment[] = group.abis.includes("x32")
      ? [{ from: 0, node: filter.abis.has("x86_64") ? other : kill }, { from: X32_BIT, node: filter.abis.has("x32") ? other : kill }]
      : [{ from: 0, node: group.abis.some((a) => filter.abis.has(a)) ? other : kill }];
    return { audit: group.audit, node: searchNode(dag, leaves, segments) };
  });
  const insns = emitProgram(archDispatch(dag, arches));
  return { insns, warnings: unreachableWarnings(filter.rules, shadow, reach) };
}

function unreachableWarnings(rules: IrRule[], shadow: Shadow, reach: Map<IrRule, Set<string>>): string[] {
  const out: string[] = [];
  const names = (set: Iterable<IrRule>): string => [...set].map((r) => r.origin).join(", ");
  for (const rule of rules) {
    const by = shadow.get(rule);
    if (!by) continue;
    const reached = reach.get(rule) ?? new Set<string>();
    if (reached.size === 0) {
      const earlier = new Set([...by.values()].flatMap((s) => [...s]));
      out.push(`${rule.origin}: rule is unreachable: every syscall it names is decided earlier${earlier.size ? ` (by ${names(earlier)})` : ""}`);
      continue;
    }
    for (const [name, earlier] of by) {
      if (rule.explicit.has(name) && !reached.has(name)) {
        out.push(`${rule.origin}: ${name} never reaches this rule${earlier.size ? `: decided by ${names(earlier)}` : ""}`);
      }
    }
  }
  return out;
}

export const tooLarge = (n: number): string =>
  `the seccomp filter needs ${n} BPF instructions, more than the kernel's limit of ${MAX_INSNS}; ` +
  `use fewer distinct argument tests or merge rules`;
