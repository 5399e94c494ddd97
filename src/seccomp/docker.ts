// Docker/OCI seccomp profiles (docker run --security-opt seccomp=FILE) as IR rules, with Docker's meaning.
import { abisOf, allSyscallNames, type Abi, type SeccompArch } from "./abi.js";
import { RET } from "./bpf.js";
import type { ArgCond, CmpOp, IrFilter, IrRule } from "./ir.js";
import { parseErrno } from "./actions.js";
import { policyFail, type CompileContext } from "./where.js";

const OPS: Record<string, CmpOp> = {
  SCMP_CMP_NE: "!=", SCMP_CMP_LT: "<", SCMP_CMP_LE: "<=", SCMP_CMP_EQ: "==",
  SCMP_CMP_GE: ">=", SCMP_CMP_GT: ">", SCMP_CMP_MASKED_EQ: "&==",
};
// Docker's arch names (Go's GOARCH for the native one) and libseccomp's SCMP_ARCH_* names.
const DOCKER_ARCH: Record<SeccompArch, string[]> = { x86_64: ["amd64"], i386: ["x86", "386"], aarch64: ["arm64"] };
const SCMP_ABI: Record<string, Abi> = { SCMP_ARCH_X86_64: "x86_64", SCMP_ARCH_X32: "x32", SCMP_ARCH_X86: "i386", SCMP_ARCH_AARCH64: "aarch64" };

interface DockerArg { index: number; value: number; valueTwo?: number; op: string }
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function action(ctx: CompileContext, file: string, p: string, name: unknown, errnoRet: unknown): number {
  const data = typeof errnoRet === "number" ? errnoRet : undefined;
  switch (name) {
    case "SCMP_ACT_ALLOW": return RET.ALLOW;
    case "SCMP_ACT_LOG": return RET.LOG;
    case "SCMP_ACT_TRAP": return RET.TRAP;
    case "SCMP_ACT_KILL": case "SCMP_ACT_KILL_THREAD": return RET.KILL_THREAD;
    case "SCMP_ACT_KILL_PROCESS": return RET.KILL_PROCESS;
    case "SCMP_ACT_NOTIFY": return RET.USER_NOTIF;
    case "SCMP_ACT_TRACE": return (RET.TRACE | ((data ?? 0) & 0xffff)) >>> 0;
    case "SCMP_ACT_ERRNO": {
      // Docker's errnoRet defaults to EPERM.
      const e = parseErrno(String(data ?? 1));
      if (typeof e === "string") throw policyFail(ctx, `${p}`, e, file);
      return (RET.ERRNO | e) >>> 0;
    }
    default: throw policyFail(ctx, p, `unknown Docker action ${JSON.stringify(name)}`, file);
  }
}

function kernelAtLeast(release: string, want: string): boolean {
  const a = release.split(/[.-]/).map(Number), b = want.split(".").map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i]!;
  return true;
}

/** Whether an entry applies to this sandbox: its arch, the capabilities kept, the kernel. */
function applies(e: Record<string, unknown>, arch: SeccompArch, caps: Set<string>, kernel: string): boolean {
  const inc = isObj(e["includes"]) ? e["includes"] : {}, exc = isObj(e["excludes"]) ? e["excludes"] : {};
  const mine = DOCKER_ARCH[arch];
  const incArch = strs(inc["arches"]), excArch = strs(exc["arches"]);
  if (incArch.length && !incArch.some((a) => mine.includes(a))) return false;
  if (excArch.some((a) => mine.includes(a))) return false;
  if (!strs(inc["caps"]).every((c) => caps.has(c))) return false;
  if (strs(exc["caps"]).some((c) => caps.has(c))) return false;
  const mk = inc["minKernel"];
  return !(typeof mk === "string" && !kernelAtLeast(kernel, mk));
}

