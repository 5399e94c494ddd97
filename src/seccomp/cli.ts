// `nsjail-ts seccomp compile|disasm|explain`: build, list and try out filters from the command line.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ExitCode, NsjailError, usageError } from "../errors.js";
import type { SeccompPolicy } from "../policy/types.js";
import { abisOf, ARCH_GROUPS, hostArch, SECCOMP_ARCHES, syscallNumber, type Abi, type SeccompArch } from "./abi.js";
import { describeAction } from "./actions.js";
import { decodeProgram } from "./bpf.js";
import { compileSeccomp } from "./compile.js";
import { disassemble } from "./disasm.js";
import { runFilter } from "./interp.js";
import { parseValue } from "./values.js";

const USAGE = `usage: nsjail-ts seccomp compile (--policy FILE | --profile DOCKER.json) [--arch A] -o OUT.bpf
       nsjail-ts seccomp disasm OUT.bpf
       nsjail-ts seccomp explain (--policy FILE | --profile FILE) SYSCALL [ARG0 ...] [--arch A] [--abi x86_64|x32|i386|aarch64]`;

interface Parsed { opts: Map<string, string>; pos: string[] }

function parse(argv: string[]): Parsed {
  const opts = new Map<string, string>(), pos: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^-\d/.test(a) || !a.startsWith("-")) { pos.push(a); continue; }
    const [name, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (!["--policy", "--profile", "--arch", "--abi", "-o", "--output"].includes(name!)) throw usageError(`unknown option ${name}`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw usageError(`${name} needs a value`);
    opts.set(name === "--output" ? "-o" : name!, v);
  }
  return { opts, pos };
}

function archOf(p: Parsed): SeccompArch {
  const a = p.opts.get("--arch");
  if (a === undefined) return hostArch();
  if (!SECCOMP_ARCHES.includes(a as SeccompArch)) throw usageError(`--arch must be one of ${SECCOMP_ARCHES.join(", ")}, got ${a}`);
  return a as SeccompArch;
}

function compileFrom(p: Parsed, arch: SeccompArch): { program: Buffer; warnings: string[] } {
  const policy = p.opts.get("--policy"), profile = p.opts.get("--profile");
  if ((policy === undefined) === (profile === undefined)) throw usageError(`give exactly one of --policy or --profile`);
  if (profile !== undefined) return compileSeccomp({ profile: resolve(profile) }, { arch, file: profile, pointer: "", baseDir: process.cwd() });
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(policy!, "utf8"));
  } catch (e) {
    const why = e instanceof SyntaxError ? `not valid JSON: ${e.message}` : `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    throw new NsjailError(ExitCode.Policy, why, { where: { file: policy! } });
  }
  const top = typeof doc === "object" && doc !== null ? (doc as { seccomp?: SeccompPolicy; capabilities?: { keep?: unknown } }) : {};
  const keep = Array.isArray(top.capabilities?.keep) ? top.capabilities.keep.filter((c): c is string => typeof c === "string") : [];
  return compileSeccomp(top.seccomp, { arch, file: policy!, pointer: "/seccomp", baseDir: dirname(resolve(policy!)), keepCaps: keep });
}

function explain(p: Parsed, arch: SeccompArch): void {
  const [name, ...rawArgs] = p.pos;
  if (name === undefined) throw usageError(`explain needs a syscall name`);
  const abi = (p.opts.get("--abi") ?? abisOf(arch)[0]) as Abi;
  const group = ARCH_GROUPS[arch].find((g) => g.abis.includes(abi));
  if (!group) throw usageError(`--abi ${abi} is not an ABI of ${arch} (${abisOf(arch).join(", ")})`);
  const nr = /^\d+$/.test(name) ? Number(name) : syscallNumber(abi, name);
  if (nr === undefined) throw usageError(`syscall ${name} does not exist on the ${abi} ABI`);
  const args = rawArgs.map((a, i) => {
    const v = parseValue(a, arch);
    if (typeof v === "string") throw usageError(`argument ${i}: ${v}`);
    return v;
  });
  const { program, warnings } = compileFrom(p, arch);
  warnings.forEach((w) => process.stderr.write(`nsjail-ts: warning: ${w}\n`));
  if (program.length === 0) { process.stdout.write(`${name}: allow (no filter)\n`); return; }
  const prog = decodeProgram(program);
  if (typeof prog === "string") throw new NsjailError(ExitCode.Internal, prog);
  const r = runFilter(prog, { nr, arch: group.audit, args });
  if (r.ret === undefined) throw new NsjailError(ExitCode.Internal, `filter failed to run: ${r.error}`);
  process.stdout.write(`${name} (${abi} nr ${nr}): ${describeAction(r.ret)} after ${r.steps} instructions\n`);
}

/** Runs `seccomp SUBCOMMAND ...`; returns the exit code (0, 2 usage, 122 policy). */
export async function seccompMain(argv: string[]): Promise<number> {
  try {
    const [sub, ...rest] = argv;
    const p = parse(rest);
    const arch = archOf(p);
    if (sub === "compile") {
      const out = p.opts.get("-o");
      if (out === undefined) throw usageError(`compile needs -o OUT.bpf`);
      if (p.pos.length) throw usageError(`unexpected argument ${p.pos[0]}`);
      const { program, warnings } = compileFrom(p, arch);
      warnings.forEach((w) => process.stderr.write(`nsjail-ts: warning: ${w}\n`));
      writeFileSync(out, program);
      process.stderr.write(`nsjail-ts: ${out}: ${program.length / 8} instructions for ${arch}\n`);
    } else if (sub === "disasm") {
      if (p.pos.length !== 1) throw usageError(`disasm needs one file`);
      const prog = decodeProgram(readFileSync(p.pos[0]!));
      if (typeof prog === "string") throw usageError(`${p.pos[0]}: ${prog}`);
      process.stdout.write(`${disassemble(prog)}\n`);
    } else if (sub === "explain") explain(p, arch);
    else throw usageError(sub === undefined ? USAGE.replace(/\n\s*/g, " | ") : `unknown seccomp subcommand ${sub} (expected compile, disasm or explain)`);
    return 0;
  } catch (e) {
    if (e instanceof NsjailError) {
      process.stderr.write(`nsjail-ts: ${e.message}\n`);
      return e.code;
    }
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`nsjail-ts: ${err.code ? `${err.path ?? ""}: ${err.code}` : String(err.message ?? e)}\n`);
    return err.code ? ExitCode.Usage : ExitCode.Internal;
  }
}
