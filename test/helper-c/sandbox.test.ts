// The helper's isolation, observed through the kernel, with the helper running as the unprivileged test uid.

import t from "tap";
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { helperPath, runAs, tempDir, TEST_GID, TEST_UID, writePlanFile, writeTestFile } from "../helpers/sandbox.js";
import { encodePlan } from "../../src/plan/wire.js";
import { BIND_RW, CAP_SYS_ADMIN, op, sandboxOps, sandboxPlan, T, type SandboxOpts } from "./plans.js";

const NS = ["cgroup", "ipc", "mnt", "net", "pid", "user", "uts"];

function run(o: Omit<SandboxOpts, "uid" | "gid">, extra: { extraFds?: number[]; args?: string[] } = {}) {
  const plan = sandboxPlan({ uid: TEST_UID, gid: TEST_GID, ...o });
  return runAs(helperPath(), ["--plan-file", writePlanFile(plan), ...(extra.args ?? [])], { extraFds: extra.extraFds });
}
const sh = (script: string): string[] => ["/bin/sh", "-c", script];

t.test("the caller's uid is root inside: uid_map is `0 <uid> 1`", async (t) => {
  const r = await run({ argv: sh("id -u; cat /proc/self/uid_map /proc/self/gid_map"), lockMounts: false });
  t.equal(r.code, 0, r.stderr);
  const [id, uidMap, gidMap] = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
  t.equal(id, "0");
  t.equal(uidMap, `0 ${TEST_UID} 1`);
  t.equal(gidMap, `0 ${TEST_GID} 1`);
});

t.test("all seven namespaces differ from the caller's", async (t) => {
  const r = await run({ argv: sh(NS.map((n) => `readlink /proc/self/ns/${n}`).join("; ")) });
  t.equal(r.code, 0, r.stderr);
  const inside = r.stdout.trim().split("\n");
  t.equal(inside.length, 7);
  NS.forEach((n, i) => t.not(inside[i], readlinkSync(`/proc/self/ns/${n}`), `${n} namespace differs`));
});

t.test("init is PID 1 and the command sees only the sandbox's processes", async (t) => {
  const r = await run({ argv: sh("cat /proc/1/comm; echo $$; ls /proc | grep -c '^[0-9]'") });
  t.equal(r.code, 0, r.stderr);
  const [comm, self, count] = r.stdout.trim().split("\n");
  t.equal(comm, "nsjail-ts-helpe", "PID 1 is the helper's init");
  t.equal(self, "2", "the command is PID 2");
  t.ok(Number(count) <= 4, `only a handful of processes visible (${count})`);
});

t.test("hostname: the policy's inside, the host's untouched even by a command with CAP_SYS_ADMIN", async (t) => {
  const before = hostname();
  const keepCaps = 1n << BigInt(CAP_SYS_ADMIN);
  const r = await run({ argv: sh("hostname; hostname evil-host && hostname"), keepCaps, lockMounts: false });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "nsjail-ts-test\nevil-host\n");
  t.equal(hostname(), before);
  // after lock-mounts the command's capabilities belong to a nested user namespace, which brings its own
  // copy of the UTS namespace: the command can still name itself, and the host's name stays
  const locked = await run({ argv: sh("hostname; hostname evil-host 2>&1; hostname"), keepCaps });
  t.equal(locked.stdout, "nsjail-ts-test\nevil-host\n");
  t.equal(hostname(), before);
});

t.test("network: only lo, and it is up", async (t) => {
  const r = await run({ argv: sh("tail -n +3 /proc/net/dev | cut -d: -f1; /usr/sbin/ip -o link") });
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => l.trim());
  t.same(lines.slice(0, 1), ["lo"], "/proc/net/dev lists only lo");
  t.match(lines[1], /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  t.equal(lines.length, 2);
});