function conds(ctx: CompileContext, file: string, p: string, args: unknown): ArgCond[][] {
  if (args === undefined || args === null) return [[]];
  if (!Array.isArray(args)) throw policyFail(ctx, `${p}/args`, "args must be an array", file);
  const parsed = args.map((a: unknown, j): ArgCond => {
    const q = `${p}/args/${j}`;
    if (!isObj(a)) throw policyFail(ctx, q, "an arg must be an object", file);
    const { index, value, valueTwo, op } = a as unknown as DockerArg;
    if (!Number.isInteger(index) || index < 0 || index > 5) throw policyFail(ctx, `${q}/index`, `index must be 0..5`, file);
    const cmp = OPS[op];
    if (!cmp) throw policyFail(ctx, `${q}/op`, `unknown comparison ${JSON.stringify(op)} (expected one of ${Object.keys(OPS).join(", ")})`, file);
    const big = (v: unknown, k: string): bigint => {
      if (v === undefined) return 0n;
      if (typeof v !== "number" || !Number.isInteger(v)) throw policyFail(ctx, `${q}/${k}`, `${k} must be an integer`, file);
      return BigInt.asUintN(64, BigInt(v));
    };
    // libseccomp's masked compare: value is the mask, valueTwo the datum.
    return cmp === "&=="
      ? { index, op: cmp, mask: big(value, "value"), value: big(valueTwo, "valueTwo") }
      : { index, op: cmp, value: big(value, "value"), mask: 0n };
  });
  // Like runc: tests on distinct arguments are ANDed; several tests of the same argument become
  // separate rules (ORed), as libseccomp cannot AND two tests on one argument.
  const counts = new Map<number, number>();
  for (const c of parsed) counts.set(c.index, (counts.get(c.index) ?? 0) + 1);
  return [...counts.values()].some((n) => n > 1) ? parsed.map((c) => [c]) : [parsed];
}

/** Reads a parsed Docker profile into a filter for `ctx.arch`, given the capabilities the sandbox keeps. */
export function importDocker(ctx: CompileContext, profile: unknown, file: string, kernel: string): IrFilter {
  if (!isObj(profile)) throw policyFail(ctx, "", "a Docker seccomp profile must be a JSON object", file);
  const defaultAction = action(ctx, file, "/defaultAction", profile["defaultAction"], profile["defaultErrnoRet"]);
  const native = abisOf(ctx.arch)[0]!;
  const abis = new Set<Abi>();
  const archMap = Array.isArray(profile["archMap"]) ? profile["archMap"].filter(isObj) : [];
  const listed = archMap.length ? archMap : strs(profile["architectures"]).map((a) => ({ architecture: a, subArchitectures: [] }));
  for (const m of listed) {
    const main = SCMP_ABI[String(m["architecture"])];
    if (main === native) [main, ...strs(m["subArchitectures"]).map((s) => SCMP_ABI[s])].forEach((a) => a && abis.add(a));
  }
  if (!listed.length) abis.add(native); // libseccomp: no arch named means the native one only
  const caps = new Set(ctx.keepCaps.map((c) => (c.startsWith("CAP_") ? c : `CAP_${c}`).toUpperCase()));
  const rules: IrRule[] = [];
  const entries = Array.isArray(profile["syscalls"]) ? profile["syscalls"] : [];
  entries.forEach((e: unknown, i) => {
    const p = `/syscalls/${i}`;
    if (!isObj(e)) throw policyFail(ctx, p, "a syscalls entry must be an object", file);
    if (!applies(e, ctx.arch, caps, kernel)) return;
    const names = [...strs(e["names"]), ...(typeof e["name"] === "string" ? [e["name"]] : [])];
    // Docker skips names its libseccomp does not know; names of other arches are normal here.
    const known = names.filter((n) => allSyscallNames().has(n));
    if (!known.length) return;
    const act = action(ctx, file, `${p}/action`, e["action"], e["errnoRet"]);
    for (const c of conds(ctx, file, p, e["args"])) {
      rules.push({ action: act, syscalls: known, explicit: new Set(), conds: c, origin: `${file}#${p}` });
    }
  });
  // libseccomp lets a syscall's unconditional rule override its conditional ones whatever the
  // order; with first-match-wins that means unconditional rules go first (the sort is stable).
  rules.sort((a, b) => Number(a.conds.length > 0) - Number(b.conds.length > 0));
  return { defaultAction, rules, abis };
}
