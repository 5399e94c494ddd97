// bubblewrap-style flags: order, arity, modifiers of the next flag, fds read at parse time, and a
// named usage error (exit 2) for every flag nsjail-ts has no mechanism for.

import t, { type Test } from "tap";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunArgs } from "../../src/cli/args.js";
import { allFlags, emptyRequest, type RunRequest } from "../../src/cli/flags/index.js";
import { finishBwrapFlags } from "../../src/cli/flags/bwrap.js";
import { BWRAP_UNSUPPORTED_FLAGS } from "../../src/cli/flags/bwrap-unsupported.js";
import { NsjailError } from "../../src/errors.js";
import type { Mount, Policy } from "../../src/policy/types.js";

const dir = mkdtempSync(join(tmpdir(), "nsjail-ts-flags-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const parse = (argv: string[], bwrapMode = false): RunRequest => {
  const req = parseRunArgs(argv, emptyRequest(bwrapMode));
  finishBwrapFlags(req);
  return req;
};
const mounts = (req: RunRequest): Mount[] => req.layers.flatMap((l) => l.policy.mounts ?? []);
const merged = (req: RunRequest): Policy => Object.assign({}, ...req.layers.map((l) => l.policy)) as Policy;

/** The usage error a parse throws: its exit code and message. */
function usage(t: Test, argv: string[], re: RegExp, bwrapMode = false): void {
  try {
    parse(argv, bwrapMode);
    t.fail(`expected a usage error for ${argv.join(" ")}`);
  } catch (e) {
    t.ok(e instanceof NsjailError, `${argv.join(" ")}: an NsjailError`);
    t.equal((e as NsjailError).code, 2, `${argv.join(" ")}: exit code 2`);
    t.match((e as Error).message, re);
    t.notMatch((e as Error).message, /\n/, "one line");
  }
}

/** An fd open on a file holding `content`, closed when the test ends. */
function fdWith(t: Test, name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  const fd = openSync(p, "r");
  t.teardown(() => closeSync(fd));
  return String(fd);
}

t.test("every flag name is unique across all tables", async (t) => {
  const names = allFlags().flatMap((f) => f.names);
  t.same(names.filter((n, i) => names.indexOf(n) !== i), []);
});

t.test("mount flags append in command-line order, with bwrap's meanings", async (t) => {
  const req = parse(["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--bind", "/tmp", "tmp",
    "--dev-bind-try", "/nonexistent", "/n", "--tmpfs", "/run", "--dir", "/run/x", "--mqueue", "/dev/mqueue", "--remount-ro", "/run", "--", "true"]);
  t.same(mounts(req), [
    { type: "bind", src: "/usr", dst: "/usr" },
    { type: "symlink", target: "usr/bin", dst: "/bin" },
    { type: "proc", dst: "/proc" },
    { type: "dev", dst: "/dev" },
    { type: "bind", src: "/tmp", dst: "/tmp", rw: true },
    { type: "bind", src: "/nonexistent", dst: "/n", rw: true, dev: true, optional: true },
    { type: "tmpfs", dst: "/run", mode: "0755" },
    { type: "dir", dst: "/run/x", mode: "0755" },
    { type: "mqueue", dst: "/dev/mqueue" },
    { type: "remount-ro", dst: "/run" },
  ]);
  t.same(req.command, ["true"]);
  t.equal(req.layers[0]!.label, "command line --ro-bind /usr /usr", "each layer names its flag and values");
});

t.test("a relative SRC is resolved against the current directory", async (t) => {
  const req = parse(["--ro-bind", "some/dir", "/x", "true"]);
  t.same(mounts(req), [{ type: "bind", src: join(process.cwd(), "some/dir"), dst: "/x" }]);
});

t.test("--perms and --size modify the next flag only", async (t) => {
  const req = parse(["--perms", "0700", "--size", "1048576", "--tmpfs", "/a", "--tmpfs", "/b", "--size", "4096", "--perms", "1777", "--tmpfs", "/c",
    "--perms", "0750", "--dir", "/d", "--dir", "/e", "true"]);
  t.same(mounts(req), [
    { type: "tmpfs", dst: "/a", mode: "0700", size: 1048576 },
    { type: "tmpfs", dst: "/b", mode: "0755" },
    { type: "tmpfs", dst: "/c", mode: "01777", size: 4096 },
    { type: "dir", dst: "/d", mode: "0750" },
    { type: "dir", dst: "/e", mode: "0755" },
  ]);
});

t.test("--perms and --size errors, as bwrap gives them", async (t) => {
  usage(t, ["--perms", "0700", "--ro-bind", "/", "/", "true"], /--perms must be followed by an option that creates a file.*not --ro-bind/);
  usage(t, ["--ro-bind", "/", "/", "--perms", "0700", "true"], /--perms must be followed by an option that creates a file/);
  usage(t, ["--size", "100", "--dir", "/x", "true"], /--size must be followed by --tmpfs, not --dir/);
  usage(t, ["--size", "100", "true"], /--size must be followed by --tmpfs/);
  usage(t, ["--perms", "0700", "--perms", "0700", "--tmpfs", "/x", "true"], /--perms given twice for the same action/);
  usage(t, ["--perms", "999", "--tmpfs", "/x", "true"], /--perms takes an octal mode <= 07777, got "999"/);
  usage(t, ["--perms", "17777", "--tmpfs", "/x", "true"], /--perms takes an octal mode <= 07777/);
  usage(t, ["--size", "10x", "--tmpfs", "/x", "true"], /--size takes a non-zero number of bytes, got "10x"/);
  usage(t, ["--size", "0", "--tmpfs", "/x", "true"], /--size takes a non-zero number of bytes/);
});

t.test("arity errors and unknown flags", async (t) => {
  usage(t, ["--bind", "/usr"], /--bind needs 2 values \(SRC DEST\)/);
  usage(t, ["--overlay", "/a", "/b"], /--overlay needs 3 values \(RWSRC WORKDIR DEST\)/);
  usage(t, ["--setenv", "A"], /--setenv needs 2 values/);
  usage(t, ["--ro-bnd", "/", "/", "true"], /unknown option --ro-bnd \(did you mean --ro-bind\?\)/);
  usage(t, ["--unshare-pidd", "true"], /did you mean --unshare-pid\?/);
  usage(t, ["--uid", "abc", "true"], /--uid: invalid uid "abc"/);
  usage(t, ["--gid", "-1", "true"], /--gid: invalid gid "-1"/);
  usage(t, ["--setenv", "A=B", "1", "true"], /--setenv: invalid environment variable name "A=B"/);
  usage(t, ["--cap-add", "CAP_FOO", "true"], /--cap-add: unknown capability "CAP_FOO"/);
  usage(t, ["--bind", "/a", "/x/../y", "true"], /--bind: the destination "\/x\/..\/y" must not contain "\.\."/);
});

t.test("overlays take the preceding --overlay-src layers, top first", async (t) => {
  const req = parse(["--overlay-src", "/l1", "--overlay-src", "/l2", "--overlay", "/up", "/work", "/o", "--overlay-src", "/l3", "--tmp-overlay", "/t",
    "--overlay-src", "/a", "--overlay-src", "/b", "--ro-overlay", "/r", "true"]);
  t.same(mounts(req), [
    { type: "overlay", dst: "/o", lower: ["/l2", "/l1"], upper: "/up", work: "/work" },
    { type: "overlay", dst: "/t", lower: ["/l3"], tmp: true },
    { type: "overlay", dst: "/r", lower: ["/b", "/a"] },
  ]);
  usage(t, ["--overlay-src", "/a", "--ro-overlay", "/r", "true"], /--ro-overlay needs at least two --overlay-src before it/);
  usage(t, ["--tmp-overlay", "/r", "true"], /--tmp-overlay needs at least one --overlay-src/);
  usage(t, ["--overlay-src", "/a", "--bind", "/x", "/y", "true"], /--overlay-src must be followed by --overlay, --tmp-overlay or --ro-overlay, not --bind/);
  usage(t, ["--overlay-src", "/a", "true"], /--overlay-src must be followed by/);
});

t.test("namespaces: last flag wins, --share-net undoes --unshare-all's network", async (t) => {
  const req = parse(["--unshare-all", "--share-net", "--unshare-uts", "true"], true);
  const ns = Object.assign({}, ...req.layers.map((l) => l.policy.namespaces ?? {})) as Record<string, boolean>;
  t.equal(ns.net, false);
  t.equal(ns.pid, true);
  t.equal(ns.user, true);
  t.equal(ns.uts, true);
});

t.test("bwrap's own conflicts in bwrap mode", async (t) => {
  usage(t, ["--hostname", "h", "true"], /--hostname requires --unshare-uts/, true);
  t.doesNotThrow(() => parse(["--unshare-uts", "--hostname", "h", "true"], true));
  t.doesNotThrow(() => parse(["--hostname", "h", "true"], false), "outside bwrap mode the policy decides the namespaces");
  usage(t, ["--policy", "default", "--ro-bind", "/", "/", "true"], /--policy cannot be used in bwrap mode/, true);
});

t.test("environment flags apply in order, as bwrap's do", async (t) => {
  t.same(merged(parse(["--setenv", "A", "1", "--unsetenv", "A", "true"])).env, { set: {}, unset: ["A"] });
  t.same(merged(parse(["--unsetenv", "A", "--setenv", "A", "2", "true"])).env, { set: { A: "2" }, unset: [] });
  t.same(merged(parse(["--setenv", "A", "1", "--clearenv", "--setenv", "B", "2", "true"])).env, { set: { B: "2" }, unset: [], clear: true, keep: [] });
});

t.test("capabilities apply in order: from none in bwrap mode, from the policy's own list outside it", async (t) => {
  /** The keep list after the request's layers, over a policy that keeps `base`. */
  const caps = (argv: string[], bwrapMode: boolean, base: string[] = []): string[] | undefined => {
    let p: Policy = { capabilities: { keep: base } };
    for (const l of parse([...argv, "true"], bwrapMode).layers) p = { ...p, ...(l.over ? l.over(p) : l.policy) };
    return p.capabilities?.keep;
  };
  for (const bwrapMode of [true, false]) {
    t.same(caps(["--cap-add", "net_admin", "--cap-add", "CAP_CHOWN"], bwrapMode), ["CAP_CHOWN", "CAP_NET_ADMIN"]);
    t.same(caps(["--cap-add", "ALL", "--cap-drop", "CAP_SYS_ADMIN"], bwrapMode)?.includes("CAP_SYS_ADMIN"), false);
    t.same(caps(["--cap-add", "CAP_KILL", "--cap-drop", "ALL"], bwrapMode), []);
  }
  const policyKeeps = ["CAP_NET_BIND_SERVICE", "CAP_KILL"];
  t.same(caps(["--cap-add", "CAP_CHOWN"], false, policyKeeps), ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"], "added to what the policy keeps");
  t.same(caps(["--cap-drop", "CAP_KILL"], false, policyKeeps), ["CAP_NET_BIND_SERVICE"], "dropped from what the policy keeps");
  t.same(caps(["--cap-add", "CAP_CHOWN"], true, policyKeeps), ["CAP_CHOWN"], "bwrap mode starts from none, as bwrap does");
});

t.test("--file, --bind-data and --ro-bind-data read their fd at parse time", async (t) => {
  const req = parse(["--file", fdWith(t, "f1", "hello\n"), "/etc/greeting", "--perms", "0640", "--bind-data", fdWith(t, "f2", "x"), "/a",
    "--ro-bind-data", fdWith(t, "f3", ""), "/b", "true"]);
  t.same(mounts(req), [
    { type: "file", dst: "/etc/greeting", content: "hello\n", mode: "0666" },
    { type: "file", dst: "/a", content: "x", mode: "0640" },
    { type: "file", dst: "/b", content: "", mode: "0600", ro: true },
  ]);
  usage(t, ["--file", "987", "/x", "true"], /--file: cannot read file descriptor 987: it is not open/);
  usage(t, ["--file", fdWith(t, "bin", Buffer.from([0xff, 0xfe, 0x00])), "/x", "true"], /--file: the data on file descriptor \d+ is not UTF-8 text/);
  usage(t, ["--file", "x", "/x", "true"], /--file: invalid file descriptor "x"/);
});

t.test("--args reads NUL-separated options from an fd and applies them in place", async (t) => {
  const fd = fdWith(t, "args", "--ro-bind\0/usr\0/usr\0--setenv\0X\0y\0");
  const req = parse(["--tmpfs", "/tmp", "--args", fd, "--dir", "/d", "echo", "hi"]);
  t.same(mounts(req).map((m) => m.dst), ["/tmp", "/usr", "/d"]);
  t.same(merged(req).env?.set, { X: "y" });
  t.same(req.command, ["echo", "hi"]);
  usage(t, ["--args", fdWith(t, "cmd", "--dir\0/x\0echo\0inner\0"), "true"], /--args \d+: the arguments read from file descriptor \d+ contain a command \("echo"\)/);
  usage(t, ["--args", fdWith(t, "bad", "--bogus\0"), "true"], /unknown option --bogus/);
});

t.test("every unsupported flag is a named one-line usage error", async (t) => {
  t.same(BWRAP_UNSUPPORTED_FLAGS.map((f) => f.names[0]).sort(), ["--exec-label", "--file-label"]);
  for (const f of BWRAP_UNSUPPORTED_FLAGS) {
    const name = f.names[0]!;
    const values = Array.from({ length: f.arity }, () => "3");
    usage(t, [name, ...values, "true"], new RegExp(`^${name} is not supported: \\S`));
  }
  const selinux = existsSync("/sys/fs/selinux/enforce");
  if (!selinux) usage(t, ["--exec-label", "system_u:system_r:container_t:s0", "true"], /^--exec-label is not supported: SELinux is not enabled on this system/);
});

t.test("--seccomp and --add-seccomp-fd read whole programs from their fds, and not both", async (t) => {
  const prog = Buffer.alloc(16, 1);
  const one = parse(["--seccomp", fdWith(t, "prog", prog), "true"]);
  t.same(merged(one).seccomp, { preset: "none" }, "--seccomp replaces the filter");
  t.same(merged(one).seccompPrograms, [prog.toString("base64")]);
  const two = parse(["--add-seccomp-fd", fdWith(t, "p1", prog), "--add-seccomp-fd", fdWith(t, "p2", Buffer.alloc(8, 2)), "true"]);
  t.same(merged(two).seccompPrograms, [prog.toString("base64"), Buffer.alloc(8, 2).toString("base64")], "one layer, programs in order");
  t.equal(merged(two).seccomp, undefined, "--add-seccomp-fd keeps the policy's filter");
  usage(t, ["--seccomp", fdWith(t, "odd", Buffer.alloc(12)), "true"], /--seccomp \d+: invalid seccomp data: 12 bytes is not a whole number of 8-byte instructions/);
  usage(t, ["--add-seccomp-fd", fdWith(t, "empty", ""), "true"], /--add-seccomp-fd \d+: invalid seccomp data: 0 bytes/);
  usage(t, ["--seccomp", fdWith(t, "big", Buffer.alloc(8 * 4097)), "true"], /4097 instructions, more than 4096/);
  usage(t, ["--seccomp", fdWith(t, "a", prog), "--add-seccomp-fd", fdWith(t, "b", prog), "true"], /--add-seccomp-fd cannot be combined with --seccomp/);
  usage(t, ["--add-seccomp-fd", fdWith(t, "c", prog), "--seccomp", fdWith(t, "d", prog), "true"], /--seccomp cannot be combined with --add-seccomp-fd/);
});

t.test("--chmod, --bind-fd and --ro-bind-fd are mounts in command-line order", async (t) => {
  const fd = fdWith(t, "dirfd", "x");
  const req = parse(["--tmpfs", "/t", "--chmod", "1777", "t", "--bind-fd", fd, "/w", "--ro-bind-fd", fd, "/r", "true"]);
  t.same(mounts(req), [
    { type: "tmpfs", dst: "/t", mode: "0755" },
    { type: "chmod", dst: "/t", mode: "01777" },
    { type: "bind-fd", fd: Number(fd), dst: "/w", rw: true },
    { type: "bind-fd", fd: Number(fd), dst: "/r" },
  ]);
  usage(t, ["--chmod", "888", "/t", "true"], /--chmod takes an octal mode <= 07777, got "888"/);
  usage(t, ["--bind-fd", "999", "/w", "true"], /--bind-fd: file descriptor 999 is not open/);
  usage(t, ["--ro-bind-fd", "x", "/w", "true"], /--ro-bind-fd: invalid file descriptor "x"/);
});

t.test("process flags: --argv0, --as-pid-1, --level-prefix, fds with a role, lock files, user namespaces", async (t) => {
  const fd = fdWith(t, "role", "x");
  const req = parse(["--unshare-pid", "--unshare-user", "--argv0", "name", "--as-pid-1", "--info-fd", fd, "--sync-fd", fd, "--block-fd", fd, "--disable-userns", "--assert-userns-disabled", "true"], true);
  const p = merged(req);
  t.equal(p.argv0, "name");
  t.equal(p.asPid1, true);
  t.equal(p.disableUserns, true);
  t.equal(p.assertUsernsDisabled, true);
  t.same(req.layers.flatMap((l) => (l.policy.fds ? [l.policy.fds] : [])), [{ info: Number(fd) }, { sync: Number(fd) }, { block: Number(fd) }]);
  const locks = parse(["--lock-file", "/a", "--lock-file", "b", "true"]);
  t.same(merged(locks).lockFiles, ["/a", "/b"]);
  usage(t, ["--as-pid-1", "true"], /^--as-pid-1 requires --unshare-pid/, true);
  usage(t, ["--disable-userns", "true"], /^--disable-userns requires --unshare-user/, true);
  usage(t, ["--unshare-pid", "--as-pid-1", "--lock-file", "/a", "true"], /--lock-file cannot be combined with --as-pid-1/);
  usage(t, ["--lock-file", "/a", "--as-pid-1", "true"], /--as-pid-1 cannot be combined with --lock-file/);
  usage(t, ["--argv0", "", "true"], /--argv0: the value must not be empty/);
  usage(t, ["--info-fd", "999", "true"], /--info-fd: file descriptor 999 is not open/);
  usage(t, ["--sync-fd", "-1", "true"], /--sync-fd: invalid file descriptor "-1"/);
});
