// Turning a JSON pointer inside the policy into a located, one-line NsjailError.
import { ExitCode, NsjailError } from "../errors.js";
import type { SeccompArch } from "./abi.js";

export interface CompileContext {
  arch: SeccompArch;
  file?: string;
  pointer: string;
  baseDir: string;
  keepCaps: string[];
  locate?: (pointer: string) => { line: number; column: number } | undefined;
  warnings: string[];
  files: string[];
}

export function policyFail(ctx: CompileContext, pointer: string, message: string, file = ctx.file): NsjailError {
  const pos = file === ctx.file ? ctx.locate?.(pointer) : undefined;
  return new NsjailError(ExitCode.Policy, message, {
    where: { ...(file !== undefined ? { file } : {}), pointer, ...(pos ? { line: pos.line, column: pos.column } : {}) },
  });
}

/** A short location for warnings: "policy.json#/seccomp/rules/2". */
export const originOf = (file: string | undefined, pointer: string): string => `${file ?? ""}#${pointer}`;
