// The CLI end to end: a real build through policies/build.json, bad input, and no process left behind.

import t from "tap";
import { cpSync, existsSync, mkdirSync, readFileSync, chownSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { baseEnv, projectRoot, runAs, runCli, tempDir, TEST_GID, TEST_UID, writeTestFile } from "../helpers/sandbox.js";
import { processesWith } from "../helpers/processes.js";

t.test("--help and --version", async (t) => {
  const help = await runCli(["--help"]);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: nsjail-ts/);
  const version = await runCli(["--version"]);
  t.equal(version.code, 0);
  t.match(version.stdout, /^nsjail-ts \d+\.\d+\.\d+\n$/);
});

t.test("make builds a small C project through policies/build.json", async (t) => {
  const dir = tempDir();
  const proj = join(dir, "hello");
  mkdirSync(proj);
  for (const f of ["hello.c", "Makefile"]) cpSync(join(projectRoot, "examples/hello", f), join(proj, f));
  if (process.getuid?.() === 0) for (const p of [proj, join(proj, "hello.c"), join(proj, "Makefile")]) chownSync(p, TEST_UID, TEST_GID);
  const r = await runCli(["--policy", "build", "--", "make"], { cwd: proj });
  t.equal(r.code, 0, r.stderr);
  t.ok(existsSync(join(proj, "hello")), "the binary was written to the project dir");
  const run = await runCli(["--policy", "build", "--", "./hello"], { cwd: proj });
  const hostname = (JSON.parse(readFileSync(join(projectRoot, "policies/build.json"), "utf8")) as { hostname: string }).hostname;
  t.equal(run.stdout, `hello from ${hostname}, uid 0\n`, "built and ran inside the sandbox, as root there");
});

const oneLine = (s: string) => s.trim().split("\n").length === 1;

t.test("bad input: one line, the documented exit code, nothing runs", async (t) => {
  const dir = tempDir();
  const missing = await runCli(["--policy", join(dir, "nope.json"), "--", "true"], { cwd: dir });
  t.equal(missing.code, 122);
  t.ok(oneLine(missing.stderr), missing.stderr);
  t.match(missing.stderr, /nope\.json.*(No such file|ENOENT|does not exist)/i);

  const bad = writeTestFile(dir, "bad.json", '{\n  "hostname": "x",\n  "mounts": [\n    {"type": "proc" "dst": "/proc"}\n  ]\n}\n');
  const syntax = await runCli(["--policy", bad, "--", "true"], { cwd: dir });
  t.equal(syntax.code, 122);
  t.ok(oneLine(syntax.stderr), syntax.stderr);
  t.match(syntax.stderr, /bad\.json:4:\d+/);

  const bind = writeTestFile(dir, "bind.json", JSON.stringify({ extends: "default", mounts: [{ type: "bind", src: "/nonexistent/src", dst: "/x" }] }, null, 2));
  const b = await runCli(["--policy", bind, "--", "true"], { cwd: dir });
  t.equal(b.code, 122);
  t.ok(oneLine(b.stderr), b.stderr);
  t.match(b.stderr, /bind\.json:\d+:\d+.*#\/mounts\/\d+\/src.*\/nonexistent\/src does not exist/);

  const flag = await runCli(["--no-such-flag", "--", "true"], { cwd: dir });
  t.equal(flag.code, 2);
  t.ok(oneLine(flag.stderr), flag.stderr);
  t.match(flag.stderr, /unknown option.*--no-such-flag/);

  const notFound = await runCli(["--", "no-such-command-xyz"], { cwd: dir });
  t.equal(notFound.code, 127);
  t.ok(oneLine(notFound.stderr), notFound.stderr);
  t.match(notFound.stderr, /no-such-command-xyz: command not found/);

  const notExec = writeTestFile(dir, "script.sh", "#!/bin/sh\necho hi\n", 0o644);
  const ne = await runCli(["--", notExec], { cwd: dir });
  t.equal(ne.code, 126);
  t.ok(oneLine(ne.stderr), ne.stderr);
  for (const r of [missing, syntax, b, flag, notFound, ne]) t.notMatch(r.stderr, /\n\s+at /, "no stack trace");
});


t.test("SIGKILL of nsjail-ts leaves no sandboxed process behind", async (t) => {
  // The sleeps' own argument is the marker, so the shell and both sleeps carry it in their cmdline.
  const marker = String(800000 + (process.pid % 100000));
  let pid = -1;
  const done = runCli(["--", "/bin/sh", "-c", `sleep ${marker} & sleep ${marker}; true`], { onSpawn: (p) => (pid = p) });
  for (let i = 0; i < 100 && processesWith(marker).length < 2; i++) await sleep(50);
  t.ok(processesWith(marker).length >= 2, "the sandbox is running");
  process.kill(pid, "SIGKILL");
  await done;
  for (let i = 0; i < 20 && processesWith(marker).length > 0; i++) await sleep(50);
  t.same(processesWith(marker), [], "nothing with the marker survives within a second");
});

t.test("the run as a non-root caller really is unprivileged", async (t) => {
  const r = await runAs("id", ["-u"]);
  t.not(r.stdout.trim(), "0", "the CLI and sandbox run as a non-root uid");
});

t.test("--unsetenv adds to the policy's unset list instead of replacing it", async (t) => {
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", JSON.stringify({ extends: "default", env: { clear: false, unset: ["SECRET"] } }));
  const env = { ...baseEnv(tempDir("nsjail-ts-home-")), SECRET: "s", OTHER: "o", KEPT: "k" };
  const r = await runCli(["--policy", policy, "--unsetenv", "OTHER", "--", "sh", "-c", 'echo "${SECRET-gone} ${OTHER-gone} ${KEPT-gone}"'], { cwd: dir, env });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "gone gone k\n", "the policy's SECRET stays unset beside the flag's OTHER");
});

t.test("--cap-add and --cap-drop edit the policy's own capability list", async (t) => {
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", JSON.stringify({ extends: "default", capabilities: { keep: ["CAP_NET_BIND_SERVICE", "CAP_KILL"] } }));
  const capEff = async (flags: string[]): Promise<string | undefined> => {
    const r = await runCli(["--policy", policy, ...flags, "--", "grep", "CapEff", "/proc/self/status"], { cwd: dir });
    t.equal(r.code, 0, r.stderr);
    return /CapEff:\s+(\S+)/.exec(r.stdout)?.[1];
  };
  t.equal(await capEff([]), "0000000000000420", "the policy's CAP_KILL (5) and CAP_NET_BIND_SERVICE (10)");
  t.equal(await capEff(["--cap-add", "CAP_CHOWN"]), "0000000000000421", "plus CAP_CHOWN (0)");
  t.equal(await capEff(["--cap-drop", "CAP_KILL"]), "0000000000000400", "minus CAP_KILL");
});
