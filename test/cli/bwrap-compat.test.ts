// Each bwrap-style flag with an effect inside the sandbox, run through bubblewrap itself and through
// nsjail-ts's bwrap mode with the same arguments: the command inside must observe the same things.

import t, { type Test } from "tap";
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runAs, stageDir, tempDir, writeTestFile, type RunResult } from "../helpers/sandbox.js";

const haveBwrap = spawnSync("bwrap", ["--version"]).status === 0;
if (!haveBwrap) t.plan(0, "bubblewrap (bwrap) is not installed");

// Until src/cli/request.ts applies bwrapLayers(), the driver does what `nsjail-ts bwrap` will.
const work = tempDir("nsjail-ts-bwrap-compat-");
const driver = join(work, "bwrap-driver.mjs");
copyFileSync(fileURLToPath(new URL("./fixtures/bwrap-driver.mjs", import.meta.url)), driver);
const empty = writeTestFile(work, "empty.json", "{}\n");

/** A system just big enough for sh and coreutils, as most bwrap command lines start. */
const SYSTEM = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin"];

interface Both {
  bwrap: RunResult;
  ours: RunResult;
}

async function both(args: string[], script: string, opts: { cwd?: string; fds?: () => number[] } = {}): Promise<Both> {
  const argv = [...args, "--", "sh", "-c", script];
  const cwd = opts.cwd ?? tempDir();
  const bwrap = await runAs("bwrap", argv, { cwd, extraFds: opts.fds?.() ?? [] });
  const ours = await runAs(process.execPath, [driver, stageDir(), empty, ...argv], { cwd, extraFds: opts.fds?.() ?? [] });
  return { bwrap, ours };
}

/** Same stdout and exit status; nsjail-ts may warn on stderr, bwrap's words differ, so stderr is shown only. */
async function same(t: Test, args: string[], script: string, opts: { cwd?: string; fds?: () => number[] } = {}): Promise<Both> {
  const r = await both(args, script, opts);
  t.equal(r.ours.stdout, r.bwrap.stdout, `stdout of ${args.filter((a) => !SYSTEM.includes(a)).join(" ")}`, { oursStderr: r.ours.stderr, bwrapStderr: r.bwrap.stderr });
  t.equal(r.ours.code, r.bwrap.code, `exit status of ${args.filter((a) => !SYSTEM.includes(a)).join(" ")}`);
  return r;
}

/** An fd open on a file holding `content`, for the child as fd 3 (closed here once passed). */
function fdOf(name: string, content: string): () => number[] {
  const p = writeTestFile(work, name, content);
  return () => {
    const fd = openSync(p, "r");
    setTimeout(() => closeSync(fd), 5000);
    return [fd];
  };
}

t.test("ids, maps, hostname and cwd with no other flags", async (t) => {
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid"], 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; hostname; pwd; echo "PWD=$PWD"; ls /; echo $$');
});

t.test("--proc without --unshare-pid shows the host's processes", async (t) => {
  await same(t, [...SYSTEM, "--proc", "/proc"], "[ -d /proc/1 ] && echo has-pid-1");
});

t.test("--unshare-all --hostname --setenv --chdir", async (t) => {
  await same(t, [...SYSTEM, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--unshare-all", "--hostname", "h", "--setenv", "A", "1", "--chdir", "/tmp"],
    'hostname; echo "A=$A PWD=$PWD"; pwd; echo $$; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ls /dev | sort | tr "\\n" " "; echo');
});

t.test("--share-net and the -try forms", async (t) => {
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-all", "--share-net", "--unshare-user-try", "--unshare-cgroup-try"],
    'tail -n +3 /proc/net/dev | wc -l | tr -d " " | sed "s/^0$/none/;s/^[1-9][0-9]*$/some/"; echo $$');
});

t.test("--uid and --gid map the caller to other ids", async (t) => {
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--uid", "0", "--gid", "0"], "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map");
  await same(t, [...SYSTEM, "--uid", "1000", "--gid", "1001"], "id -u; id -g");
});

t.test("environment flags, applied in order", async (t) => {
  await same(t, [...SYSTEM, "--clearenv", "--setenv", "B", "2"], "env | sort");
  await same(t, [...SYSTEM, "--setenv", "A", "1", "--unsetenv", "A", "--unsetenv", "HOME", "--setenv", "C", "x y"], 'echo "A=${A-unset} HOME=${HOME-unset} C=$C"');
});

