// Filter semantics through the TS interpreter: arch checks, ABIs, argument widths, comparisons.
import t from "tap";
import { call, compile } from "./helpers.js";
import { runFilter } from "../../src/seccomp/interp.js";
import { AUDIT_ARCH } from "../../src/seccomp/bpf.js";

const ALL64 = 0xffffffffffffffffn;

t.test("arch is checked first; unknown arches are killed", async (t) => {
  const { prog } = compile({ default: "allow", rules: [] });
  t.equal(runFilter(prog, { nr: 0, arch: AUDIT_ARCH.aarch64 }).ret, 0x80000000, "aarch64 on an x86_64 filter");
  t.equal(runFilter(prog, { nr: 0, arch: 0x12345 }).ret, 0x80000000, "made-up arch");
  t.equal(call(prog, "x86_64", "read"), "allow");
  const arm = compile({ default: "allow", rules: [] }, "aarch64").prog;
  t.equal(runFilter(arm, { nr: 63, arch: AUDIT_ARCH.arm }).ret, 0x80000000, "32-bit ARM on aarch64");
  t.equal(runFilter(arm, { nr: 63, arch: AUDIT_ARCH.x86_64 }).ret, 0x80000000);
  t.equal(prog[0]!.code, 0x20);
  t.equal(prog[0]!.k, 4, "first instruction loads seccomp_data.arch");
});

t.test("an allowlist holds on x32 and i386 too, by each ABI's own numbers", async (t) => {
  const { prog } = compile({ default: "kill-process", rules: [{ action: "allow", syscalls: ["read", "write", "exit_group"] }] });
  for (const abi of ["x86_64", "x32", "i386"] as const) {
    t.equal(call(prog, abi, "read"), "allow", `${abi} read`);
    t.equal(call(prog, abi, "openat"), "kill-process", `${abi} openat`);
  }
  // x86_64's read is 0; the same number with the x32 bit is x32's read, which is allowed by name,
  // but an x86_64-only number with the x32 bit (rt_sigaction 64-bit ABI = 13) must not be.
  t.equal(call(prog, "x86_64", 0x40000000 + 13), "kill-process");
  // i386 nr 3 is read, nr 0 is restart_syscall: numbers are per ABI, not shared.
  t.equal(call(prog, "i386", 3), "allow");
  t.equal(call(prog, "i386", 0), "kill-process");
  t.equal(call(prog, "x86_64", 3), "kill-process", "x86_64 nr 3 is close");
  t.equal(call(prog, "x86_64", 0xffffffff), "kill-process");
});

t.test("a denylist also covers the x32 and i386 variants", async (t) => {
  const { prog } = compile({ default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["ioctl"], args: [{ index: 1, op: "==", value: "TIOCSTI" }] }] });
  for (const abi of ["x86_64", "x32", "i386"] as const) {
    t.equal(call(prog, abi, "ioctl", [1, 0x5412]), "errno:EPERM", abi);
    t.equal(call(prog, abi, "ioctl", [1, 0x5413]), "allow", abi);
  }
});

t.test("32-bit arguments: the kernel's truncation cannot be used to slip past a rule", async (t) => {
  const { prog } = compile({ default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["ioctl"], args: [{ index: 1, op: "==", value: "TIOCSTI" }] }] });
  t.equal(call(prog, "x86_64", "ioctl", [1, 0xdead00005412n]), "errno:EPERM", "junk in the high half");
  t.equal(call(prog, "x86_64", "ioctl", [1, 0xffffffff00005412n]), "errno:EPERM");
  t.equal(call(prog, "x32", "ioctl", [1, 0x1_00005412n]), "errno:EPERM");
});

t.test("-1, 4294967295 and 0xffffffffffffffff are the same int", async (t) => {
  for (const v of [-1, 4294967295, "0xffffffffffffffff", "-1", "0xffffffff"]) {
    const { prog } = compile({ default: "allow", rules: [{ action: "errno:EBADF", syscalls: ["close"], args: [{ index: 0, op: "==", value: v }] }] });
    for (const a of [0xffffffffn, ALL64, 0x12345678ffffffffn]) t.equal(call(prog, "x86_64", "close", [a]), "errno:EBADF", `${v} vs ${a}`);
    t.equal(call(prog, "x86_64", "close", [0xfffffffen]), "allow");
    t.equal(call(prog, "i386", "close", [0xffffffffn]), "errno:EBADF", `${v} on i386`);
  }
});

