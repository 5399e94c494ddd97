// Each bwrap-style flag with an effect inside the sandbox, run through bubblewrap itself and through
// nsjail-ts's bwrap mode with the same arguments: the command inside must observe the same things.

import t, { type Test } from "tap";
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, mkdirSync, openSync } from "node:fs";
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
