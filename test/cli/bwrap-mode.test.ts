// bwrap mode compiles to bwrap's sandbox: an empty root, only user and mount namespaces unless
// flags add more, the caller mapped to itself, no seccomp filter, and bwrap's working directory.

import t from "tap";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunArgs } from "../../src/cli/args.js";
import { bwrapLayers, dirExistsInside } from "../../src/cli/flags/bwrap.js";
import { emptyRequest } from "../../src/cli/flags/index.js";
import { OpType } from "../../src/plan/index.js";
import { preparePlan } from "../../src/run/prepare.js";
import { callerVars } from "../../src/policy/index.js";

const dir = mkdtempSync(join(tmpdir(), "nsjail-ts-bwrap-mode-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const empty = join(dir, "empty.json");
writeFileSync(empty, "{}\n");
const ids = { uid: 1234, gid: 5678 };

function compile(argv: string[], cwd = "/nowhere/cwd") {
  const req = parseRunArgs(argv, emptyRequest(true));
  const vars = { ...callerVars(), UID: 1234, GID: 5678, PWD: cwd };
  return preparePlan({ policyFile: empty, layers: bwrapLayers(req, ids, cwd), command: req.command, vars });
}
const types = (argv: string[]) => compile(argv).ops.map((o) => OpType[o.type]);

t.test("with no flags: user and mount namespaces, an empty root, no filter, the caller's ids", async (t) => {
  const p = compile(["true"]);
  const seq = types(["true"]);
  t.same(seq.slice(0, 8), ["UnshareUser", "SetgroupsDeny", "UidMap", "GidMap", "Unshare", "MountPrivate", "RootTmpfs", "PivotRoot"]);
  for (const absent of ["ForkPidNs", "Spawn", "Hostname", "LoopbackUp", "Setsid", "Seccomp", "Rlimit", "TimeLimit"]) t.notOk(seq.includes(absent), `no ${absent}`);
  const op = (t: OpType) => p.ops.find((o) => o.type === t)!;
  t.same(op(OpType.Unshare).items, [0x00020000n], "only CLONE_NEWNS besides the user namespace");
  t.same(op(OpType.UidMap).items, ["1234 1234 1\n"]);
  t.same(op(OpType.GidMap).items, ["5678 5678 1\n"]);
  t.same(op(OpType.SetIds).items, [1234n, 5678n]);
  t.same(op(OpType.Caps).items, [0n]);
  t.same(op(OpType.Chdir).items, ["/"], "the caller's cwd is not inside, HOME neither: /");
  t.ok((op(OpType.Env).items as string[]).includes("PWD=/"));
});

t.test("--unshare-all adds the other namespaces, a PID 1 and loopback; --share-net takes the network back", async (t) => {
  const all = types(["--unshare-all", "--hostname", "h", "true"]);
  for (const step of ["ForkPidNs", "Spawn", "LoopbackUp", "Hostname"]) t.ok(all.includes(step), step);
  const p = compile(["--unshare-all", "--share-net", "true"]);
  const flags = p.ops.find((o) => o.type === OpType.Unshare)!.items[0] as bigint;
  t.equal(flags & 0x40000000n, 0n, "no CLONE_NEWNET");
  t.equal(flags & 0x20000000n, 0x20000000n, "CLONE_NEWPID");
  t.notOk(p.ops.some((o) => o.type === OpType.LoopbackUp));
});

t.test("--unshare-uts alone keeps the host's hostname, as bwrap does", async (t) => {
  const p = compile(["--unshare-uts", "true"]);
  const { hostname } = await import("node:os");
  t.same(p.ops.find((o) => o.type === OpType.Hostname)!.items, [hostname()]);
});

t.test("mount flags become ops in command-line order, after the empty root", async (t) => {
  const p = compile(["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--perms", "0700", "--tmpfs", "/tmp", "true"]);
  const mountOps = p.ops.filter((o) => [OpType.Bind, OpType.Symlink, OpType.Proc, OpType.Tmpfs].includes(o.type));
  t.same(mountOps.map((o) => [OpType[o.type], o.items]), [
    ["Bind", ["/usr", "/usr"]],
    ["Symlink", ["usr/bin", "/bin"]],
    ["Bind", ["/proc", "/proc"]], // no PID namespace of its own: the host's /proc is bound, as bwrap does
    ["Tmpfs", ["/tmp", 0n, 0o700n]],
  ]);
  t.equal(mountOps[0]!.origin, "command line --ro-bind /usr /usr#/mounts/0");
});

t.test("working directory: --chdir, else the caller's if it exists inside, else $HOME, else /", async (t) => {
  const chdirOf = (argv: string[], cwd: string) => compile(argv, cwd).ops.find((o) => o.type === OpType.Chdir)!.items[0];
  t.equal(chdirOf(["--chdir", "/etc", "true"], "/usr/bin"), "/etc");
  t.equal(chdirOf(["--ro-bind", "/usr", "/usr", "true"], "/usr/bin"), "/usr/bin");
  t.equal(chdirOf(["--ro-bind", "/usr", "/usr", "true"], "/var/nothing-here"), "/");
  t.equal(chdirOf(["--ro-bind", "/usr", "/usr", "--setenv", "HOME", "/usr/share", "true"], "/var/nothing-here"), "/usr/share");
  t.equal(chdirOf(["--tmpfs", "/work", "--dir", "/work/a", "true"], "/work/a"), "/work/a");
  t.equal(chdirOf(["--tmpfs", "/work", "true"], "/work/a"), "/");
});

t.test("dirExistsInside follows the last covering mount", async (t) => {
  t.ok(dirExistsInside("/", []));
  t.notOk(dirExistsInside("/usr", []));
  t.ok(dirExistsInside("/usr/share", [{ type: "bind", src: "/usr", dst: "/usr" }]));
  t.notOk(dirExistsInside("/usr/share", [{ type: "bind", src: "/usr", dst: "/usr" }, { type: "tmpfs", dst: "/usr" }]));
  t.ok(dirExistsInside("/a", [{ type: "proc", dst: "/a/b/c" }]), "parents of a mount point are created");
  t.notOk(dirExistsInside("/a", [{ type: "file", dst: "/a", content: "" }]));
});

t.test("no seccomp filter unless asked; a policy-level conflict is reported with its flag", async (t) => {
  t.notOk(compile(["true"]).ops.some((o) => o.type === OpType.Seccomp));
  t.throws(() => compile(["--ro-bind", "/nonexistent-src", "/x", "true"]), /command line --ro-bind \/nonexistent-src \/x.*does not exist/);
});
