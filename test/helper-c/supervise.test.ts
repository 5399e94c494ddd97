// The processes that stay behind: signals are relayed, exit status is kept, the time limit and
// the parent's death end the whole sandbox.

import t from "tap";
import { mkdirSync, rmdirSync, writeFileSync, chownSync, existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { helperPath, runAs, TEST_GID, TEST_UID, writePlanFile } from "../helpers/sandbox.js";
import { op, sandboxPlan, T, type SandboxOpts } from "./plans.js";
import { processesWith } from "../helpers/processes.js";

function start(o: Omit<SandboxOpts, "uid" | "gid">, after?: (pid: number) => Promise<void>) {
  const plan = sandboxPlan({ uid: TEST_UID, gid: TEST_GID, ...o });
  let pid = -1;
  const done = runAs(helperPath(), ["--plan-file", writePlanFile(plan)], { onSpawn: (p) => (pid = p), timeoutMs: 30_000 });
  const acted = after ? sleep(50).then(() => after(pid)) : Promise.resolve();
  return Promise.all([done, acted]).then(([r]) => r);
}
const sh = (script: string): string[] => ["/bin/sh", "-c", script];


t.test("signals sent to the helper reach the command", async (t) => {
  const usr1 = await start({ argv: sh("trap 'exit 7' USR1; i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; exit 1") }, async (pid) => {
    await sleep(700);
    process.kill(pid, "SIGUSR1");
  });
  t.equal(usr1.code, 7, "the command's USR1 trap ran");
  const term = await start({ argv: ["/bin/sleep", "20"] }, async (pid) => {
    await sleep(700);
    process.kill(pid, "SIGTERM");
  });
  t.equal(term.code, 143, "killed by SIGTERM: 128+15");
});

t.test("the time limit ends the sandbox with 124 and one line", async (t) => {
  const began = Date.now();
  const r = await start({ argv: ["/bin/sleep", "20"], early: [op(T.TimeLimit, "test#/limits/time", [1n, 1n])] });
  t.equal(r.code, 124);
  t.equal(r.stderr, "nsjail-ts: time limit of 1 s reached\n");
  t.ok(Date.now() - began < 5000, "within the limit and grace");
  const stubborn = await start({ argv: sh("trap '' TERM; sleep 20"), early: [op(T.TimeLimit, "", [1n, 1n])] });
  t.equal(stubborn.code, 124, "a command ignoring SIGTERM is killed after the grace");
});

t.test("SIGKILL of the helper leaves no sandboxed process behind", async (t) => {
  const marker = `${31000 + (process.pid % 1000)}`;
  const r = await start({ argv: ["/bin/sleep", marker] }, async (pid) => {
    await sleep(700);
    t.ok(processesWith(`sleep\0${marker}`).length > 0, "the command was running");
    process.kill(pid, "SIGKILL");
  });
  t.equal(r.signal, "SIGKILL");
  await sleep(300);
  t.same(processesWith(`sleep\0${marker}`), [], "nothing left");
});

const pidsRoot = "/sys/fs/cgroup/pids";
t.test("join-cgroup puts the sandbox in the cgroup before anything else", { skip: (process.getuid?.() !== 0 || !existsSync(join(pidsRoot, "cgroup.procs"))) && "needs root and a pids cgroup hierarchy" }, async (t) => {
  const dir = join(pidsRoot, `nsjail-ts-test-${process.pid}`);
  mkdirSync(dir);
  t.teardown(() => rmdirSync(dir));
  writeFileSync(join(dir, "pids.max"), "3");
  chownSync(join(dir, "cgroup.procs"), TEST_UID, TEST_GID);
  // the relay, init and the shell make 3: one more process cannot start
  const r = await start({ argv: sh("/bin/true & wait; echo done"), early: [op(T.JoinCgroup, "", [dir])] });
  t.match(r.stderr, /fork|Resource temporarily unavailable/);
  const free = await start({ argv: sh("/bin/true & wait; echo done") });
  t.equal(free.stdout, "done\n", "without the cgroup the same command forks");
});
