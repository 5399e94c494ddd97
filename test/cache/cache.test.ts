// The plan cache seen from outside: a second identical run does not compile, and a change to anything the
// plan depended on (policy, preset, variable, directory, helper, compiler) recompiles before running.

import t from "tap";
import { chmodSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, writeTestFile } from "../helpers/sandbox.js";
import { cacheLines, keepMtime, privateFront, settle } from "./front.js";

const POLICY = (word: string) => JSON.stringify({ extends: "default", env: { set: { WORD: word } } });

t.test("the second identical run uses the cached plan and does the same", async (t) => {
  const f = privateFront();
  const a = await f.run(["--", "sh", "-c", "echo $TMPDIR; hostname"]);
  t.equal(a.code, 0, a.stderr);
  t.same(cacheLines(a), ["miss (no cache directory)", "stored"]);
  const b = await f.run(["--", "sh", "-c", "echo $TMPDIR; hostname"]);
  t.equal(b.code, 0, b.stderr);
  t.same(cacheLines(b), ["hit"]);
  t.equal(b.stdout, a.stdout);
  t.equal(b.stdout, "/tmp\nnsjail-ts\n");
  const dir = join(f.home, ".cache/nsjail-ts");
  t.equal(statSync(dir).mode & 0o777, 0o700, "the cache directory is private");
  const plans = readdirSync(dir);
  t.equal(plans.length, 1);
  t.equal(statSync(join(dir, plans[0]!)).mode & 0o777, 0o600);
  const other = await f.run(["--", "sh", "-c", "echo other"]);
  t.same(cacheLines(other), ["miss (no cached plan)", "stored"], "other arguments, another plan");
});

t.test("a policy rewritten with the same size and mtime is caught by its hash", async (t) => {
  const f = privateFront();
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", POLICY("one"));
  await settle();
  const args = ["--policy", policy, "--", "sh", "-c", "echo $WORD"];
  t.equal((await f.run(args, { cwd: dir })).stdout, "one\n");
  t.same(cacheLines(await f.run(args, { cwd: dir })), ["hit"]);
  keepMtime(policy, () => writeFileSync(policy, POLICY("two")));
  await settle();
  const r = await f.run(args, { cwd: dir });
  t.equal(r.stdout, "two\n", "the new policy ran");
  t.match(cacheLines(r)[0], /^miss \(.*p\.json changed\)$/);
  t.same(cacheLines(await f.run(args, { cwd: dir })), ["hit"]);
  // A rewrite with the very same bytes (new ctime) keeps the plan: the hash decides.
  keepMtime(policy, () => writeFileSync(policy, POLICY("two")));
  t.same(cacheLines(await f.run(args, { cwd: dir })), ["hit"]);
});

t.test("a variable the policy reads recompiles; other variables reach the command without one", async (t) => {
  const f = privateFront();
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", JSON.stringify({ extends: "default", env: { set: { GREETING: "${env:NAME}" } } }));
  await settle();
  const args = ["--policy", policy, "--", "sh", "-c", "echo $GREETING $LANG"];
  t.equal((await f.run(args, { cwd: dir, env: { NAME: "a", LANG: "C" } })).stdout, "a C\n");
  const kept = await f.run(args, { cwd: dir, env: { NAME: "a", LANG: "C.UTF-8" } });
  t.same(cacheLines(kept), ["hit"], "LANG is kept at run time, not compiled in");
  t.equal(kept.stdout, "a C.UTF-8\n");
  const changed = await f.run(args, { cwd: dir, env: { NAME: "b", LANG: "C" } });
  t.same(cacheLines(changed)[0], "miss (environment variable NAME changed)");
  t.equal(changed.stdout, "b C\n");
  const unset = await f.run(args, { cwd: dir, env: { LANG: "C" } });
  t.match(cacheLines(unset)[0], /^miss/);
});

t.test("the caller variables the compiler reads (HOME, USER, XDG_RUNTIME_DIR) are dependencies", async (t) => {
  const f = privateFront();
  const args = ["--", "true"];
  await f.run(args);
  t.same(cacheLines(await f.run(args)), ["hit"]);
  const r = await f.run(args, { env: { XDG_CACHE_HOME: join(f.home, ".cache"), USER: "someone-else" } });
  t.same(cacheLines(r)[0], "miss (environment variable USER changed)");
});

t.test("a changed preset recompiles", async (t) => {
  const f = privateFront();
  const args = ["--", "sh", "-c", "hostname"];
  t.equal((await f.run(args)).stdout, "nsjail-ts\n");
  const preset = join(f.root, "policies/default.json");
  writeFileSync(preset, JSON.stringify({ ...JSON.parse(readText(preset)), hostname: "changed" }));
  await settle();
  const r = await f.run(args);
  t.match(cacheLines(r)[0], /^miss \(.*default\.json changed\)$/);
  t.equal(r.stdout, "changed\n");
});