t.test("read-only and read-write binds, tmpfs, --remount-ro, --bind-try, --ro-bind-try", async (t) => {
  const dir = tempDir();
  writeTestFile(dir, "f", "content\n");
  mkdirSync(join(dir, "sub"));
  const probe = (p: string) => `(echo x > ${p}/probe) 2>/dev/null && echo "${p} rw" || echo "${p} ro"`;
  await same(t, [...SYSTEM, "--dev", "/dev", "--tmpfs", "/tmp", "--bind", dir, "/w", "--ro-bind", dir, "/r", "--bind", dir, "/m", "--remount-ro", "/m",
    "--bind-try", "/nonexistent", "/n", "--ro-bind-try", "/nonexistent", "/n2", "--dev-bind", "/dev/null", "/null", "--ro-bind", "/dev/null", "/rnull"],
    [probe("/usr"), probe("/tmp"), probe("/w"), probe("/r"), probe("/m"), "cat /r/f", "ls -d /n /n2 2>&1 | wc -l", "echo ok > /null && echo null-writable", "(echo ok > /rnull) 2>/dev/null && echo rnull-writable || echo rnull-refused"].join("; "));
});

t.test("--perms and --size on --tmpfs and --dir; --dir, --symlink", async (t) => {
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--perms", "0700", "--tmpfs", "/p", "--size", "65536", "--tmpfs", "/s", "--perms", "0750", "--dir", "/d", "--dir", "/e",
    "--symlink", "/p", "/link"],
    'stat -c "%a %n" /p /s /d /e; readlink /link; df -k /s | tail -1 | tr -s " " | cut -d" " -f2');
});

t.test("--file, --bind-data and --ro-bind-data from an fd", async (t) => {
  for (const flag of ["--file", "--bind-data", "--ro-bind-data"]) {
    await same(t, [...SYSTEM, "--dev", "/dev", "--tmpfs", "/etc", flag, "3", "/etc/data"], 'cat /etc/data; stat -c "%a" /etc/data; (echo more >> /etc/data) 2>/dev/null && echo writable || echo read-only',
      { fds: fdOf(`data${flag}`, "from the fd\n") });
  }
  await same(t, [...SYSTEM, "--perms", "0640", "--file", "3", "/f"], 'stat -c "%a" /f', { fds: fdOf("perms", "x") });
});

t.test("--args: options from an fd", async (t) => {
  await same(t, ["--args", "3", "--setenv", "Z", "z"], 'echo "$X$Z"; ls -d /usr', { fds: fdOf("args", `${SYSTEM.join("\0")}\0--setenv\0X\0x\0`) });
});

t.test("--new-session puts the command in a session of its own", async (t) => {
  // Outside the PID namespace a session shows as 0; bwrap's init leads the new session, the helper's command does.
  const script = 's=$(cut -d" " -f6 /proc/self/stat); [ "$s" = 0 ] && echo outside-session || echo own-session';
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--new-session"], script);
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid"], script);
});

t.test("--cap-add and --cap-drop", async (t) => {
  const caps = "grep -E '^Cap(Eff|Prm|Bnd|Amb)' /proc/self/status";
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid"], caps);
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--cap-add", "CAP_NET_ADMIN", "--cap-add", "cap_chown", "--cap-drop", "CAP_CHOWN"], caps);
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--uid", "0", "--cap-add", "ALL"], caps);
});

t.test("--mqueue and --unshare-ipc", async (t) => {
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--unshare-ipc", "--mqueue", "/dev/mqueue"], "grep -c ' /dev/mqueue mqueue ' /proc/self/mounts");
});

t.test("the working directory follows bwrap: the caller's if it is inside, else $HOME, else /", async (t) => {
  const dir = tempDir();
  await same(t, [...SYSTEM, "--bind", dir, dir], "pwd; echo $PWD", { cwd: dir });
  await same(t, [...SYSTEM, "--setenv", "HOME", "/usr/share"], "pwd; echo $PWD", { cwd: dir });
  await same(t, [...SYSTEM], "pwd", { cwd: dir });
});

t.test("errors bwrap also refuses are refused, before anything runs", async (t) => {
  for (const args of [["--hostname", "h"], ["--perms", "0700", "--ro-bind", "/", "/"], ["--size", "1", "--dir", "/x"], ["--bind", "/nonexistent", "/x"]]) {
    const r = await both([...SYSTEM, ...args], "echo ran");
    t.not(r.bwrap.code, 0, `bwrap refuses ${args.join(" ")}`);
    t.not(r.ours.code, 0, `nsjail-ts refuses ${args.join(" ")}`);
    t.equal(r.ours.stdout, "");
    t.equal(r.ours.stderr.trim().split("\n").length, 1, r.ours.stderr);
  }
});