t.test("read-only binds: EROFS, and root inside cannot write a root-owned host file", async (t) => {
  const dir = tempDir();
  const rootFile = join(dir, "root-owned");
  writeFileSync(rootFile, "host\n", { mode: 0o666 });
  chmodSync(rootFile, 0o644); // owned by the suite's uid; when that is root, nobody inside maps to it
  const r = await run({
    argv: sh(`touch /usr/x 2>&1; { echo inside >> /data/root-owned; } 2>&1; cat /data/root-owned`),
    mounts: [op(T.Bind, "test#/mounts/data", [dir, "/data"], BIND_RW)],
  });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /touch: cannot touch '\/usr\/x': Read-only file system/);
  if (process.getuid?.() === 0) {
    t.match(r.stdout, /Permission denied/);
    t.equal(readFileSync(rootFile, "utf8"), "host\n");
  }
});

t.test("a recursive read-only bind makes every submount read-only too", async (t) => {
  const r = await run({
    argv: sh("touch /hostdev/shm/nsjail-ts-probe 2>&1; grep ' /hostdev/' /proc/self/mountinfo | grep -c -v ' ro,'; true"),
    mounts: [op(T.Bind, "", ["/dev", "/hostdev"])],
  });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Read-only file system\n0\n$/, "no submount of the bind is writable (the host's /dev/shm among them)");
});

t.test("mounts are locked: a command keeping CAP_SYS_ADMIN cannot remount a read-only bind", async (t) => {
  const script = "mount -o remount,bind,rw /usr 2>&1 && echo REMOUNTED; umount /usr 2>&1 && echo UNMOUNTED; true";
  const locked = await run({ argv: sh(script), keepCaps: 1n << BigInt(CAP_SYS_ADMIN) });
  t.equal(locked.code, 0, locked.stderr);
  t.notMatch(locked.stdout, /REMOUNTED|UNMOUNTED/);
  // the same without lock-mounts succeeds: proof that the test can fail
  const unlocked = await run({ argv: sh(script), keepCaps: 1n << BigInt(CAP_SYS_ADMIN), lockMounts: false });
  t.match(unlocked.stdout, /REMOUNTED/);
});

t.test("private /tmp is gone after exit; a write in a rw bind persists", async (t) => {
  const dir = tempDir();
  const r = await run({
    argv: sh("echo secret > /tmp/f && echo kept > /work/out && ls /tmp"),
    mounts: [op(T.Bind, "test#/mounts/work", [dir, "/work"], BIND_RW)],
  });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "f\n");
  t.equal(readFileSync(join(dir, "out"), "utf8"), "kept\n");
  const again = await run({ argv: sh("ls -A /tmp") });
  t.equal(again.stdout, "");
});

t.test("exit codes come back exactly", async (t) => {
  for (const [script, code] of [["exit 0", 0], ["exit 1", 1], ["exit 42", 42], ["kill -TERM $$", 143]] as const) {
    const r = await run({ argv: sh(script) });
    t.equal(r.code, code, `${script} → ${code}`);
  }
  const asPid1 = await run({ argv: sh("exit 42"), spawn: false }); // no init: the command is PID 1
  t.equal(asPid1.code, 42, "also when the command itself is PID 1");
});

t.test("command not found 127, not executable 126, each with one line", async (t) => {
  const missing = await run({ argv: ["no-such-command"] });
  t.equal(missing.code, 127);
  t.equal(missing.stderr, "nsjail-ts: no-such-command: command not found\n");
  const dir = tempDir();
  writeTestFile(dir, "script", "#!/bin/sh\necho hi\n", 0o644);
  const denied = await run({ argv: ["/data/script"], mounts: [op(T.Bind, "", [dir, "/data"])] });
  t.equal(denied.code, 126);
  t.equal(denied.stderr, "nsjail-ts: /data/script: Permission denied\n");
});

