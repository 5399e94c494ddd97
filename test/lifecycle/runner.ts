// Lifecycle test helpers: the run command with its lifecycle step (src/run/status.ts), process and registry probes.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, runAs, stageDir, tempDir, writeTestFile, type RunOptions, type RunResult } from "../helpers/sandbox.js";

/**
 * The run command as it is once it calls lifecyclePlan() before the handover: parse, prepare, add the
 * lifecycle ops, exec the helper. Written next to the staged build so the test uid can run it.
 */
const RUNNER = `import { writeSync } from "node:fs";
const d = process.argv[2];
const { parseRunArgs } = await import(d + "/cli/args.js");
const { emptyRequest } = await import(d + "/cli/flags/index.js");
const { prepareRequest } = await import(d + "/cli/request.js");
const { lifecyclePlan, lifecycleRequest } = await import(d + "/run/status.js");
const { execHelper } = await import(d + "/run/handover.js");
const { linuxSys } = await import(d + "/ffi/linux.js");
const { NsjailError } = await import(d + "/errors.js");
try {
  const req = parseRunArgs(process.argv.slice(3), emptyRequest(false));
  const prepared = prepareRequest(req);
  const l = lifecyclePlan(prepared, req.command, lifecycleRequest(req.runtime));
  for (const w of l.warnings) writeSync(2, "nsjail-ts: warning: " + w + "\\n");
  execHelper(linuxSys(), l.plan);
} catch (e) {
  if (!(e instanceof NsjailError)) throw e;
  writeSync(2, "nsjail-ts: " + e.message + "\\n");
  process.exit(e.code);
}
`;

let runnerPath: string | undefined;
function runner(): string {
  runnerPath ??= writeTestFile(tempDir("nsjail-ts-runner-"), "run.mjs", RUNNER);
  return runnerPath;
}

/** An environment with a registry of its own (XDG_RUNTIME_DIR), so tests do not see each other's names. */
export function lifecycleEnv(): Record<string, string> {
  const rt = tempDir("nsjail-ts-xdg-");
  return { ...baseEnv(tempDir("nsjail-ts-home-")), XDG_RUNTIME_DIR: rt };
}

/** nsjail-ts [flags] -- command, with the lifecycle step, as the test uid. */
export function runLifecycle(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runAs(process.execPath, [runner(), join(stageDir(), "dist"), ...args], opts);
}

/** Host pids whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, "latin1").includes(marker)) found.push(Number(d));
    } catch {
      /* ended while we looked */
    }
  }
  return found;
}

/** Processes owned by a uid (from /proc/PID/status). */
export function processesOf(uid: number): number[] {
  const found: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(readFileSync(`/proc/${d}/status`, "utf8"))) found.push(Number(d));
    } catch {
      /* ended while we looked */
    }
  }
  return found;
}

/** Poll until `check` holds or `ms` pass; returns whether it held. */
export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
