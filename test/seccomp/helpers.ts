// Shared by the seccomp tests: compile a spec and run one syscall through the TS interpreter.
import { ARCH_GROUPS, syscallNumber, type Abi, type SeccompArch } from "../../src/seccomp/abi.js";
import { describeAction } from "../../src/seccomp/actions.js";
import { decodeProgram, type Insn } from "../../src/seccomp/bpf.js";
import { compileSeccomp } from "../../src/seccomp/compile.js";
import { runFilter } from "../../src/seccomp/interp.js";
import type { SeccompPolicy } from "../../src/policy/types.js";

import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SHARED_DOCKER = join(PROJECT_ROOT, "../shared/seccomp/docker-default.json");

export function decode(buf: Buffer): Insn[] {
  const p = decodeProgram(buf);
  if (typeof p === "string") throw new Error(p);
  return p;
}

export function compile(spec: SeccompPolicy | undefined, arch: SeccompArch = "x86_64", keepCaps: string[] = []): { prog: Insn[]; warnings: string[] } {
  const r = compileSeccomp(spec, { arch, pointer: "/seccomp", baseDir: process.cwd(), file: "policy.json", keepCaps });
  return { prog: decode(r.program), warnings: r.warnings };
}

export function auditOf(abi: Abi): number {
  for (const groups of Object.values(ARCH_GROUPS)) for (const g of groups) if (g.abis.includes(abi)) return g.audit;
  throw new Error(abi);
}

/** Runs `name` (or a raw number) through `prog` on `abi`; returns the action's policy spelling. */
export function call(prog: Insn[], abi: Abi, name: string | number, args: (bigint | number)[] = []): string {
  const nr = typeof name === "number" ? name : syscallNumber(abi, name);
  if (nr === undefined) throw new Error(`${name} not on ${abi}`);
  const r = runFilter(prog, { nr, arch: auditOf(abi), args: args.map((a) => BigInt.asUintN(64, BigInt(a))) });
  if (r.ret === undefined) throw new Error(r.error);
  return describeAction(r.ret);
}

export function steps(prog: Insn[], abi: Abi, name: string, args: bigint[] = []): number {
  return runFilter(prog, { nr: syscallNumber(abi, name)!, arch: auditOf(abi), args }).steps;
}