t.test("an executable file without #! runs as a shell script, as execvp runs it, by path and from PATH", async (t) => {
  const dir = tempDir();
  writeTestFile(dir, "plain", 'echo "$0 $1 $2"; exit 7\n', 0o755);
  const mounts = [op(T.Bind, "", [dir, "/data"])];
  const byPath = await run({ argv: ["/data/plain", "a", "b c"], mounts });
  t.equal(byPath.code, 7, byPath.stderr);
  t.equal(byPath.stdout, "/data/plain a b c\n", "/bin/sh got the file as $0 and the arguments after it");
  const fromPath = await run({ argv: ["plain", "x"], mounts, env: ["PATH=/data:/usr/bin:/bin"] });
  t.equal(fromPath.code, 7, fromPath.stderr);
  t.equal(fromPath.stdout, "/data/plain x \n");
});

t.test("a setup failure names the op, path and errno, on stderr and on the error fd", async (t) => {
  const dir = tempDir();
  const errFile = writeTestFile(dir, "err", "");
  const fd = openSync(errFile, "w");
  const r = await run(
    { argv: ["/bin/true"], mounts: [op(T.Bind, "build.json#/mounts/3", ["/no/such/dir", "/x"])] },
    { extraFds: [fd], args: ["--error-fd", "3"] },
  );
  t.equal(r.code, 125);
  t.equal(r.stderr, "nsjail-ts: build.json#/mounts/3: bind `/no/such/dir`: No such file or directory\n");
  const index = sandboxOps({ uid: 0, gid: 0, argv: ["x"] }).findIndex((o) => o.type === T.PivotRoot);
  t.equal(readFileSync(errFile, "utf8"), `E 125 ${index} 2 build.json#/mounts/3: bind \`/no/such/dir\`: No such file or directory\n`);
  const tried = await run({ argv: ["/bin/true"], mounts: [op(T.Bind, "", ["/no/such/dir", "/x"], 0x2)] });
  t.equal(tried.code, 0, "bind-try skips a missing source");
});

t.test("a symlink in a bound directory cannot aim a mount outside the new root", async (t) => {
  const dir = tempDir();
  const name = `escape-${process.pid}-${Date.now()}`;
  symlinkSync("/tmp", join(dir, "link")); // on the host this is the host's /tmp, which the test uid may write
  const r = await run({
    argv: sh(`ls /tmp/${name}/usr/bin/env && echo BOUND`),
    mounts: [op(T.Bind, "", [dir, "/d"], BIND_RW), op(T.Bind, "", ["/usr", `/d/link/${name}/usr`])],
  });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, `/tmp/${name}/usr/bin/env\nBOUND\n`, "the link was followed inside the new root");
  t.notOk(existsSync(join("/tmp", name)), "nothing was created on the host through the link");
});

t.test("fds above 2 do not reach the command", async (t) => {
  const dir = tempDir();
  const fds = [0, 1, 2].map((i) => openSync(writeTestFile(dir, `f${i}`, "x"), "r"));
  const r = await run({ argv: sh("for f in 3 4 5 6; do [ -e /proc/$$/fd/$f ] && echo open $f; done; true") }, { extraFds: fds });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "");
});

t.test("dev, file, dir, chmod, symlink and tmpfs ops", async (t) => {
  const r = await run({
    argv: sh(
      "echo x > /dev/null && head -c 4 /dev/zero | wc -c && ls /dev/pts/ptmx && readlink /dev/ptmx /dev/fd;" +
        "cat /etc2/motd; echo y > /etc2/motd 2>/dev/null || echo RO; stat -c %a /etc2/motd /d1/d2 /d1 /t; " +
        "echo z > /t/z 2>/dev/null || echo TRO",
    ),
    mounts: [
      op(T.File, "", ["/etc2/motd", Buffer.from("hello\n"), 0o640n], 1),
      op(T.Dir, "", ["/d1/d2", 0o711n]),
      op(T.Tmpfs, "", ["/t", 1n << 20n, 0o755n], 1),
      op(T.Chmod, "", ["/d1", 0o750n]),
    ],
  });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "4\n/dev/pts/ptmx\npts/ptmx\n/proc/self/fd\nhello\nRO\n640\n711\n750\n755\nTRO\n");
});

