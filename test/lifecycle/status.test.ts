// The exited status line: the command's own exit code or signal (init, as PID 1, can only exit 128+N), and
// which limit ended it.

import t from "tap";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/sandbox.js";
import { lifecycleEnv, runLifecycle } from "./runner.js";

async function exitedLine(args: string[]): Promise<{ code: number | null; line: Record<string, unknown> }> {
  const dir = tempDir();
  const file = join(dir, "status.jsonl");
  const r = await runLifecycle(["--status-file", file, ...args], { env: lifecycleEnv(), cwd: dir, timeoutMs: 30_000 });
  const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.code, line: lines.at(-1)! };
}

t.test("a command that exits 129 is an exit code, one killed by SIGKILL a signal", async (t) => {
  const exited = await exitedLine(["--", "sh", "-c", "exit 129"]);
  t.equal(exited.code, 129);
  t.match(exited.line, { event: "exited", exit_code: 129, "exit-code": 129, limit: null });
  t.notOk("signal" in exited.line, "no signal for an exit code above 128");
  const killed = await exitedLine(["--", "sh", "-c", "kill -KILL $$"]);
  t.equal(killed.code, 137);
  t.match(killed.line, { event: "exited", exit_code: 137, "exit-code": 137, signal: "SIGKILL", limit: null });
});

t.test("the limit that ended the command: wall-clock time, RLIMIT_CPU", async (t) => {
  const timed = await exitedLine(["--time-limit", "1", "--", "sleep", "30"]);
  t.equal(timed.code, 124);
  t.match(timed.line, { event: "exited", signal: "SIGTERM", limit: "time" });
  const cpu = await exitedLine(["--rlimit", "cpu=1", "--", "sh", "-c", "while :; do :; done"]);
  t.equal(cpu.code, 137, "soft = hard: the kernel's SIGKILL at the hard limit wins over SIGXCPU");
  t.match(cpu.line, { event: "exited", signal: "SIGKILL", limit: "rlimit-cpu" });
});