t.test("64-bit arguments are compared on both halves", async (t) => {
  const { prog } = compile({ default: "allow", rules: [
    { action: "errno:EPERM", syscalls: ["lseek"], args: [{ index: 1, op: "==", value: -1 }] },
    { action: "errno:EINVAL", syscalls: ["mmap"], args: [{ index: 1, op: ">", value: "0x100000000" }] },
  ] });
  t.equal(call(prog, "x86_64", "lseek", [3, ALL64]), "errno:EPERM");
  t.equal(call(prog, "x86_64", "lseek", [3, 0xffffffffn]), "allow", "only the low half matches");
  t.equal(call(prog, "x86_64", "mmap", [0, 0x100000001n]), "errno:EINVAL");
  t.equal(call(prog, "x86_64", "mmap", [0, 0x100000000n]), "allow");
  t.equal(call(prog, "x86_64", "mmap", [0, 0xffffffffn]), "allow");
  t.equal(call(prog, "x86_64", "mmap", [0, 0x200000000n]), "errno:EINVAL");
  t.equal(call(prog, "x86_64", "mmap", [0, ALL64]), "errno:EINVAL", "unsigned: -1 is the largest");
  // On i386 the same argument is 32-bit: the constant is cut to 0 and 0 > 0 never holds.
  t.equal(call(prog, "i386", "mmap", [0, 0xffffffffn]), "errno:EINVAL", "i386: cut constant is 0");
});

t.test("ordered comparisons are unsigned on the argument's width", async (t) => {
  const spec = (op: string, value: number | string) => compile({ default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["socket"], args: [{ index: 0, op: op as "<", value }] }] }).prog;
  t.equal(call(spec("<", 10), "x86_64", "socket", [9]), "errno:EPERM");
  t.equal(call(spec("<", 10), "x86_64", "socket", [10]), "allow");
  t.equal(call(spec("<", 10), "x86_64", "socket", [-1]), "allow", "-1 is 0xffffffff unsigned");
  t.equal(call(spec("<", 10), "x86_64", "socket", [0x1_00000005n]), "errno:EPERM", "high junk ignored for int");
  t.equal(call(spec("<=", 10), "x86_64", "socket", [10]), "errno:EPERM");
  t.equal(call(spec(">", 10), "x86_64", "socket", [11]), "errno:EPERM");
  t.equal(call(spec(">", 10), "x86_64", "socket", [0x1_0000000an]), "allow", "kernel sees 10");
  t.equal(call(spec(">=", 10), "x86_64", "socket", [10]), "errno:EPERM");
  t.equal(call(spec(">=", 0), "x86_64", "socket", [0]), "errno:EPERM", ">= 0 always holds");
  t.equal(call(spec("!=", 2), "x86_64", "socket", [2]), "allow");
  t.equal(call(spec("!=", 2), "x86_64", "socket", [0xf00000002n]), "allow");
  t.equal(call(spec("!=", 2), "x86_64", "socket", [3]), "errno:EPERM");
});

t.test("16-bit arguments (umode_t, i386 uid16 calls) compare the low 16 bits", async (t) => {
  const { prog } = compile({ default: "allow", rules: [
    { action: "errno:EPERM", syscalls: ["chmod", "fchmodat"], args: [{ index: 1, op: "&==", mask: "0o4000", value: "0o4000" }] },
    { action: "errno:EACCES", syscalls: ["lchown"], args: [{ index: 1, op: "==", value: 0 }] },
    { action: "errno:EINVAL", syscalls: ["chmod"], args: [{ index: 1, op: ">", value: "0o7777" }] },
  ] });
  t.equal(call(prog, "x86_64", "chmod", [0, 0o4755]), "errno:EPERM", "setuid bit");
  t.equal(call(prog, "x86_64", "chmod", [0, 0o755]), "allow");
  t.equal(call(prog, "x86_64", "chmod", [0, 0x10000 | 0o755]), "allow", "bit 16 is beyond umode_t");
  t.equal(call(prog, "x86_64", "chmod", [0, 0xffff0000n | 0o10000n]), "errno:EINVAL", "low 16 bits > 07777");
  t.equal(call(prog, "x86_64", "chmod", [0, 0xffff0000n | 0o777n]), "allow", "high bits are not the kernel's");
  t.equal(call(prog, "x86_64", "lchown", [0, 0x10000]), "allow", "x86_64 lchown uid is 32-bit");
  t.equal(call(prog, "i386", "lchown", [0, 0x10000]), "errno:EACCES", "i386 lchown uid is 16-bit");
  t.equal(call(prog, "i386", "lchown32", [0, 0x10000]), "allow", "lchown32 is not named");
});

t.test("masked equality", async (t) => {
  const { prog } = compile({ default: "allow", rules: [
    { action: "errno:EPERM", syscalls: ["clone"], args: [{ index: 0, op: "&==", mask: "CLONE_NEWUSER|CLONE_NEWNET", value: "CLONE_NEWNET" }] },
    { action: "errno:EACCES", syscalls: ["openat"], args: [{ index: 2, op: "&==", mask: "O_ACCMODE", value: "O_WRONLY" }] },
    { action: "errno:EIO", syscalls: ["unshare"], args: [{ index: 0, op: "&==", mask: 1, value: 2 }] },
    { action: "errno:EINVAL", syscalls: ["mmap"], args: [{ index: 3, op: "&==", mask: "0xff00000000000001", value: "0x0100000000000000" }] },
  ] });
  t.equal(call(prog, "x86_64", "clone", [0x40000000]), "errno:EPERM");
  t.equal(call(prog, "x86_64", "clone", [0x50000000]), "allow");
  t.equal(call(prog, "x86_64", "clone", [0xffffffff_40000011n]), "errno:EPERM", "clone flags: low 32 bits");
  t.equal(call(prog, "x86_64", "openat", [0, 0, 1 | 0x40]), "errno:EACCES");
  t.equal(call(prog, "x86_64", "openat", [0, 0, 2]), "allow");
  t.equal(call(prog, "x86_64", "unshare", [0xffffffffn]), "allow", "value outside the mask never matches");
  t.equal(call(prog, "x86_64", "mmap", [0, 0, 0, 0x0100000000000000n]), "errno:EINVAL");
  t.equal(call(prog, "x86_64", "mmap", [0, 0, 0, 0x0100000000000001n]), "allow");
  t.equal(call(prog, "x86_64", "mmap", [0, 0, 0, 0x0200000000000000n]), "allow");
});