// bubblewrap 0.12's overlay flags are newer than the bwrap Debian ships, so here the expectation is written out.
t.test("--overlay-src with --tmp-overlay, --ro-overlay and --overlay", async (t) => {
  const dir = tempDir();
  for (const d of ["l1", "l2", "up", "wk"]) mkdirSync(join(dir, d));
  writeTestFile(join(dir, "l1"), "a", "bottom\n");
  writeTestFile(join(dir, "l1"), "b", "bottom\n");
  writeTestFile(join(dir, "l2"), "b", "top\n");
  if (process.getuid?.() === 0) spawnSync("chown", ["-R", `${process.env.NSJAIL_TS_TEST_UID ?? 65534}:${process.env.NSJAIL_TS_TEST_GID ?? 65534}`, dir]);
  const run = (args: string[], script: string) => runAs(process.execPath, [driver, stageDir(), empty, ...SYSTEM, ...args, "--", "sh", "-c", script], { cwd: dir });
  const l1 = join(dir, "l1");
  const l2 = join(dir, "l2");
  const tmp = await run(["--overlay-src", l1, "--overlay-src", l2, "--tmp-overlay", "/o"], "cat /o/a /o/b; echo new > /o/c && cat /o/c");
  t.equal(tmp.stdout, "bottom\ntop\nnew\n", tmp.stderr);
  const ro = await run(["--overlay-src", l1, "--overlay-src", l2, "--ro-overlay", "/o"], "cat /o/b; (echo x > /o/c) 2>/dev/null && echo rw || echo ro");
  t.equal(ro.stdout, "top\nro\n", ro.stderr);
  const rw = await run(["--overlay-src", l1, "--overlay", join(dir, "up"), join(dir, "wk"), "/o"], "echo kept > /o/c && cat /o/a");
  t.equal(rw.stdout, "bottom\n", rw.stderr);
  t.equal(spawnSync("cat", [join(dir, "up", "c")], { encoding: "utf8" }).stdout, "kept\n", "writes went to RWSRC");
  t.equal(spawnSync("ls", [l1], { encoding: "utf8" }).stdout, "a\nb\n", "the lower layer is unchanged");
});

/** An fd open on the file `path` (a directory too), for the child as fd 3, 4, ... (closed here once passed). */
function fdsOn(...paths: string[]): () => number[] {
  return () => {
    const fds = paths.map((p) => openSync(p, "r"));
    setTimeout(() => fds.forEach((fd) => closeSync(fd)), 5000);
    return fds;
  };
}

/** A seccomp program compiled by nsjail-ts itself, denying mkdir with EPERM, as a file both sandboxes read. */
function denyMkdirProgram(): string {
  const policy = writeTestFile(work, "deny-mkdir.json", JSON.stringify({ seccomp: { default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["mkdir", "mkdirat"] }] } }));
  const out = join(work, "deny-mkdir.bpf");
  const r = spawnSync(process.execPath, [join(stageDir(), "dist/cli/main.js"), "seccomp", "compile", "--policy", policy, "-o", out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`seccomp compile failed: ${r.stderr}`);
  return out;
}

t.test("--seccomp and --add-seccomp-fd load compiled programs from fds", async (t) => {
  const bpf = denyMkdirProgram();
  const script = "mkdir /t/x 2>/dev/null; echo mkdir=$?; touch /t/y && echo touch=ok";
  await same(t, [...SYSTEM, "--tmpfs", "/t", "--seccomp", "3"], script, { fds: fdsOn(bpf) });
  await same(t, [...SYSTEM, "--tmpfs", "/t", "--add-seccomp-fd", "3", "--add-seccomp-fd", "4"], script, { fds: fdsOn(bpf, bpf) });
  await same(t, [...SYSTEM, "--tmpfs", "/t"], script);
});

t.test("--chmod, --bind-fd and --ro-bind-fd", async (t) => {
  const dir = tempDir();
  writeTestFile(dir, "f", "through the fd\n");
  await same(t, [...SYSTEM, "--tmpfs", "/t", "--dir", "/t/d", "--chmod", "0710", "/t/d", "--chmod", "1777", "/t"], 'stat -c "%a %n" /t /t/d');
  const probe = (p: string) => `cat ${p}/f; (echo x > ${p}/probe) 2>/dev/null && echo "${p} rw" || echo "${p} ro"`;
  await same(t, [...SYSTEM, "--ro-bind-fd", "3", "/r", "--bind-fd", "4", "/w"], `${probe("/r")}; ${probe("/w")}`, { fds: fdsOn(dir, dir) });
});

