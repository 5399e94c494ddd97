// nsjail-ts ps: the caller's running named sandboxes, with each namespace's inode as lsns shows them.

import { usageError } from "../../errors.js";
import { parseSimple } from "../args.js";
import { listEntries, registryDir, type Entry } from "../../run/registry.js";

export const summary = "list your running named sandboxes (--json for scripts)";

const NS = ["user", "mnt", "pid", "uts", "ipc", "net", "cgroup"] as const;

function uptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, "0")}m` : m ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function table(entries: Entry[], now: number): string {
  const rows = [["NAME", "PID", "UPTIME", ...NS.map((n) => n.toUpperCase()), "COMMAND"]];
  for (const e of entries) rows.push([e.name, String(e.pid), uptime(now - e.timeMs), ...NS.map((n) => String(e.ns[n] ?? "-")), e.info.command.join(" ")]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

export async function main(argv: string[]): Promise<number> {
  const args = parseSimple({ "--json": Boolean }, argv);
  if (args._.length) throw usageError(`ps takes no arguments, got "${args._[0]}"`);
  const entries = listEntries(registryDir());
  const now = Date.now();
  if (args["--json"]) {
    const out = entries.map((e) => ({ name: e.name, pid: e.pid, helper: e.helper, command: e.info.command, started_ms: e.timeMs, uptime_ms: now - e.timeMs, ns: e.ns }));
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stdout.write(table(entries, now));
  }
  return 0;
}
