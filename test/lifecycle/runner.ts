// Lifecycle test helpers: the run command, process and registry probes.

import { readdirSync, readFileSync } from "node:fs";
import { baseEnv, runCli, tempDir, type RunOptions, type RunResult } from "../helpers/sandbox.js";

/** An environment with a registry of its own (XDG_RUNTIME_DIR), so tests do not see each other's names. */
export function lifecycleEnv(): Record<string, string> {
  const rt = tempDir("nsjail-ts-xdg-");
  return { ...baseEnv(tempDir("nsjail-ts-home-")), XDG_RUNTIME_DIR: rt };
}

/** nsjail-ts [flags] -- command (the CLI, whose run applies the lifecycle step), as the test uid. */
export function runLifecycle(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCli(args, opts);
}

export { processesWith } from "../helpers/processes.js";

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
