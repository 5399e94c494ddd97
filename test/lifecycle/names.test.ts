// Named sandboxes: ps shows them with their namespaces, exec enters them, kill signals them, names are unique.

import t from "tap";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { helperPath, runAs, runCli, tempDir, writePlanFile } from "../helpers/sandbox.js";
import { op, OpType as T } from "../../src/plan/ops.js";
import { encodePlan } from "../../src/plan/wire.js";
import { lifecycleEnv, runLifecycle, waitFor } from "./runner.js";

interface PsEntry {
  name: string;
  pid: number;
  helper: number;
  command: string[];
  uptime_ms: number;
  ns: Record<string, number>;
}

const inode = (link: string): number => Number(/\[(\d+)\]/.exec(link)![1]);

t.test("ps, exec and kill on a running named sandbox", async (t) => {
  const env = lifecycleEnv();
  const cwd = tempDir();
  const statusDir = tempDir();
  const statusFile = join(statusDir, "status.jsonl");
  const running = runLifecycle(["--name", "box1", "--status-file", statusFile, "--", "sh", "-c", "echo secret > /tmp/mark; sleep 20"], { env, cwd, timeoutMs: 30_000 });

  let ps: PsEntry[] = [];
  for (let i = 0; i < 60 && ps.length === 0; i++) {
    const r = await runCli(["ps", "--json"], { env, cwd });
    ps = JSON.parse(r.stdout || "[]") as PsEntry[];
    if (ps.length === 0) await sleep(100);
  }
  t.equal(ps.length, 1, "ps lists the sandbox");
  const e = ps[0]!;
  t.equal(e.name, "box1");
  t.same(e.command, ["sh", "-c", "echo secret > /tmp/mark; sleep 20"]);
  for (const [name, file] of [["user", "user"], ["mnt", "mnt"], ["pid", "pid"], ["uts", "uts"], ["ipc", "ipc"], ["net", "net"], ["cgroup", "cgroup"]] as const) {
    t.equal(e.ns[name], inode(readlinkSync(`/proc/${e.pid}/ns/${file}`)), `${name} inode equals /proc/PID/ns/${file} of init`);
  }
  t.equal(readFileSync(`/proc/${e.pid}/status`, "utf8").match(/^NSpid:\s+\d+\s+(\d+)/m)?.[1], "1", "the listed pid is the sandbox's PID 1");

  const table = await runCli(["ps"], { env, cwd });
  t.match(table.stdout, /^NAME\s+PID\s+UPTIME\s+USER\s+MNT\s+PID\s+UTS\s+IPC\s+NET\s+CGROUP\s+COMMAND\n/);
  t.match(table.stdout, new RegExp(`\\nbox1\\s+${e.pid}\\s+\\d+s\\s+${e.ns.user}\\s`));

  await waitFor(() => readFileSync(`/proc/${e.pid}/task/${e.pid}/children`, "utf8").trim() !== "", 2000);
  const inside = await runCli(["exec", "box1", "--", "sh", "-c", "hostname; cat /tmp/mark; readlink /proc/self/ns/pid /proc/self/ns/mnt; id -u; grep Seccomp: /proc/self/status"], { env, cwd });
  t.equal(inside.code, 0, inside.stderr);
  const [host, mark, pidns, mntns, uid, seccomp] = inside.stdout.trim().split("\n");
  t.equal(host, "nsjail-ts", "same hostname");
  t.equal(mark, "secret", "same files (the sandbox's private /tmp)");
  t.equal(inode(pidns!), e.ns.pid, "same PID namespace");
  t.equal(inode(mntns!), e.ns.mnt, "same mount namespace");
  t.equal(uid, "0", "same uid inside");
  t.match(seccomp, /Seccomp:\s+2/, "the sandbox's seccomp filter applies");

  const twice = await runLifecycle(["--name", "box1", "--", "true"], { env, cwd });
  t.equal(twice.code, 125, "a taken name is refused");
  t.match(twice.stderr, /name `box1` is taken by a running sandbox/);
  t.equal(twice.stderr.trim().split("\n").length, 1, twice.stderr);

  const missing = await runCli(["exec", "nobox", "--", "true"], { env, cwd });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /no running sandbox named "nobox"/);

  const k = await runCli(["kill", "box1", "HUP"], { env, cwd });
  t.equal(k.code, 0, k.stderr);
  const r = await running;
  t.equal(r.code, 128 + 1, "the command died of the relayed SIGHUP");
  t.same(readdirSync(join(env.XDG_RUNTIME_DIR!, "nsjail-ts")), [], "the registry entry is gone");
  const lines = readFileSync(statusFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 2);
  t.match(lines[0], { event: "started", pid: e.pid, helper: e.helper, ns: e.ns });
  t.match(lines[1], { event: "exited", exit_code: 129, signal: "SIGHUP", limit: null });
  t.ok((lines[1]!.wall_ms as number) > 0 && typeof lines[1]!.cpu_ms === "number" && (lines[1]!.max_rss_kb as number) > 0, JSON.stringify(lines[1]));
  const after = await runCli(["ps", "--json"], { env, cwd });
  t.equal(after.stdout, "[]\n");
});

