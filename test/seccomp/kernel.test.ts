// In the real kernel, without a sandbox: load our programs with seccomp(2) as an unprivileged uid
// and check what the calls really get back.
import t from "tap";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileSeccomp } from "../../src/seccomp/compile.js";
import { syscallNumber } from "../../src/seccomp/abi.js";
import type { SeccompPolicy } from "../../src/policy/types.js";

const onX86 = process.arch === "x64";
const dir = mkdtempSync(join(tmpdir(), "seccomp-kernel-"));
chmodSync(dir, 0o755); // the unprivileged uid must reach the loader and the programs
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const loader = join(dir, "loader");
execFileSync("cc", ["-O1", "-pthread", "-o", loader, new URL("./loader.c", import.meta.url).pathname]);

let n = 0;
function program(spec: SeccompPolicy | undefined): string {
  const file = join(dir, `p${n++}.bpf`);
  writeFileSync(file, compileSeccomp(spec, { arch: "x86_64", pointer: "/seccomp", baseDir: "." }).program, { mode: 0o644 });
  return file;
}

/** Runs the loader as nobody when we are root; returns [ret, errno] or the signal that ended it. */
function run(file: string, mode: string, ...args: (number | bigint | string)[]): { out: [number, number]; signal: NodeJS.Signals | null } {
  const argv = [loader, file, mode, ...args.map(String)];
  const cmd = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv] : argv;
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8" });
  const [ret, err] = r.stdout.trim().split(" ").map(Number);
  if (r.signal === null && r.status !== 0) throw new Error(`loader failed (${r.status}): ${r.stderr}`);
  return { out: [ret ?? NaN, err ?? NaN], signal: r.signal };
}
const nr = (name: string, abi: "x86_64" | "i386" = "x86_64"): number => syscallNumber(abi, name)!;
const EPERM = 1, ENOSYS = 38, EBADF = 9;

t.test("the default filter in the kernel", { skip: onX86 ? false : "x86_64 only" }, async (t) => {
  const def = program(undefined);
  t.same(run(def, "sys", nr("keyctl"), 0).out, [-1, EPERM], "keyctl gets EPERM");
  t.same(run(def, "sys", nr("getppid")).out[1], 0, "getppid works");
  t.same(run(def, "sys", nr("ioctl"), 0, 0x5412, 0).out, [-1, EPERM], "TIOCSTI refused before the tty check");
  t.same(run(def, "sys", nr("ioctl"), 0, "0xdead00005412", 0).out, [-1, EPERM], "TIOCSTI with junk in the high half");
  t.same(run("-", "sys", nr("ioctl"), 99, 0x5412, 0).out, [-1, EBADF], "without a filter the kernel answers EBADF");
  t.same(run(def, "sys", nr("clone3"), 0, 0).out, [-1, ENOSYS], "clone3 gets ENOSYS");
  t.same(run(def, "fork").out, [7, 0], "fork still works");
  t.same(run(def, "thread").out, [0, 0], "threads still start (libc falls back to clone)");
  t.same(run(def, "sys", nr("unshare"), 0x10000000).out, [-1, EPERM], "no new user namespace");
  t.same(run(def, "x32", nr("keyctl"), 0).out, [-1, EPERM], "x32 variant of a denied call refused");
  t.same(run(def, "int80", nr("keyctl", "i386"), 0).out, [-1, EPERM], "int 0x80 variant refused");
  t.same(run(def, "int80", nr("getppid", "i386")).out[1], 0, "int 0x80 getppid allowed");
});

t.test("configured errno and kill actions", { skip: onX86 ? false : "x86_64 only" }, async (t) => {
  const p = program({ default: "allow", rules: [
    { action: "errno:EXDEV", syscalls: ["getcwd"] },
    { action: "errno:1234", syscalls: ["getpgrp"] },
    { action: "kill-process", syscalls: ["getppid"] },
    { action: "log", syscalls: ["getuid"] },
  ] });
  t.same(run(p, "sys", nr("getcwd"), 0, 0).out, [-1, 18], "EXDEV");
  t.same(run(p, "sys", nr("getpgrp")).out, [-1, 1234], "numeric errno");
  t.equal(run(p, "sys", nr("getppid")).signal, "SIGSYS", "kill-process dies of SIGSYS (exit 128+31)");
  t.equal(run(p, "sys", nr("getuid")).out[1], 0, "log lets the call through");
  const allow = program({ default: "kill-process", rules: [{ action: "allow", syscalls: ["@default", "@basic-io", "@file-system", "@signal", "@io-event", "@process", "ioctl", "uname"] }] });
  t.equal(run(allow, "sys", nr("getppid")).out[1], 0, "allowlisted call works");
  t.equal(run(allow, "x32", nr("keyctl"), 0).signal, "SIGSYS", "x32 keyctl is not on the allowlist");
  t.equal(run(allow, "x32", nr("ioctl"), 0, 0x541b, 0).signal, "SIGSYS", "x32 nr 16 is not x32's ioctl (514): killed though ioctl is allowed");
  t.equal(run(allow, "int80", nr("keyctl", "i386"), 0).signal, "SIGSYS", "int 0x80 keyctl is not on the allowlist");
});