t.test("first match wins; several tests in one rule are ANDed", async (t) => {
  const { prog } = compile({ default: "errno:ENOSYS", rules: [
    { action: "errno:EPERM", syscalls: ["socket"], args: [{ index: 0, op: "==", value: "AF_NETLINK" }] },
    { action: "allow", syscalls: ["socket"], args: [{ index: 0, op: "==", value: "AF_UNIX" }, { index: 1, op: "&==", mask: 15, value: "SOCK_STREAM" }] },
    { action: "log", syscalls: ["@basic-io", "socket"] },
  ] });
  t.equal(call(prog, "x86_64", "socket", [16, 1]), "errno:EPERM");
  t.equal(call(prog, "x86_64", "socket", [1, 1 | 0x80000]), "allow");
  t.equal(call(prog, "x86_64", "socket", [1, 2]), "log");
  t.equal(call(prog, "x86_64", "read"), "log");
  t.equal(call(prog, "x86_64", "open"), "errno:ENOSYS");
});

t.test("every action is encoded", async (t) => {
  for (const [a, want] of [["allow", "allow"], ["log", "log"], ["trap", "trap"], ["kill-thread", "kill-thread"], ["kill-process", "kill-process"], ["notify", "notify"], ["trace", "trace"], ["trace:7", "trace:7"], ["errno:EPERM", "errno:EPERM"], ["errno:38", "errno:ENOSYS"], ["errno", "errno:EPERM"], ["kill", "kill-process"]]) {
    const { prog } = compile({ default: "allow", rules: [{ action: a!, syscalls: ["getpid"] }] });
    t.equal(call(prog, "x86_64", "getpid"), want, a);
  }
});

t.test("aarch64 has its own numbers and widths", async (t) => {
  const { prog, warnings } = compile({ default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["openat", "open"] }] }, "aarch64");
  t.equal(call(prog, "aarch64", "openat"), "errno:EPERM");
  t.equal(call(prog, "aarch64", "read"), "allow");
  t.match(warnings.join("\n"), /open does not exist on aarch64/);
});

t.test("i386's socketcall and ipc: an unconditional rule on a call they multiplex covers them too", async (t) => {
  const { prog, warnings } = compile({ default: "allow", rules: [
    { action: "errno:EPERM", syscalls: ["connect", "msgget"] },
    { action: "errno:EACCES", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 40 }] },
  ] });
  t.equal(call(prog, "i386", "connect"), "errno:EPERM", "the direct call");
  t.equal(call(prog, "i386", "socketcall", [3, 0x1000]), "errno:EPERM", "socketcall(SYS_CONNECT)");
  t.equal(call(prog, "i386", "socketcall", [1, 0x1000]), "allow", "socketcall(SYS_SOCKET): only connect was denied");
  t.equal(call(prog, "i386", "ipc", [13]), "errno:EPERM", "ipc(MSGGET)");
  t.equal(call(prog, "i386", "ipc", [0x10000 + 13]), "errno:EPERM", "ipc(MSGGET) with a version in the high bits, which the kernel ignores");
  t.equal(call(prog, "i386", "ipc", [11]), "allow", "ipc(MSGSND)");
  t.equal(call(prog, "x86_64", "connect"), "errno:EPERM", "x86_64 has no multiplexer to worry about");
  t.equal(call(prog, "i386", "socket", [40]), "errno:EACCES", "the conditional rule on the direct call");
  t.equal(call(prog, "i386", "socketcall", [1, 0x1000]), "allow", "cannot follow into socketcall's memory");
  t.equal(warnings.length, 1, warnings.join("\n"));
  t.match(warnings[0], /rules\/1: i386 code can also reach socket through socketcall\(2\), where these argument conditions cannot be checked/);

  const allowlist = compile({ default: "errno:EPERM", rules: [{ action: "allow", syscalls: ["socket", "read"], args: [{ index: 0, op: "==", value: 1 }] }] });
  t.same(allowlist.warnings, [], "a conditional allow in an allowlist is not weakened by socketcall, which stays denied");
  t.equal(call(allowlist.prog, "i386", "socketcall", [1, 0x1000]), "errno:EPERM");
  const aarch64 = compile({ default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["socket"], args: [{ index: 0, op: "==", value: 40 }] }] }, "aarch64");
  t.same(aarch64.warnings, [], "no i386 ABI on aarch64: nothing to warn about");
});
