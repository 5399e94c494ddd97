// Architectures and their syscall ABIs: numbers, the audit arch each reports, argument widths.
import { SYSCALL_NUMBERS } from "./data/syscalls.js";
import { ARG_WIDTHS } from "./data/widths.js";
import { AUDIT_ARCH } from "./bpf.js";

export type SeccompArch = "x86_64" | "i386" | "aarch64";
export type Abi = "x86_64" | "x32" | "i386" | "aarch64";
export const SECCOMP_ARCHES: readonly SeccompArch[] = ["x86_64", "i386", "aarch64"];

/** One value of seccomp_data.arch and the ABIs that share it (x86_64 and x32 both report x86_64). */
export interface ArchGroup {
  audit: number;
  abis: Abi[];
}

/** Every audit arch a process on this arch can present; any other arch value is killed. */
export const ARCH_GROUPS: Record<SeccompArch, ArchGroup[]> = {
  x86_64: [
    { audit: AUDIT_ARCH.x86_64, abis: ["x86_64", "x32"] },
    { audit: AUDIT_ARCH.i386, abis: ["i386"] },
  ],
  i386: [{ audit: AUDIT_ARCH.i386, abis: ["i386"] }],
  // 32-bit ARM (AUDIT_ARCH_ARM) is not covered: it falls to the unknown-arch kill.
  aarch64: [{ audit: AUDIT_ARCH.aarch64, abis: ["aarch64"] }],
};

export const abisOf = (arch: SeccompArch): Abi[] => ARCH_GROUPS[arch].flatMap((g) => g.abis);

export function syscallNumber(abi: Abi, name: string): number | undefined {
  return Object.hasOwn(SYSCALL_NUMBERS[abi], name) ? SYSCALL_NUMBERS[abi][name] : undefined;
}

// Built on first use: a run whose filter comes from the build never needs the tables' reverse maps.
let nameByNumber: Record<Abi, Map<number, string>> | undefined;
export function syscallName(abi: Abi, nr: number): string | undefined {
  if (!nameByNumber) {
    const maps: Record<Abi, Map<number, string>> = { x86_64: new Map(), x32: new Map(), i386: new Map(), aarch64: new Map() };
    for (const a of Object.keys(maps) as Abi[]) {
      for (const [name, n] of Object.entries(SYSCALL_NUMBERS[a])) maps[a].set(n, name);
    }
    nameByNumber = maps;
  }
  return nameByNumber[abi].get(nr >>> 0);
}

let allNames: ReadonlySet<string> | undefined;
/** Every syscall name of every ABI we know, for "did you mean" and for name checks. */
export function allSyscallNames(): ReadonlySet<string> {
  allNames ??= new Set((Object.keys(SYSCALL_NUMBERS) as Abi[]).flatMap((abi) => Object.keys(SYSCALL_NUMBERS[abi])));
  return allNames;
}

/**
 * Bits of argument `index` the kernel really uses for `name` on `abi`. Unknown entries (syscalls the
 * kernel only stubs) take the register width, so nothing is cut that the kernel might read.
 */
export function argWidth(abi: Abi, name: string, index: number): 64 | 32 | 16 {
  const w = Object.hasOwn(ARG_WIDTHS[abi], name) ? ARG_WIDTHS[abi][name]![index] : undefined;
  if (w === 16 || w === 32) return w;
  return abi === "i386" ? 32 : 64;
}

/** The architecture Node runs on, which is the one a sandbox it starts will run. */
export function hostArch(): SeccompArch {
  switch (process.arch) {
    case "x64": return "x86_64";
    case "ia32": return "i386";
    case "arm64": return "aarch64";
    default: throw new Error(`seccomp: unsupported host architecture ${process.arch}`);
  }
}
