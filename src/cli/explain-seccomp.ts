// The seccomp part of `explain`: where the filter comes from, its default action, rules, groups and
// argument rules, from the resolved policy (and the preset it names); its size from the compiled op.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { presetsDir } from "../policy/index.js";
import type { SeccompPolicy, SeccompRule } from "../policy/types.js";

interface Spec {
  default?: unknown;
  rules?: unknown;
}

/** A preset's default action and rules, or why they could not be read (explain still goes on). */
function readPreset(name: string): { spec?: Spec; file: string; problem?: string } {
  const file = join(presetsDir(), `seccomp-${name}.json`);
  try {
    const spec = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return typeof spec === "object" && spec !== null ? { spec: spec as Spec, file } : { file, problem: "not a JSON object" };
  } catch (e) {
    return { file, problem: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}

const asRules = (v: unknown): SeccompRule[] => (Array.isArray(v) ? v.filter((r): r is SeccompRule => typeof r === "object" && r !== null) : []);

function describeArgRule(r: SeccompRule): string {
  const conds = (r.args ?? []).map((a) => `arg${a.index} ${a.op} ${a.value}${a.mask !== undefined ? ` (mask ${a.mask})` : ""}`).join(" and ");
  return `${(r.syscalls ?? []).join(", ")} when ${conds}: ${r.action}`;
}

/** Lines describing the filter; `instructions` is the compiled program's length (0: no filter is loaded). */
export function explainSeccomp(spec: SeccompPolicy | undefined, instructions: number, origin: string): string[] {
  if (instructions === 0) {
    return [`  no filter: every system call is allowed (${spec?.preset === "none" ? `preset "none", ${origin}` : origin})`];
  }
  const s = spec ?? { preset: "default" };
  const lines: string[] = [];
  let base: Spec | undefined;
  if (s.preset !== undefined) {
    const p = readPreset(s.preset);
    lines.push(`  from: preset "${s.preset}" (${p.file})${spec === undefined ? ", the default because the policy has no \"seccomp\"" : `, ${origin}`}`);
    if (p.problem) lines.push(`  (its rules cannot be summarised: ${p.problem})`);
    base = p.spec;
  } else if (s.profile !== undefined) {
    lines.push(`  from: Docker profile ${s.profile} (${origin}); its rules are summarised by "nsjail-ts seccomp explain"`);
  } else {
    lines.push(`  from: the policy's own rules (${origin})`);
  }
  const own = asRules(s.rules);
  const inherited = asRules(base?.rules);
  const all = [...own, ...inherited];
  const def = s.default ?? (typeof base?.default === "string" ? base.default : undefined);
  lines.push(`  default action: ${def ?? "(that of the profile)"}`);
  lines.push(`  rules: ${all.length}${own.length && inherited.length ? ` (${own.length} from the policy, checked first, then ${inherited.length} from the preset)` : ""}; the first rule that matches decides`);
  const groups = [...new Set(all.flatMap((r) => (r.syscalls ?? []).filter((n) => n.startsWith("@"))))];
  lines.push(`  groups: ${groups.length ? groups.join(", ") : "none"}`);
  const withArgs = all.filter((r) => r.args?.length);
  lines.push(`  argument rules: ${withArgs.length || "none"}`);
  for (const r of withArgs) lines.push(`    ${describeArgRule(r)}`);
  lines.push(`  compiled: ${instructions} BPF instructions, loaded last, just before the command starts`);
  return lines;
}
