// Isolation as the kernel reports it, for a sandbox started by an unprivileged user through the CLI.

import t from "tap";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { runAs, runCli, tempDir, TEST_UID, TEST_GID, writeTestFile } from "../helpers/sandbox.js";

const sh = (script: string, opts: { cwd?: string; policy?: string } = {}) =>
  runCli([...(opts.policy ? ["--policy", opts.policy] : []), "--", "/bin/sh", "-c", script], opts.cwd ? { cwd: opts.cwd } : {});

t.test("the caller is root inside, mapped to its own uid", async (t) => {
  const r = await sh("id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map");
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
  t.same(lines, ["0", "0", `0 ${TEST_UID} 1`, `0 ${TEST_GID} 1`]);
});

t.test("all seven namespaces differ from the caller's", async (t) => {
  const names = ["user", "mnt", "pid", "ipc", "uts", "net", "cgroup"];
  const script = names.map((n) => `readlink /proc/self/ns/${n}`).join("; ");
  const outside = await runAs("/bin/sh", ["-c", script]);
  const inside = await sh(script);
  t.equal(inside.code, 0, inside.stderr);
  const o = outside.stdout.trim().split("\n");
  const i = inside.stdout.trim().split("\n");
  t.equal(i.length, 7);
  names.forEach((n, k) => {
    t.match(i[k], new RegExp(`^${n}:\\[\\d+\\]$`));
    t.not(i[k], o[k], `${n} namespace is new`);
  });
});

t.test("the command sees only the sandbox's processes; init is PID 1", async (t) => {
  const r = await sh("ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '; echo; echo $$; cat /proc/1/cmdline | tr '\\0' ' '");
  t.equal(r.code, 0, r.stderr);
  const [pids, self] = r.stdout.split("\n");
  const list = pids!.trim().split(" ").map(Number);
  t.equal(list[0], 1, "PID 1 exists");
  // The shell, its pipeline and init: a few small pids, none of the host's hundreds.
  t.ok(list.length <= 10 && list.every((p) => p < 50), `only the sandbox's processes are visible: ${pids}`);
  t.ok(Number(self) > 1 && Number(self) < 10, `the command has a small pid (${self})`);
});

t.test("the hostname is the policy's; setting it inside leaves the host's alone", async (t) => {
  const host = execFileSync("hostname", { encoding: "utf8" }).trim();
  const r = await sh("hostname; hostname changed-inside 2>&1 || echo denied; hostname");
  t.equal(r.code, 0, r.stderr);
  const [before] = r.stdout.trim().split("\n");
  t.equal(before, "nsjail-ts");
  t.equal(execFileSync("hostname", { encoding: "utf8" }).trim(), host, "host hostname unchanged");
});

t.test("a command that keeps CAP_SYS_ADMIN sets its own hostname, not the host's", async (t) => {
  const host = execFileSync("hostname", { encoding: "utf8" }).trim();
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", JSON.stringify({ extends: "default", capabilities: { keep: ["CAP_SYS_ADMIN"] } }));
  const r = await runCli(["--policy", policy, "--", "/bin/sh", "-c", "hostname inside-name && hostname"], { cwd: dir });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), "inside-name");
  t.equal(execFileSync("hostname", { encoding: "utf8" }).trim(), host);
});

t.test("a SysV queue made on the host is invisible inside", async (t) => {
  const made = await runAs("ipcmk", ["-Q"]);
  const id = /(\d+)/.exec(made.stdout)?.[1];
  t.ok(id, `ipcmk made a queue: ${made.stdout} ${made.stderr}`);
  t.teardown(() => runAs("ipcrm", ["-q", id!]).then(() => undefined));
  const outside = await runAs("ipcs", ["-q"]);
  t.match(outside.stdout, new RegExp(`\\b${id}\\b`), "visible on the host");
  const inside = await sh("ipcs -q");
  t.equal(inside.code, 0, inside.stderr);
  t.notMatch(inside.stdout, new RegExp(`\\b${id}\\b`), "not visible inside");
});

t.test("only lo exists in the network namespace, and it is up", async (t) => {
  const r = await sh("cat /proc/net/dev; ip -o link show");
  t.equal(r.code, 0, r.stderr);
  const ifaces = r.stdout.split("\n").filter((l) => /^\s*\w+:/.test(l) && !/^\d+:/.test(l)).map((l) => l.trim().split(":")[0]);
  t.same(ifaces, ["lo"]);
  t.match(r.stdout, /^1: lo: <LOOPBACK,UP,LOWER_UP>/m);
});

t.test("files: private /tmp vanishes, the project dir persists, read-only binds refuse writes", async (t) => {
  const dir = tempDir();
  const marker = `nsjail-ts-private-${process.pid}`;
  const r = await sh(`echo x > /tmp/${marker} && ls /tmp; echo kept > out.txt; touch /usr/nsjail-ts-probe 2>&1; echo rc=$?`, { cwd: dir });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, marker, "visible inside while it runs");
  t.notOk(existsSync(`/tmp/${marker}`), "the private /tmp left nothing on the host");
  t.equal(readFileSync(join(dir, "out.txt"), "utf8"), "kept\n", "the project dir is writable and persists");
  t.match(r.stdout, /Read-only file system/, "EROFS under a read-only bind");
  t.match(r.stdout, /rc=1/);
  const again = await sh(`ls /tmp/${marker} 2>&1; true`, { cwd: dir });
  t.match(again.stdout, /No such file/, "a second sandbox gets a fresh /tmp");
});

t.test("root inside cannot write a root-owned host file that is bound read-write", { skip: process.getuid?.() !== 0 && "needs a root-owned file, so the suite must start as root" }, async (t) => {
  const dir = tempDir();
  const file = join(dir, "root-owned.txt");
  writeFileSync(file, "original\n");
  chmodSync(file, 0o644);
  const r = await sh("{ echo overwritten > root-owned.txt; } 2>&1; echo rc=$?", { cwd: dir });
  t.match(r.stdout, /Permission denied/);
  t.match(r.stdout, /rc=[12]\n$/);
  t.equal(readFileSync(file, "utf8"), "original\n");
});

t.test("exit codes come back exactly", async (t) => {
  for (const [script, code] of [["exit 0", 0], ["exit 1", 1], ["exit 42", 42], ["kill -TERM $$", 143]] as const) {
    const r = await sh(script);
    t.equal(r.code, code, `${script} → ${code} (${r.stderr.trim()})`);
  }
});
