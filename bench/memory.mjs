// Memory: peak RSS (VmHWM) of every process of a running sandbox that is not the command itself
// (front end/helper, its waiting parent, init), while `sleep` runs; against bwrap's processes.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { asUser, BWRAP_STARTUP, front, runAs, scratch, STARTUP_POLICY, table, writeOwned } from "./lib.mjs";

function tree(rootPid) {
  const parent = new Map();
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [rootPid];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

function status(pid) {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? 0);
  return { name: /^Name:\s+(.*)$/m.exec(s)?.[1] ?? "?", hwm: kb("VmHWM"), rss: kb("VmRSS") };
}

async function measure(argv) {
  const full = [...asUser(), ...argv, "--", "sleep", "3"];
  const child = spawn(full[0], full.slice(1), { stdio: "ignore" });
  await sleep(1500);
  const procs = tree(child.pid).map((p) => ({ pid: p, ...status(p) })).filter((p) => p.name !== "sleep");
  await new Promise((r) => child.on("exit", r));
  return { hwm: procs.reduce((n, p) => n + p.hwm, 0), rss: procs.reduce((n, p) => n + p.rss, 0), names: procs.map((p) => p.name).join(", ") };
}

export async function memory() {
  const dir = scratch();
  const policy = writeOwned(join(dir, "startup.json"), JSON.stringify(STARTUP_POLICY));
  runAs([front, "--policy", policy, "--", "true"]);
  const rows = [];
  for (const [name, argv] of [
    ["nsjail-ts warm", [front, "--policy", policy]],
    ["nsjail-ts cold", [front, "--no-cache", "--policy", policy]],
    ["bwrap", BWRAP_STARTUP],
  ]) {
    const m = await measure(argv);
    rows.push([name, `${m.hwm} KiB`, `${m.rss} KiB`, m.names]);
  }
  return { title: "Memory (everything but the command, while `sleep` runs)", body: table(["how", "peak RSS (sum of VmHWM)", "RSS now", "processes"], rows) };
}
