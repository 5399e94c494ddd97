// Runs the nsjail-ts front end from a private copy of the staged build, so a test may change presets,
// the helper or the compiler without touching what other tests run.

import { cpSync, existsSync, symlinkSync, utimesSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { baseEnv, runAs, stageDir, tempDir, type RunResult } from "../helpers/sandbox.js";

export interface Front {
  root: string;
  home: string;
  /** Run `nsjail-ts ARGS` as the test uid with the cache status line on; env adds to a small base. */
  run(args: string[], opts?: { env?: Record<string, string>; cwd?: string; input?: string; onSpawn?: (pid: number) => void }): Promise<RunResult>;
}

/** A private package copy (node_modules linked) and a home of its own, hence an empty cache. */
export function privateFront(): Front {
  const stage = stageDir();
  const root = tempDir("nsjail-ts-pkg-");
  for (const part of ["dist", "helper-c/build", "policies", "package.json"]) cpSync(join(stage, part), join(root, part), { recursive: true });
  if (existsSync(join(stage, "node_modules"))) symlinkSync(join(stage, "node_modules"), join(root, "node_modules"));
  const home = tempDir("nsjail-ts-home-");
  const cwd = tempDir("nsjail-ts-cwd-");
  return {
    root,
    home,
    run: (args, opts = {}) =>
      runAs(join(root, "helper-c/build/nsjail-ts"), args, {
        cwd: opts.cwd ?? cwd,
        env: { ...baseEnv(home), NSJAIL_TS_CACHE_STATUS: "1", ...opts.env },
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
      }),
  };
}

/** The front end's (and compiler's) cache status line: "hit", "miss (why)", "stored", "not stored (why)". */
export function cacheLines(r: RunResult): string[] {
  return r.stderr.split("\n").flatMap((l) => (l.startsWith("nsjail-ts: cache: ") ? [l.slice(18)] : []));
}

/**
 * The compiler does not cache a plan that read a file changed within the last instants (it cannot tell
 * that change from one made while it compiled); tests that just wrote a file let the clock move past it.
 */
export const settle = (): Promise<void> => sleep(100);

/** Put back a file's mtime after rewriting it: only the ctime and the content still tell. */
export function keepMtime(path: string, write: () => void): void {
  const st = statSync(path);
  write();
  utimesSync(path, st.atime, st.mtime);
}
