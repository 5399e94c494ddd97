// compileSeccomp: a policy's seccomp object (or none: the default filter) to a loadable BPF program.
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SeccompPolicy } from "../policy/types.js";
import { abisOf, type SeccompArch } from "./abi.js";
import { encodeProgram, MAX_INSNS } from "./bpf.js";
import { buildProgram, tooLarge } from "./build.js";
import { importDocker } from "./docker.js";
import type { IrFilter } from "./ir.js";
import { withMultiplexed } from "./multiplexed.js";
import { actionAt, normalizeRules } from "./normalize.js";
import { precompiledDefault } from "./precompiled.js";
import { policyFail, type CompileContext } from "./where.js";

export interface CompileOptions {
  arch: SeccompArch;
  /** The policy file, for messages. */
  file?: string;
  /** JSON pointer of the seccomp object inside the policy, e.g. "/seccomp". */
  pointer: string;
  /** Directory `profile` paths are relative to (the policy file's). */
  baseDir: string;
  /** Capabilities the sandbox keeps (Docker profiles' includes/excludes test them); default none. */
  keepCaps?: string[];
  locate?: (pointer: string) => { line: number; column: number } | undefined;
  /** Take the default preset's program from the build when it still fits (default true); false always compiles. */
  usePrecompiled?: boolean;
}

export interface CompileResult {
  /** struct sock_filter[], little-endian; empty means "no filter". */
  program: Buffer;
  warnings: string[];
  /** Every file read (preset, profile), for cache manifests. */
  files: string[];
}

/** Where presets live: policies/ beside src/ and dist/. */
export const PRESET_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../policies");
const SPEC_KEYS = new Set(["default", "rules", "profile", "preset", "$comment", "description", "$schema"]);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function readJson(ctx: CompileContext, path: string, pointer: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw policyFail(ctx, pointer, `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  ctx.files.push(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw policyFail(ctx, pointer, `${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function presetFilter(ctx: CompileContext, name: unknown, pointer: string, kernel: string): IrFilter {
  if (typeof name !== "string" || !/^[a-z0-9-]+$/.test(name)) throw policyFail(ctx, pointer, `preset must be a name like "default" or "none"`);
  const path = resolve(PRESET_DIR, `seccomp-${name}.json`);
  const spec = readJson(ctx, path, pointer, `seccomp preset "${name}"`);
  const sub: CompileContext = { ...ctx, file: path, locate: undefined };
  if (!isObj(spec)) throw policyFail(sub, "", "a seccomp preset must be a JSON object", path);
  for (const k of Object.keys(spec)) if (!SPEC_KEYS.has(k) || k === "preset" || k === "profile") throw policyFail(sub, `/${k}`, `unexpected key ${JSON.stringify(k)} in a preset`, path);
  return { defaultAction: actionAt(sub, spec["default"], "/default", path), rules: normalizeRules(sub, spec["rules"], "/rules", kernel), abis: new Set(abisOf(ctx.arch)) };
}

/** The default preset alone (no rules, default or profile beside it): the build may have compiled it already. */
function fromBuild(s: unknown, opts: CompileOptions): CompileResult | undefined {
  if (opts.usePrecompiled === false || !isObj(s) || s["preset"] !== "default") return undefined;
  if (Object.keys(s).some((k) => !["preset", "$comment", "description", "$schema"].includes(k))) return undefined;
  const path = resolve(PRESET_DIR, "seccomp-default.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined; // compiling reports it with the policy's location
  }
  const program = precompiledDefault(opts.arch, text);
  return program ? { program, warnings: [], files: [path] } : undefined;
}

/** Compiles `spec` (undefined: the default filter) for `opts.arch`; throws NsjailError(Policy) on bad input. */
export function compileSeccomp(spec: SeccompPolicy | undefined, opts: CompileOptions): CompileResult {
  const ready = fromBuild(spec ?? { preset: "default" }, opts);
  if (ready) return ready;
  const ctx: CompileContext = {
    arch: opts.arch, pointer: opts.pointer, baseDir: opts.baseDir, keepCaps: opts.keepCaps ?? [],
    warnings: [], files: [], ...(opts.file !== undefined ? { file: opts.file } : {}), ...(opts.locate ? { locate: opts.locate } : {}),
  };
  const p = opts.pointer;
  const s: unknown = spec ?? { preset: "default" };
  if (!isObj(s)) throw policyFail(ctx, p, "seccomp must be an object {default, rules} or {preset} or {profile}");
  for (const k of Object.keys(s)) if (!SPEC_KEYS.has(k)) throw policyFail(ctx, `${p}/${k}`, `unknown key ${JSON.stringify(k)} in seccomp (expected default, rules, profile or preset)`);
  if (s["preset"] === "none") {
    if (s["rules"] !== undefined || s["profile"] !== undefined || s["default"] !== undefined) {
      throw policyFail(ctx, `${p}/preset`, `preset "none" turns the filter off; it cannot be combined with default, rules or profile`);
    }
    return { program: Buffer.alloc(0), warnings: [], files: [] };
  }
  if (s["preset"] !== undefined && s["profile"] !== undefined) throw policyFail(ctx, `${p}/profile`, "use either preset or profile, not both");
  const kernel = release(); // after "none": a run without a filter need not load node:os
  let base: IrFilter | undefined;
  if (s["preset"] !== undefined) base = presetFilter(ctx, s["preset"], `${p}/preset`, kernel);
  if (s["profile"] !== undefined) {
    if (typeof s["profile"] !== "string") throw policyFail(ctx, `${p}/profile`, "profile must be a path to a Docker seccomp profile");
    const path = resolve(opts.baseDir, s["profile"]);
    base = importDocker(ctx, readJson(ctx, path, `${p}/profile`, "Docker seccomp profile"), path, kernel);
  }
  // The policy's own rules come first, so they override the preset's or profile's.
  const own = normalizeRules(ctx, s["rules"], `${p}/rules`, kernel);
  if (s["default"] === undefined && !base) throw policyFail(ctx, p, `seccomp needs a "default" action (e.g. "errno:EPERM") when it has no preset or profile`);
  const defaultAction = s["default"] !== undefined ? actionAt(ctx, s["default"], `${p}/default`) : base!.defaultAction;
  const filter: IrFilter = { defaultAction, rules: [...own, ...(base?.rules ?? [])], abis: base?.abis ?? new Set(abisOf(opts.arch)) };
  const multiplexed = withMultiplexed(filter);
  const built = buildProgram({ ...filter, rules: multiplexed.rules }, opts.arch);
  if (built.insns.length > MAX_INSNS) throw policyFail(ctx, p, tooLarge(built.insns.length));
  return { program: encodeProgram(built.insns), warnings: [...ctx.warnings, ...multiplexed.warnings, ...built.warnings], files: ctx.files };
}
