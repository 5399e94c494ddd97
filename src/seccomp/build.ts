// IR filter to BPF program for one architecture, with unreachable-rule warnings.
import { ARCH_GROUPS, syscallNumber, type Abi, type SeccompArch } from "./abi.js";
import { MAX_INSNS, RET, type Insn } from "./bpf.js";
import { archDispatch, chainNode, searchNode, type Segment } from "./codegen.js";
import { Dag, type Node } from "./dag.js";
import { decideAbi, type Shadow } from "./decide.js";
import type { IrFilter, IrRule } from "./ir.js";
import { emitProgram } from "./emit.js";

const X32_BIT = 0x40000000;

// Relative frequency of the syscalls a build or a server makes most (strace -c of make, cc, node).
const HOT: Record<string, number> = {
  read: 20, write: 12, futex: 10, openat: 7, close: 7, newfstatat: 8, fstat: 4, mmap: 5, mprotect: 3,
  munmap: 2, brk: 2, lseek: 3, ioctl: 4, fcntl: 3, getdents64: 2, epoll_wait: 4, epoll_pwait: 2, poll: 2,
  rt_sigaction: 2, rt_sigprocmask: 4, getpid: 1, statx: 2, access: 1, pread64: 2, recvfrom: 2, sendto: 2,
  wait4: 1, clone: 1, readlink: 1, getrandom: 1, pipe2: 1, dup2: 1, execve: 1, writev: 2, readv: 1,
};

function hotNumbers(abis: Abi[]): Map<number, number> {
  const hot = new Map<number, number>();
  for (const abi of abis) {
    // The native ABI is what nearly every process uses; compat ABIs are rare.
    const scale = abi === "x32" || abi === "i386" ? 0.5 : 10;
    for (const [name, w] of Object.entries(HOT)) {
      const nr = syscallNumber(abi, name);
      if (nr !== undefined) hot.set(nr, w * scale);
    }
  }
  return hot;
}

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
    return { audit: group.audit, node: searchNode(dag, leaves, segments, hotNumbers(group.abis.filter((a) => filter.abis.has(a)))) };
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
