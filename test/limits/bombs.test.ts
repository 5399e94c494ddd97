// A fork bomb and a memory bomb under the untrusted preset end within seconds and leave nothing behind.

import t from "tap";
import { setTimeout as sleep } from "node:timers/promises";
import { runCli, tempDir } from "../helpers/sandbox.js";
import { processesWith } from "../lifecycle/runner.js";

t.test("a fork bomb hits the nproc rlimit and dies with the sandbox", async (t) => {
  const marker = `bomb${process.pid}`;
  const began = Date.now();
  // The bomb runs in the background and its shells report each refused fork; 3 s later the script counts
  // them and exits, and init's exit takes every remaining bomb process with it.
  const script = `${marker}() { ${marker} | ${marker} & }; ${marker} 2>/tmp/err; sleep 3; echo refused $(grep -c 'Cannot fork' /tmp/err)`;
  const r = await runCli(["--policy", "untrusted", "--", "sh", "-c", script], { cwd: tempDir(), timeoutMs: 60_000 });
  t.ok(Date.now() - began < 30_000, `ended in ${Date.now() - began} ms`);
  const refused = Number(/^refused (\d+)$/m.exec(r.stdout)?.[1] ?? 0);
  t.ok(refused > 0, `the nproc limit refused forks (${refused} times)`);
  await sleep(300);
  t.same(processesWith(marker), [], "no bomb process is left on the host");
});

t.test("a memory bomb hits the address-space rlimit", async (t) => {
  const began = Date.now();
  const r = await runCli(["--policy", "untrusted", "--", "mawk", "BEGIN { s = \"xxxxxxxxxxxxxxxx\"; while (1) s = s s }"], { cwd: tempDir(), timeoutMs: 60_000 });
  t.ok(Date.now() - began < 30_000, `ended in ${Date.now() - began} ms`);
  t.not(r.code, 0, "awk failed");
  t.match(r.stderr, /memory|allocate/i, r.stderr);
});
