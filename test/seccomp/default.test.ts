// The default filter (policies/seccomp-default.json): what it refuses, and what builds still need.
import t from "tap";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { call, compile, PROJECT_ROOT } from "./helpers.js";

const ABIS = ["x86_64", "x32", "i386"] as const;

t.test("every entry carries its rationale", async (t) => {
  const doc = JSON.parse(readFileSync(join(PROJECT_ROOT, "policies/seccomp-default.json"), "utf8")) as { rules: { description?: string }[] };
  for (const [i, r] of doc.rules.entries()) t.ok((r.description ?? "").length > 20, `rule ${i} has a description`);
});

t.test("no policy means the default filter, without warnings", async (t) => {
  const { prog, warnings } = compile(undefined);
  t.same(warnings, []);
  t.same(compile({ preset: "default" }).prog, prog);
  for (const abi of ABIS) {
    for (const n of ["keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "kexec_load", "init_module", "finit_module", "delete_module", "open_by_handle_at", "acct", "quotactl", "syslog", "swapon", "swapoff", "reboot", "settimeofday", "clock_settime"]) {
      t.equal(call(prog, abi, n), "errno:EPERM", `${abi} ${n}`);
    }
    for (const n of ["io_uring_setup", "io_uring_enter", "io_uring_register", "clone3"]) t.equal(call(prog, abi, n), "errno:ENOSYS", `${abi} ${n}`);
  }
  t.equal(call(prog, "x86_64", "kexec_file_load"), "errno:EPERM");
  t.equal(call(prog, "i386", "stime"), "errno:EPERM");
  t.equal(call(prog, "i386", "clock_settime64"), "errno:EPERM");
});

t.test("terminal injection ioctls are refused, other ioctls are not", async (t) => {
  const { prog } = compile(undefined);
  for (const abi of ABIS) {
    t.equal(call(prog, abi, "ioctl", [0, 0x5412]), "errno:EPERM", `${abi} TIOCSTI`);
    t.equal(call(prog, abi, "ioctl", [0, 0x541c]), "errno:EPERM", `${abi} TIOCLINUX`);
    t.equal(call(prog, abi, "ioctl", [0, 0x541b]), "allow", `${abi} FIONREAD`);
    t.equal(call(prog, abi, "ioctl", [0, 0x5401]), "allow", `${abi} TCGETS`);
  }
  t.equal(call(prog, "x86_64", "ioctl", [0, 0xffffffff_00005412n]), "errno:EPERM", "high bits set");
});

t.test("personality: Linux, 32-bit Linux, uname26, no-ASLR and the query pass", async (t) => {
  const { prog } = compile(undefined);
  for (const p of [0, 8, 0x20000, 0x20008, 0x40000, 0xffffffff, -1]) t.equal(call(prog, "x86_64", "personality", [p]), "allow", `0x${(p >>> 0).toString(16)}`);
  for (const p of [0x400000, 0x400008, 0x0010, 0x04000000, 0x1_00000000]) t.equal(call(prog, "x86_64", "personality", [p]), p === 0x1_00000000 ? "allow" : "errno:EPERM", `0x${p.toString(16)}`);
});

t.test("new user namespaces are refused; threads, fork and other namespaces are not", async (t) => {
  const { prog } = compile(undefined);
  for (const abi of ABIS) {
    t.equal(call(prog, abi, "clone", [0x10000000 | 17]), "errno:EPERM", `${abi} clone NEWUSER`);
    t.equal(call(prog, abi, "unshare", [0x10000000 | 0x20000]), "errno:EPERM", `${abi} unshare NEWUSER|NEWNS`);
    t.equal(call(prog, abi, "clone", [0x7d0f00]), "allow", `${abi} pthread_create`);
    t.equal(call(prog, abi, "clone", [0x1200011]), "allow", `${abi} fork`);
    t.equal(call(prog, abi, "unshare", [0x20000]), "allow", `${abi} unshare NEWNS`);
  }
  t.equal(call(prog, "x86_64", "clone", [0xffffffff_00000011n]), "allow", "junk above the kernel's 32 bits");
});

t.test("what builds use stays allowed", async (t) => {
  const { prog } = compile(undefined);
  for (const n of ["read", "write", "openat", "execve", "fork", "vfork", "wait4", "mmap", "mprotect", "futex", "socket", "connect", "pipe2", "getdents64", "statx", "rename", "chmod", "ptrace", "prctl", "seccomp", "setns", "mount", "kill", "getrandom", "clock_gettime", "memfd_create", "fcntl"]) {
    t.equal(call(prog, "x86_64", n), "allow", n);
  }
});