t.test("exec into a sandbox that keeps a capability: its files, that capability, and mounts it cannot unlock", async (t) => {
  const env = lifecycleEnv();
  const cwd = tempDir();
  // A kept capability makes the helper lock the mounts in one more user and mount namespace; exec's process
  // gets such a locked layer of its own over the sandbox's mounts, as the command did.
  const running = runLifecycle(["--name", "capbox", "--cap-add", "CAP_SYS_ADMIN", "--", "sh", "-c", "echo secret > /tmp/mark; exec sleep 20"], { env, cwd, timeoutMs: 30_000 });
  let init = -1;
  for (let i = 0; i < 60 && init < 0; i++) {
    const ps = JSON.parse((await runCli(["ps", "--json"], { env, cwd })).stdout || "[]") as PsEntry[];
    init = ps[0]?.pid ?? -1;
    if (init < 0) await sleep(100);
  }
  t.ok(init > 0, "ps lists the sandbox");
  let command = -1;
  await waitFor(() => {
    command = Number(readFileSync(`/proc/${init}/task/${init}/children`, "utf8").trim().split(/\s+/)[0] || -1);
    return command > 0 && readFileSync(`/proc/${command}/comm`, "utf8").trim() === "sleep";
  }, 5000);
  const capsOf = (status: string): string | undefined => /^CapEff:\s+(\S+)/m.exec(status)?.[1];
  const script = "cat /tmp/mark; mount -o remount,bind,rw /usr 2>/dev/null; echo remount=$?; touch /usr/x 2>/dev/null; echo touch=$?; cat /proc/self/status";
  const inside = await runCli(["exec", "capbox", "--", "sh", "-c", script], { env, cwd });
  t.equal(inside.code, 0, inside.stderr);
  const [mark, remount, touch, ...status] = inside.stdout.split("\n");
  t.equal(mark, "secret", "the sandbox's files (its private /tmp)");
  t.equal(capsOf(status.join("\n")), capsOf(readFileSync(`/proc/${command}/status`, "utf8")), "the command's effective capabilities");
  t.equal(capsOf(status.join("\n")), "0000000000200000", "CAP_SYS_ADMIN alone");
  t.not(remount, "remount=0", "the read-only /usr cannot be remounted writable, even with CAP_SYS_ADMIN");
  t.not(touch, "touch=0", "and stays read-only");
  const k = await runCli(["kill", "capbox", "TERM"], { env, cwd });
  t.equal(k.code, 0, k.stderr);
  t.equal((await running).code, 128 + 15);
});

t.test("a SIGKILLed sandbox leaves a stale entry that ps ignores and the name can be taken again", async (t) => {
  const env = lifecycleEnv();
  const cwd = tempDir();
  let pid = -1;
  const running = runLifecycle(["--name", "again", "--", "sleep", "20"], { env, cwd, onSpawn: (p) => (pid = p) });
  const listed = await waitFor(() => {
    try {
      return readFileSync(join(env.XDG_RUNTIME_DIR!, "nsjail-ts", "again"), "utf8").includes("started");
    } catch {
      return false;
    }
  }, 5000);
  t.ok(listed, "the entry was written");
  process.kill(pid, "SIGKILL");
  await running;
  const ps = await runCli(["ps", "--json"], { env, cwd });
  t.equal(ps.stdout, "[]\n", "the stale entry is not listed");
  const next = await runLifecycle(["--name", "again", "--", "true"], { env, cwd });
  t.equal(next.code, 0, next.stderr);
});

t.test("joining another user's sandbox is refused by the helper", async (t) => {
  const plan = encodePlan([op(T.JoinNs, "test", [1n]), op(T.ForkPidNs, "test"), op(T.Env, "test", ["PATH=/bin"]), op(T.Exec, "test", ["/bin/true"])]);
  const r = await runAs(helperPath(), ["--plan-file", writePlanFile(plan)]);
  t.equal(r.code, 125);
  t.match(r.stderr, /sandbox process 1 belongs to uid 0, not to us/);
});

t.test("kill and exec usage errors", async (t) => {
  const env = lifecycleEnv();
  for (const args of [["kill"], ["kill", "x", "NOPE"], ["exec", "x"], ["ps", "extra"]]) {
    const r = await runCli(args, { env, cwd: tempDir() });
    t.equal(r.code, 2, args.join(" "));
    t.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
