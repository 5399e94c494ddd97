// The policy's own seccomp rules (SeccompPolicy.rules) checked and turned into IrRules.
import { allSyscallNames, abisOf, syscallNumber } from "./abi.js";
import { parseAction } from "./actions.js";
import { expandGroup, GROUP_NAMES } from "./groups.js";
import { CMP_OPS, type ArgCond, type CmpOp, type IrRule } from "./ir.js";
import { closest } from "./suggest.js";
import { parseValue } from "./values.js";
import { originOf, policyFail, type CompileContext } from "./where.js";

const RULE_KEYS = new Set(["action", "syscalls", "args", "$comment", "description", "kernelBelow"]);
const ARG_KEYS = new Set(["index", "op", "value", "mask", "$comment", "description"]);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function actionAt(ctx: CompileContext, v: unknown, pointer: string, file?: string): number {
  if (typeof v !== "string") throw policyFail(ctx, pointer, `action must be a string like "allow" or "errno:EPERM"`, file);
  const a = parseAction(v);
  if (typeof a === "string") throw policyFail(ctx, pointer, a, file);
  return a;
}

/** Expands names and @groups; unknown names are errors with a suggestion. */
export function resolveSyscalls(ctx: CompileContext, v: unknown, pointer: string, file?: string): { syscalls: string[]; explicit: Set<string> } {
  if (!Array.isArray(v) || v.length === 0) throw policyFail(ctx, pointer, "syscalls must be a non-empty array of names or @groups", file);
  const names: string[] = [], explicit = new Set<string>();
  const abis = abisOf(ctx.arch);
  v.forEach((n: unknown, i) => {
    const p = `${pointer}/${i}`;
    if (typeof n !== "string") throw policyFail(ctx, p, "a syscall name must be a string", file);
    if (n.startsWith("@")) {
      const members = expandGroup(n);
      if (!members) {
        const hint = closest(n, GROUP_NAMES);
        throw policyFail(ctx, p, `unknown syscall group ${JSON.stringify(n)}${hint ? ` (did you mean ${hint}?)` : ""}`, file);
      }
      const known = allSyscallNames();
      names.push(...members.filter((m) => known.has(m)));
      return;
    }
    if (!allSyscallNames().has(n)) {
      const hint = closest(n, allSyscallNames());
      throw policyFail(ctx, p, `unknown syscall ${JSON.stringify(n)}${hint ? ` (did you mean ${hint}?)` : ""}`, file);
    }
    if (!abis.some((abi) => syscallNumber(abi, n) !== undefined)) {
      ctx.warnings.push(`${originOf(file ?? ctx.file, p)}: syscall ${n} does not exist on ${ctx.arch}; ignored there`);
    }
    names.push(n);
    explicit.add(n);
  });
  return { syscalls: [...new Set(names)], explicit };
}

function argAt(ctx: CompileContext, a: unknown, p: string): ArgCond {
  if (!isObj(a)) throw policyFail(ctx, p, "an argument test must be an object {index, op, value}");
  for (const k of Object.keys(a)) if (!ARG_KEYS.has(k)) throw policyFail(ctx, `${p}/${k}`, `unknown key ${JSON.stringify(k)} in an argument test`);
  const index = a["index"];
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 5) {
    throw policyFail(ctx, `${p}/index`, `index must be an integer 0..5, got ${JSON.stringify(index)}`);
  }
  const op = a["op"];
  if (typeof op !== "string" || !CMP_OPS.includes(op as CmpOp)) {
    throw policyFail(ctx, `${p}/op`, `op must be one of ${CMP_OPS.join(" ")}, got ${JSON.stringify(op)}`);
  }
  const num = (key: string): bigint => {
    const raw = a[key];
    if (typeof raw !== "number" && typeof raw !== "string") throw policyFail(ctx, `${p}/${key}`, `${key} must be a number or a string`);
    const v = parseValue(raw, ctx.arch);
    if (typeof v === "string") throw policyFail(ctx, `${p}/${key}`, v);
    return v;
  };
  if (op === "&==" && a["mask"] === undefined) throw policyFail(ctx, p, `op "&==" needs a mask`);
  if (op !== "&==" && a["mask"] !== undefined) throw policyFail(ctx, `${p}/mask`, `mask is only meaningful with op "&=="`);
  return { index, op: op as CmpOp, value: num("value"), mask: op === "&==" ? num("mask") : 0n };
}

function kernelOlderThan(release: string, want: string): boolean {
  const a = release.split(/[.-]/).map(Number), b = want.split(".").map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) < b[i]!;
  return false;
}

/** Checks and converts the ordered rules of a seccomp object found at `pointer`. */
export function normalizeRules(ctx: CompileContext, rules: unknown, pointer: string, kernelRelease: string): IrRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw policyFail(ctx, pointer, "rules must be an array");
  const out: IrRule[] = [];
  rules.forEach((r: unknown, i) => {
    const p = `${pointer}/${i}`;
    if (!isObj(r)) throw policyFail(ctx, p, "a rule must be an object {action, syscalls, args?}");
    for (const k of Object.keys(r)) if (!RULE_KEYS.has(k)) throw policyFail(ctx, `${p}/${k}`, `unknown key ${JSON.stringify(k)} in a seccomp rule`);
    const action = actionAt(ctx, r["action"], `${p}/action`);
    const { syscalls, explicit } = resolveSyscalls(ctx, r["syscalls"], `${p}/syscalls`);
    const args = r["args"];
    if (args !== undefined && !Array.isArray(args)) throw policyFail(ctx, `${p}/args`, "args must be an array");
    const conds = (args ?? []).map((a: unknown, j: number) => argAt(ctx, a, `${p}/args/${j}`));
    const kb = r["kernelBelow"];
    if (kb !== undefined) {
      if (typeof kb !== "string" || !/^\d+(\.\d+){0,2}$/.test(kb)) throw policyFail(ctx, `${p}/kernelBelow`, `kernelBelow must be a version like "4.8"`);
      // The rule guards against an old kernel's behaviour; on a newer one it does not apply.
      if (!kernelOlderThan(kernelRelease, kb)) return;
    }
    out.push({ action, syscalls, explicit, conds, origin: originOf(ctx.file, p) });
  });
  return out;
}