t.test("kept capabilities survive exec; others are gone", async (t) => {
  const keep = await run({ argv: sh("grep -E '^Cap(Eff|Bnd)' /proc/self/status"), keepCaps: 1n << BigInt(CAP_SYS_ADMIN) });
  t.equal(keep.stdout, "CapEff:\t0000000000200000\nCapBnd:\t0000000000200000\n");
  const none = await run({ argv: sh("grep -E '^Cap(Eff|Bnd)' /proc/self/status") });
  t.equal(none.stdout, "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n");
  const user = await run({
    argv: sh("id -u; grep -E '^Cap(Eff|Amb)' /proc/self/status"),
    insideId: 1000,
    setIds: [1000, 1000],
    keepCaps: 1n << 21n,
  });
  t.equal(user.stdout, "1000\nCapEff:\t0000000000200000\nCapAmb:\t0000000000200000\n", user.stderr);
});

t.test("rlimit and seccomp are applied", { skip: process.arch !== "x64" && "x86_64 syscall numbers" }, async (t) => {
  // x86_64: return EPERM for mkdir (83) and mkdirat (258), allow the rest
  const insn = (code: number, jt: number, jf: number, k: number) => {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(code, 0);
    b.writeUInt8(jt, 2);
    b.writeUInt8(jf, 3);
    b.writeUInt32LE(k >>> 0, 4);
    return b;
  };
  const prog = Buffer.concat([insn(0x20, 0, 0, 0), insn(0x15, 2, 0, 83), insn(0x15, 1, 0, 258), insn(0x06, 0, 0, 0x7fff0000), insn(0x06, 0, 0, 0x00050001)]);
  const r = await run({
    argv: sh("ulimit -n; mkdir /tmp/x 2>&1; true"),
    late: [op(T.Rlimit, "", [7n, 64n, 64n]), op(T.Seccomp, "", [prog])],
  });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^64\nmkdir: cannot create directory '\/tmp\/x': Operation not permitted\n$/);
});

t.test("overlay with a tmp upper: writes stay inside", async (t) => {
  const lower = tempDir();
  writeTestFile(lower, "a", "lower\n");
  const r = await run({
    argv: sh("cat /o/a && echo changed > /o/a && echo new > /o/b && cat /o/a /o/b"),
    mounts: [op(T.Overlay, "", ["/o", "", "", lower], 0x1)],
  });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "lower\nchanged\nnew\n");
  t.equal(readFileSync(join(lower, "a"), "utf8"), "lower\n");
  t.notOk(existsSync(join(lower, "b")));
});

t.test("bind-fd binds what an inherited fd refers to", async (t) => {
  const dir = tempDir();
  writeTestFile(dir, "inside", "via fd\n");
  const fd = openSync(dir, "r");
  const r = await run({ argv: sh("cat /fdbind/inside"), mounts: [op(T.BindFd, "", [3n, "/fdbind"])] }, { extraFds: [fd] });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "via fd\n");
});

t.test("root-dir: a host directory as the base of the new root", async (t) => {
  const root = tempDir();
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "etc", "marker"), "rootdir\n");
  chmodSync(join(root, "etc", "marker"), 0o644);
  const ops = sandboxOps({ uid: TEST_UID, gid: TEST_GID, argv: ["/bin/cat", "/etc/marker"] });
  const at = ops.findIndex((o) => o.type === T.RootTmpfs);
  ops[at] = op(T.RootDir, "", [root]);
  // keep only the system mounts that do not cover /etc
  const plan = encodePlan(ops.filter((o) => !(o.type === T.Bind && o.items[1] === "/etc")));
  const r = await runAs(helperPath(), ["--plan-file", writePlanFile(plan)]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "rootdir\n");
});
