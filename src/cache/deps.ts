// What a run's plan depends on besides its files: the flags that read state no manifest can record,
// the paths the --policy lookup found absent, and the environment variables the compiler read.

import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FlagSpec, RunRequest } from "../cli/flags/index.js";
import { namesFile } from "../cli/policy-arg.js";
import type { ResolvedPolicy } from "../policy/index.js";
import { packageRoot, helperPath, packageVersion } from "../run/paths.js";

/** Variables callerVars() reads besides those reached through ${env:NAME}. */
const CALLER_VARS = ["HOME", "USER", "XDG_RUNTIME_DIR"];

/** The flag table with each flag recording its canonical name in `used` when applied. */
export function trackFlags(flags: readonly FlagSpec[], used: Set<string>): FlagSpec[] {
  return flags.map((f) => ({ ...f, apply: (req: RunRequest, values: string[]) => (used.add(f.names[0]!), f.apply(req, values)) }));
}

/** Why a run with these flags may not be cached, or undefined. Flags taking an FD read or pass on inherited
 * file descriptors, whose contents and meaning belong to this one invocation. */
export function uncacheable(req: RunRequest, used: Set<string>, flags: readonly FlagSpec[]): string | undefined {
  if (req.bwrapMode) return "bwrap mode depends on host directories and variables at run time";
  if (req.runtime["no-cache"]) return "--no-cache";
  const fdFlag = flags.find((f) => used.has(f.names[0]!) && /\bFD\b/.test(f.values ?? ""));
  return fdFlag ? `${fdFlag.names[0]} uses an inherited file descriptor` : undefined;
}

/** Paths whose absence chose the policy file: `--policy build` means ./build when that exists (src/cli/policy-arg.ts). */
export function policyArgAbsent(value: string | undefined): string[] {
  if (value === undefined || namesFile(value)) return [];
  return [resolve(value)];
}

/** Every environment variable the compiler read, with the value it had. */
export function envDeps(resolved: ResolvedPolicy, env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of [...CALLER_VARS, ...Object.keys(resolved.envRead)]) out[name] = env[name];
  return out;
}

const stamp = (path: string): string => {
  const st = statSync(path, { bigint: true });
  return `${st.size}:${st.mtimeNs}`;
};

/** The helper's and the compiler's identities, computed as helper-c/cache.c computes them. */
export function localIds(): { helper: string; compiler: string } {
  return {
    helper: `${packageVersion()}:${stamp(helperPath())}`,
    compiler: `${stamp(join(packageRoot, "package.json"))}/${stamp(join(packageRoot, "dist/cli/main.js"))}`,
  };
}
