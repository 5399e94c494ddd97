// From a policy file (or none), flags and a command to a compiled plan, with everything it read.

import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { NsjailError, ExitCode, type Where } from "../errors.js";
import { addLayer, callerVars, formatOrigin, loadPolicy, loadPolicyText, type PolicyVars, type ResolvedPolicy } from "../policy/index.js";
import type { PolicyLayer } from "../policy/types.js";
import { compileOps, encodePlan, type CallerFacts, type Op } from "../plan/index.js";
import { compileSeccomp, hostArch } from "../seccomp/index.js";

export interface PrepareOptions {
  /** Policy file; undefined means the embedded default (policies/default.json), null an empty policy. */
  policyFile?: string | null;
  /** Fragments from command-line flags, applied in order after the policy. */
  layers?: PolicyLayer[];
  /** The command and its arguments. */
  command: string[];
  /** Defaults to the calling process's facts. */
  vars?: PolicyVars;
}

export interface PreparedPlan {
  resolved: ResolvedPolicy;
  ops: Op[];
  plan: Buffer;
  warnings: string[];
  /** Every file the plan depends on (policies, seccomp profiles). */
  files: string[];
}

/** Where a pointer of the merged policy was written (no line:col for flag layers). */
export function whereOf(resolved: ResolvedPolicy, pointer: string): Where {
  const o = resolved.origin(pointer);
  if (!o) return { pointer };
  // Layers from flags have no line and column.
  return o.line > 0 ? { file: o.file, pointer: o.pointer, line: o.line, column: o.column } : { file: o.file, pointer: o.pointer };
}

export function preparePlan(opts: PrepareOptions): PreparedPlan {
  if (opts.command.length === 0) throw new NsjailError(ExitCode.Usage, "no command given (usage: nsjail-ts [options] -- COMMAND [ARGS...])");
  const vars = opts.vars ?? callerVars();
  let resolved =
    opts.policyFile === null
      ? loadPolicyText("{}", { file: "empty policy", vars })
      : loadPolicy(opts.policyFile === undefined ? { vars } : { file: opts.policyFile, vars });
  for (const layer of opts.layers ?? []) resolved = addLayer(resolved, layer.over ? layer.over(resolved.policy) : layer.policy, layer.label);
  const policy = resolved.policy;

  const seccompWhere = whereOf(resolved, "/seccomp");
  const seccompOpts = {
    arch: hostArch(),
    pointer: "/seccomp",
    baseDir: seccompWhere.file ? dirname(seccompWhere.file) : process.cwd(),
    keepCaps: policy.capabilities?.keep ?? [],
    locate: (p: string) => {
      const o = resolved.origin(p);
      return o ? { line: o.line, column: o.column } : undefined;
    },
    ...(seccompWhere.file ? { file: seccompWhere.file } : {}),
  };
  const seccomp = compileSeccomp(policy.seccomp, seccompOpts);

  const caller: CallerFacts = { uid: vars.UID, gid: vars.GID, cwd: vars.PWD, env: vars.env };
  const ops = compileOps({
    policy,
    caller,
    command: opts.command,
    seccompProgram: seccomp.program,
    originOf: (p) => {
      const o = resolved.origin(p);
      return o ? formatOrigin(o) : "policy";
    },
    whereOf: (p) => whereOf(resolved, p),
    hostPathExists: (p) => existsSync(p),
  });
  let plan: Buffer | undefined;
  return {
    resolved,
    ops,
    // Encoded when first asked for: a run adds its lifecycle ops and encodes that plan instead.
    get plan(): Buffer {
      return (plan ??= encodePlan(ops));
    },
    warnings: [...resolved.warnings, ...seccomp.warnings],
    files: [...resolved.files, ...seccomp.files],
  };
}
