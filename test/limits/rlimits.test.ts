// rlimits and the wall-clock limit as the kernel enforces them inside a sandbox, through the CLI flags.

import t from "tap";
import { runCli, tempDir } from "../helpers/sandbox.js";

t.test("--rlimit values are what ulimit shows inside", async (t) => {
  const r = await runCli([
    "--rlimit", "nofile=64", "--rlimit", "stack=4M", "--rlimit", "core=0", "--rlimit", "fsize=1M",
    "--rlimit", "nproc=500", "--rlimit", "as=1G", "--rlimit", "cpu=30", "--rlimit", "memlock=64K", "--rlimit", "msgqueue=8192",
    "--", "sh", "-c", "echo $(ulimit -n) $(ulimit -s) $(ulimit -c) $(ulimit -f) $(ulimit -p) $(ulimit -v) $(ulimit -t) $(ulimit -l); grep -E '^Max (msgqueue|processes)' /proc/self/limits",
  ], { cwd: tempDir() });
  t.equal(r.code, 0, r.stderr);
  const [first, ...rest] = r.stdout.trim().split("\n");
  // dash: -n files, -s KiB, -c 512-byte blocks, -f 512-byte blocks, -p processes, -v KiB, -t seconds, -l KiB
  t.equal(first, "64 4096 0 2048 500 1048576 30 64");
  t.match(rest.join("\n"), /Max processes\s+500\s+500/);
  t.match(rest.join("\n"), /Max msgqueue size\s+8192\s+8192/);
});

t.test("bad --rlimit and --time-limit values: one line, exit 2", async (t) => {
  for (const args of [["--rlimit", "nofiles=3"], ["--rlimit", "nofile=lots"], ["--rlimit", "nofile"], ["--time-limit", "0"], ["--time-limit", "1.5s"], ["--pids", "-1"], ["--cpus", "many"]]) {
    const r = await runCli([...args, "--", "true"], { cwd: tempDir() });
    t.equal(r.code, 2, args.join(" "));
    t.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    t.match(r.stderr, new RegExp(args[0]!));
  }
});

// soft = hard: the kernel checks the hard limit first and sends SIGKILL (with hard above soft it would be SIGXCPU, 152).
t.test("RLIMIT_CPU ends a busy loop: SIGKILL at the hard limit, 137", async (t) => {
  const began = Date.now();
  const r = await runCli(["--rlimit", "cpu=1", "--", "sh", "-c", "while :; do :; done"], { cwd: tempDir(), timeoutMs: 30_000 });
  t.equal(r.code, 128 + 9, r.stderr);
  t.ok(Date.now() - began < 10_000, "within seconds");
});

t.test("--time-limit ends a busy loop with 124 and one line", async (t) => {
  const began = Date.now();
  const r = await runCli(["--time-limit", "1", "--", "sh", "-c", "while :; do :; done"], { cwd: tempDir(), timeoutMs: 30_000 });
  t.equal(r.code, 124);
  t.equal(r.stderr, "nsjail-ts: time limit of 1 s reached\n");
  t.ok(Date.now() - began < 6_000, "limit plus grace");
});