t.test("--policy NAME depends on the absence of a file NAME in the current directory", async (t) => {
  const f = privateFront();
  const dir = tempDir();
  const args = ["--policy", "build", "--", "sh", "-c", "hostname"];
  t.equal((await f.run(args, { cwd: dir })).code, 0);
  t.same(cacheLines(await f.run(args, { cwd: dir })), ["hit"]);
  writeTestFile(dir, "build", JSON.stringify({ extends: "default", hostname: "local-file" }));
  await settle();
  const r = await f.run(args, { cwd: dir });
  t.match(cacheLines(r)[0], /^miss \(.*\/build appeared\)$/);
  t.equal(r.stdout, "local-file\n");
});

t.test("another working directory, a rebuilt helper or compiler: another plan", async (t) => {
  const f = privateFront();
  const args = ["--", "true"];
  await f.run(args);
  t.same(cacheLines(await f.run(args)), ["hit"]);
  t.same(cacheLines(await f.run(args, { cwd: tempDir() })), ["miss (no cached plan)", "stored"]);
  const later = new Date(Date.now() + 5000);
  utimesSync(join(f.root, "helper-c/build/nsjail-ts"), later, later);
  t.same(cacheLines(await f.run(args)), ["miss (no cached plan)", "stored"], "helper");
  t.same(cacheLines(await f.run(args)), ["hit"]);
  utimesSync(join(f.root, "dist/cli/main.js"), later, later);
  t.same(cacheLines(await f.run(args)), ["miss (no cached plan)", "stored"], "compiler");
});

t.test("--no-cache, flags that read file descriptors, and subcommands never use the cache", async (t) => {
  const f = privateFront();
  t.same(cacheLines(await f.run(["--no-cache", "--", "true"])), []);
  t.same(cacheLines(await f.run(["--", "true"])), ["miss (no cache directory)", "stored"]);
  t.same(cacheLines(await f.run(["--no-cache", "--", "true"])), [], "no lookup at all");
  const fd = await f.run(["--file", "0", "/x", "--", "cat", "/x"]);
  t.same(cacheLines(fd).slice(1), ["not stored (--file uses an inherited file descriptor)"]);
  const check = await f.run(["check", "--", "true"]);
  t.equal(check.code, 0);
  t.same(cacheLines(check), []);
});

t.test("a cache directory or plan that others may write is refused with one warning line", async (t) => {
  const f = privateFront();
  const args = ["--", "sh", "-c", "echo ok"];
  await f.run(args);
  const dir = join(f.home, ".cache/nsjail-ts");
  const plan = join(dir, readdirSync(dir)[0]!);
  chmodSync(plan, 0o666);
  const r = await f.run(args);
  t.equal(r.stdout, "ok\n");
  t.match(r.stderr, /^nsjail-ts: warning: not using the plan cache: plan .* is writable by group or others$/m);
  t.same(cacheLines(r), [], "no lookup result, nothing stored");
  chmodSync(plan, 0o600);
  chmodSync(dir, 0o770);
  const d = await f.run(args);
  t.equal(d.stdout, "ok\n");
  t.match(d.stderr, /not using the plan cache: directory .* is writable by group or others/);
});

t.test("cache clear removes the plans; compile and run-plan ship a plan", async (t) => {
  const f = privateFront();
  await f.run(["--", "true"]);
  const clear = await f.run(["cache", "clear"]);
  t.match(clear.stdout, /^removed 1 cached plan from /);
  t.same(cacheLines(await f.run(["--", "true"])), ["miss (no cached plan)", "stored"]);
  const dir = tempDir();
  const out = join(dir, "echo.plan");
  const c = await f.run(["compile", "-o", out, "--", "echo", "compiled"], { cwd: dir });
  t.equal(c.code, 0, c.stderr);
  t.equal((await f.run(["run-plan", out], { cwd: dir })).stdout, "compiled\n");
  t.equal((await f.run(["run-plan", out, "--", "echo", "other"], { cwd: dir })).stdout, "other\n");
  const bad = await f.run(["run-plan", join(dir, "missing.plan")]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^nsjail-ts: run-plan: cannot open .*missing\.plan: No such file or directory\n$/);
  t.match((await f.run(["compile", "--", "true"])).stderr, /^nsjail-ts: compile needs -o PLAN/);
});

t.test("a compiled plan carries status lines; cgroup limits, made per run, are refused", async (t) => {
  const f = privateFront();
  const dir = tempDir();
  const out = join(dir, "status.plan");
  const statusFile = join(dir, "status.jsonl");
  const c = await f.run(["compile", "--status-file", statusFile, "-o", out, "--", "true"], { cwd: dir });
  t.equal(c.code, 0, c.stderr);
  t.equal((await f.run(["run-plan", out], { cwd: dir })).code, 0);
  const events = readText(statusFile).trim().split("\n").map((l) => (JSON.parse(l) as { event: string }).event);
  t.same(events, ["started", "exited"], "the helper's outer process wrote the status lines");
  const cg = await f.run(["compile", "--memory", "64M", "-o", join(dir, "cg.plan"), "--", "true"], { cwd: dir });
  t.equal(cg.code, 122);
  t.match(cg.stderr, /^nsjail-ts: .*#\/limits\/cgroup: cgroup limits are made per run and cannot be compiled into a plan file/);
});

const readText = (p: string): string => readFileSync(p, "utf8");
