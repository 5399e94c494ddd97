// The compiler's side of the plan cache: take the front end's request, add the manifest, store the plan.

import { writeSync } from "node:fs";
import { dirname } from "node:path";
import type { FlagSpec, RunRequest } from "../cli/flags/index.js";
import { encodePlan } from "../plan/index.js";
import type { PreparedPlan } from "../run/prepare.js";
import { envDeps, policyArgAbsent, uncacheable } from "./deps.js";
import { ensureCacheDir, untrusted, writeAtomic } from "./store.js";
import { manifestRecords, withManifest, type ManifestResult } from "./manifest.js";

/** Set by the front end (helper-c/front.c) when it found no valid plan: "HELPER_ID|COMPILER_ID|PLAN_PATH". */
export const CACHE_ENV = "NSJAIL_TS_CACHE_WRITE";
const STATUS_ENV = "NSJAIL_TS_CACHE_STATUS";

export interface CacheRequest {
  helper: string;
  compiler: string;
  path: string;
  /** Wall-clock ns when this process started compiling. */
  startedNs: bigint;
}

/** Read and remove the front end's request, so neither the policy nor the command ever sees it. */
export function takeCacheRequest(env: NodeJS.ProcessEnv = process.env): CacheRequest | undefined {
  const value = env[CACHE_ENV];
  delete env[CACHE_ENV];
  const m = value === undefined ? null : /^([^|]*)\|([^|]*)\|(\/.*)$/s.exec(value);
  return m ? { helper: m[1]!, compiler: m[2]!, path: m[3]!, startedNs: BigInt(Date.now()) * 1_000_000n } : undefined;
}

/** The manifest of what a compiled plan depended on: its files, the files whose absence mattered, env, ids, cwd. */
export function planManifest(prepared: PreparedPlan, policyArg: string | undefined, ids: { helper: string; compiler: string; startedNs: bigint }): ManifestResult {
  return manifestRecords({
    files: prepared.files,
    absent: policyArgAbsent(policyArg),
    env: envDeps(prepared.resolved),
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    cwd: process.cwd(),
    helper: ids.helper,
    compiler: ids.compiler,
    startedNs: ids.startedNs,
  });
}

function status(line: string): void {
  if (process.env[STATUS_ENV]) writeSync(2, `nsjail-ts: cache: ${line}\n`);
}

/**
 * The plan to run: with a manifest, and stored at the requested path when nothing prevents it.
 * A plan that cannot be cached still runs; the reason is a status line or, for an unusable directory, a warning.
 */
export function cachePlan(cache: CacheRequest, prepared: PreparedPlan, req: RunRequest, used: Set<string>, flags: readonly FlagSpec[]): Buffer {
  const why = uncacheable(req, used, flags);
  if (why) {
    status(`not stored (${why})`);
    return prepared.plan;
  }
  const manifest = planManifest(prepared, req.policy, cache);
  if (!manifest.ok) {
    status(`not stored (${manifest.why})`);
    return prepared.plan;
  }
  const plan = encodePlan(withManifest(prepared.ops, manifest.records));
  const dir = dirname(cache.path);
  const bad = ensureCacheDir(dir);
  if (bad) {
    writeSync(2, `nsjail-ts: warning: not using the plan cache: ${bad}\n`);
    return plan;
  }
  try {
    writeAtomic(cache.path, plan);
    const refused = untrusted(cache.path, "plan");
    if (refused) throw new Error(refused);
    status("stored");
  } catch (e) {
    writeSync(2, `nsjail-ts: warning: not using the plan cache: ${(e as Error).message}\n`);
  }
  return plan;
}