t.test("--as-pid-1: the command is PID 1 itself", async (t) => {
  const script = 'echo $$; [ "$(cut -d" " -f2 /proc/1/stat)" = "(sh)" ] && echo pid-1-is-sh || echo pid-1-is-init';
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--as-pid-1"], script);
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid"], script);
  const r = await both([...SYSTEM, "--as-pid-1"], "echo ran");
  t.not(r.bwrap.code, 0, "bwrap refuses --as-pid-1 without --unshare-pid");
  t.equal(r.ours.code, 2, "so do we, as a usage error");
  t.equal(r.ours.stdout, "");
});

// --argv0 and --level-prefix are newer than the bwrap Debian ships: their effect is checked directly.
const ours = (args: string[], opts: { input?: string } = {}) => runAs(process.execPath, [driver, stageDir(), empty, ...SYSTEM, ...args], opts);

t.test("--argv0 sets the command's argv[0], the program is still looked up by its name", async (t) => {
  const r = await ours(["--proc", "/proc", "--argv0", "renamed", "--", "sh", "-c", 'echo "$0"; tr "\\0" "\\n" < /proc/$$/cmdline | head -1']);
  t.equal(r.stdout, "renamed\nrenamed\n", r.stderr);
  const bash = await ours(["--argv0", "-sh", "--", "sh", "-c", 'echo "$0"']);
  t.equal(bash.stdout, "-sh\n", "any value, even one a shell reads as a login shell");
});

t.test("--level-prefix starts error lines with <3>", async (t) => {
  const r = await ours(["--level-prefix", "--", "/nonexistent"]);
  t.equal(r.code, 127);
  t.match(r.stderr, /^<3>nsjail-ts: \/nonexistent: /);
  const plain = await ours(["--", "/nonexistent"]);
  t.match(plain.stderr, /^nsjail-ts: \/nonexistent: /, "without it, no level");
});

