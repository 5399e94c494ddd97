// Signals reach the command, and nothing of a sandbox survives it: processes, mounts, fds, temp files.

import t from "tap";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { helperPath, runAs, runCli, tempDir, TEST_GID, TEST_UID, writePlanFile } from "../helpers/sandbox.js";
import { sandboxPlan } from "../helper-c/plans.js";
import { processesWith, waitFor } from "./runner.js";

const comm = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
};

for (const [sig, n] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]] as const) {
  t.test(`${sig} sent to nsjail-ts reaches the command`, async (t) => {
    let pid = -1;
    const script = `trap 'echo got-${sig}; exit ${40 + n}' ${sig.slice(3)}; echo ready; while :; do sleep 0.05; done`;
    const done = runCli(["--", "sh", "-c", script], { cwd: tempDir(), onSpawn: (p) => (pid = p), timeoutMs: 20_000 });
    // Wait until the command runs (its "ready" line), then signal the helper that replaced nsjail-ts.
    await waitFor(() => processesWith(`got-${sig}`).some((p) => comm(p) === "sh"), 10_000);
    process.kill(pid, sig);
    const r = await done;
    t.equal(r.stdout, `ready\ngot-${sig}\n`, r.stderr);
    t.equal(r.code, 40 + n, "the command's trap decided the exit code");
  });
}

t.test("a background job of an exiting command does not survive", async (t) => {
  const marker = String(41000 + (process.pid % 1000));
  const began = Date.now();
  const r = await runCli(["--", "sh", "-c", `sleep ${marker} & exit 0`], { cwd: tempDir() });
  t.equal(r.code, 0);
  t.ok(Date.now() - began < 5000, "nsjail-ts does not wait for the orphan");
  await sleep(200);
  t.same(processesWith(`sleep\0${marker}`), [], "the orphaned sleep was killed with the PID namespace");
});

const mounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").length;

t.test("200 sandboxes in a row leave no process, fd, mount or temp file behind", async (t) => {
  const plan = writePlanFile(sandboxPlan({ uid: TEST_UID, gid: TEST_GID, argv: ["/bin/true"] }));
  const before = mounts();
  const tmp = tempDir();
  const script = `export TMPDIR=${tmp}; fds() { ls /proc/$$/fd | wc -l; }; a=$(fds); i=0; fail=0
while [ $i -lt 200 ]; do "$0" --plan-file "$1" || fail=$((fail+1)); i=$((i+1)); done
echo "$a $(fds) $fail"`;
  const began = Date.now();
  const r = await runAs("/bin/sh", ["-c", script, helperPath(), plan], { timeoutMs: 120_000 });
  t.equal(r.code, 0, r.stderr);
  const [fdsBefore, fdsAfter, failed] = r.stdout.trim().split(" ");
  t.equal(failed, "0", "every run exited 0");
  t.ok(Number(fdsAfter) <= Number(fdsBefore), `no fd accumulated in the caller (${fdsBefore} before, ${fdsAfter} after)`);
  t.same(processesWith(plan), [], "no process of those sandboxes runs");
  t.equal(mounts(), before, "no mount appeared on the host");
  t.same(readdirSync(tmp), [], "no temp file appeared in the TMPDIR they ran with");
  t.comment(`200 runs in ${Date.now() - began} ms`);
});
