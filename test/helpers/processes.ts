// Host-side process probes for tests: which processes are still alive after a sandbox.

import { readdirSync, readFileSync } from "node:fs";

/** Host pids whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, "latin1").includes(marker)) found.push(Number(d));
    } catch {
      /* the process ended while we looked */
    }
  }
  return found;
}