t.test("--info-fd gets bwrap's JSON once the sandbox starts", async (t) => {
  for (const ns of [[], ["--unshare-pid", "--unshare-uts", "--unshare-ipc"]]) {
    const keys: string[][] = [];
    for (const tool of ["bwrap", "ours"] as const) {
      const file = writeTestFile(work, `info-${tool}`, "", 0o666);
      const fd = openSync(file, "w");
      const argv = [...SYSTEM, ...ns, "--info-fd", "3", "--", "sh", "-c", "true"];
      const r = tool === "bwrap" ? await runAs("bwrap", argv, { extraFds: [fd] }) : await runAs(process.execPath, [driver, stageDir(), empty, ...argv], { extraFds: [fd] });
      closeSync(fd);
      t.equal(r.code, 0, `${tool} ran`, { stderr: r.stderr });
      const text = readFileSync(file, "utf8");
      t.match(text, /^\{\n {4}"child-pid": [1-9]\d*,\n/, `${tool}: bwrap's layout`);
      const info = JSON.parse(text) as Record<string, number>;
      keys.push(Object.keys(info));
      for (const v of Object.values(info)) t.type(v, "number");
    }
    t.same(keys[1], keys[0], `the same members ${ns.join(" ")}`);
  }
});

t.test("--block-fd waits for data, then closes the fd; --sync-fd stays with init", async (t) => {
  await same(t, [...SYSTEM, "--block-fd", "3"], "echo ran; cat <&3 2>/dev/null || echo fd-3-closed", { fds: fdOf("block", "xyz\n") });
  await same(t, [...SYSTEM, "--block-fd", "3"], "echo ran", { fds: () => [openSync("/dev/null", "r")] });
  // A pipe that gets its data only later: the command must not run before.
  const fifoDir = tempDir();
  const fifo = join(fifoDir, "fifo");
  spawnSync("mkfifo", ["-m", "0666", fifo]);
  const started = Date.now();
  const writer = setTimeout(() => spawnSync("sh", ["-c", `echo go > ${fifo}`]), 700);
  const r = await runAs(process.execPath, [driver, stageDir(), empty, ...SYSTEM, "--block-fd", "3", "--", "sh", "-c", "echo ran"], { extraFds: [openSync(fifo, "r+")] });
  clearTimeout(writer);
  t.equal(r.stdout, "ran\n", r.stderr);
  t.ok(Date.now() - started >= 650, "the command ran only once the fifo had data");
  const has3 = '[ -e /proc/self/fd/3 ] && echo has-fd-3 || echo no-fd-3';
  const devNull = () => [openSync("/dev/null", "r")];
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--sync-fd", "3"], has3, { fds: devNull });
  await same(t, [...SYSTEM, "--proc", "/proc", "--unshare-pid", "--as-pid-1", "--sync-fd", "3"], has3, { fds: devNull });
  await same(t, [...SYSTEM, "--proc", "/proc", "--sync-fd", "3"], has3, { fds: devNull });
});

const havePython = spawnSync("python3", ["--version"]).status === 0;
t.test("--lock-file: init holds a read lock, so the command cannot take a write lock", { skip: havePython ? false : "python3 is not installed" }, async (t) => {
  const dir = tempDir();
  writeTestFile(dir, "lock", "", 0o666);
  const tryLock = "python3 -c 'import fcntl; f = open(\"/l/lock\", \"r+\")\ntry:\n  fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB); print(\"free\")\nexcept OSError: print(\"locked\")'";
  await same(t, [...SYSTEM, "--bind", dir, "/l", "--lock-file", "/l/lock"], tryLock);
  await same(t, [...SYSTEM, "--bind", dir, "/l", "--unshare-pid", "--lock-file", "/l/lock"], tryLock);
  await same(t, [...SYSTEM, "--bind", dir, "/l"], tryLock);
  const missing = await both([...SYSTEM, "--lock-file", "/nonexistent"], "echo ran");
  t.not(missing.bwrap.code, 0);
  t.not(missing.ours.code, 0);
  t.equal(missing.ours.stdout, "");
});

t.test("--disable-userns and --assert-userns-disabled", async (t) => {
  const tryUserns = "unshare -U true 2>/dev/null && echo can || echo cannot";
  await same(t, [...SYSTEM, "--unshare-user", "--disable-userns"], tryUserns);
  await same(t, [...SYSTEM, "--unshare-user"], tryUserns);
  await same(t, [...SYSTEM, "--unshare-user", "--disable-userns", "--assert-userns-disabled"], "echo ran");
  await same(t, [...SYSTEM, "--unshare-user", "--cap-add", "ALL", "--disable-userns"], tryUserns);
  const without = await both([...SYSTEM, "--disable-userns"], "echo ran");
  t.not(without.bwrap.code, 0, "bwrap wants --unshare-user");
  t.equal(without.ours.code, 2, "so do we");
  const r = await both([...SYSTEM, "--assert-userns-disabled"], "echo ran");
  t.not(r.bwrap.code, 0, "bwrap refuses: user namespaces work inside");
  t.not(r.ours.code, 0, "so do we");
  t.equal(r.ours.stdout, "");
  t.match(r.ours.stderr, /creation of new user namespaces was not disabled/);
});

t.test("--json-status-fd carries bwrap's child-pid and exit-code members", async (t) => {
  for (const tool of ["bwrap", "nsjail-ts"] as const) {
    const file = writeTestFile(work, `status-${tool}`, "", 0o666);
    const fd = openSync(file, "w");
    const argv = [...SYSTEM, "--unshare-pid", "--json-status-fd", "3", "--", "sh", "-c", "exit 3"];
    const r = tool === "bwrap" ? await runAs("bwrap", argv, { extraFds: [fd] }) : await runAs(process.execPath, [join(stageDir(), "dist/cli/main.js"), "bwrap", ...argv], { extraFds: [fd] });
    closeSync(fd);
    t.equal(r.code, 3, `${tool} exits as the command did`, { stderr: r.stderr });
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    t.type(lines[0]!["child-pid"], "number", `${tool}: the first object has child-pid`);
    t.equal(lines.at(-1)!["exit-code"], 3, `${tool}: the last object has exit-code`);
  }
});

t.test("--level-prefix also marks nsjail-ts's own usage errors", async (t) => {
  const r = await runAs(process.execPath, [join(stageDir(), "dist/cli/main.js"), "bwrap", "--level-prefix", "--perms", "0700", "--ro-bind", "/", "/", "true"]);
  t.equal(r.code, 2);
  t.match(r.stderr, /^<3>nsjail-ts: --perms must be followed by/);
});
