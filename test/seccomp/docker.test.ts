// Docker's default profile, imported: it must mean what it means under docker run.
import t from "tap";
import { release } from "node:os";
import { compile, call, SHARED_DOCKER } from "./helpers.js";

const C = { NEWUSER: 0x10000000, NEWNS: 0x20000, THREAD: 0x7d0f00 }; // glibc's pthread_create flags

t.test("without capabilities (the sandbox keeps none by default)", async (t) => {
  const { prog, warnings } = compile({ profile: SHARED_DOCKER });
  t.same(warnings, [], "Docker's own profile raises no warnings");
  for (const abi of ["x86_64", "x32", "i386"] as const) {
    t.equal(call(prog, abi, "read"), "allow", `${abi} read`);
    t.equal(call(prog, abi, "reboot"), "errno:EPERM", `${abi} reboot: defaultErrnoRet 1`);
    t.equal(call(prog, abi, "clone3"), "errno:ENOSYS", `${abi} clone3`);
    t.equal(call(prog, abi, "clone", [C.THREAD]), "allow", `${abi} thread`);
    t.equal(call(prog, abi, "clone", [C.NEWUSER | 0x11]), "errno:EPERM", `${abi} new userns`);
    t.equal(call(prog, abi, "clone", [C.NEWNS]), "errno:EPERM");
    t.equal(call(prog, abi, "unshare", [C.NEWUSER]), "errno:EPERM", "unshare needs CAP_SYS_ADMIN");
    t.equal(call(prog, abi, "mount"), "errno:EPERM");
    t.equal(call(prog, abi, "bpf"), "errno:EPERM");
    t.equal(call(prog, abi, "keyctl"), "errno:EPERM", "not in the allowlist");
    t.equal(call(prog, abi, "getpid"), "allow");
  }
  t.equal(call(prog, "x86_64", "socket", [2, 1]), "allow", "AF_INET");
  t.equal(call(prog, "x86_64", "socket", [39, 1]), "allow", "39 is named");
  for (const af of [38, 40]) t.equal(call(prog, "x86_64", "socket", [af, 1]), "errno:EPERM", `AF ${af}`);
  t.equal(call(prog, "x86_64", "socket", [0x1_00000028n, 1]), "errno:EPERM", "AF_VSOCK with high junk: the kernel sees 40");
  t.equal(call(prog, "x86_64", "socket", [41, 1]), "allow");
  for (const p of [0, 8, 0x20000, 0x20008, 0xffffffff]) t.equal(call(prog, "x86_64", "personality", [p]), "allow", `personality ${p}`);
  t.equal(call(prog, "x86_64", "personality", [0x400000]), "errno:EPERM", "READ_IMPLIES_EXEC");
  t.equal(call(prog, "x86_64", "personality", [-1]), "allow", "-1 is 0xffffffff for an unsigned int");
  const newKernel = Number(release().split(".")[0]) >= 5;
  t.equal(call(prog, "x86_64", "ptrace"), newKernel ? "allow" : "errno:EPERM", "ptrace from kernel 4.8 on");
  t.equal(call(prog, "x86_64", "arch_prctl"), "allow", "amd64-only entry");
  t.equal(call(prog, "i386", "modify_ldt"), "allow");
  t.equal(call(prog, "x86_64", "open_by_handle_at"), "errno:EPERM", "needs CAP_DAC_READ_SEARCH");
  t.equal(call(prog, "x86_64", "settimeofday"), "errno:EPERM");
});

t.test("kept capabilities open what Docker opens for them", async (t) => {
  const { prog } = compile({ profile: SHARED_DOCKER }, "x86_64", ["CAP_SYS_ADMIN", "SYS_TIME"]);
  t.equal(call(prog, "x86_64", "clone", [C.NEWUSER]), "allow");
  t.equal(call(prog, "x86_64", "clone3"), "allow");
  t.equal(call(prog, "x86_64", "mount"), "allow");
  t.equal(call(prog, "x86_64", "unshare"), "allow");
  t.equal(call(prog, "x86_64", "settimeofday"), "allow", "caps may be given without CAP_");
  t.equal(call(prog, "x86_64", "reboot"), "errno:EPERM", "CAP_SYS_BOOT not kept");
});

t.test("aarch64 gets its own entries", async (t) => {
  const { prog } = compile({ profile: SHARED_DOCKER }, "aarch64");
  t.equal(call(prog, "aarch64", "read"), "allow");
  t.equal(call(prog, "aarch64", "clone", [C.NEWUSER]), "errno:EPERM");
  t.equal(call(prog, "aarch64", "clone3"), "errno:ENOSYS");
});

t.test("policy rules override the profile; default can be replaced", async (t) => {
  const { prog } = compile({ profile: SHARED_DOCKER, default: "kill-process", rules: [{ action: "errno:EACCES", syscalls: ["keyctl"] }] });
  t.equal(call(prog, "x86_64", "keyctl"), "errno:EACCES");
  t.equal(call(prog, "x86_64", "reboot"), "kill-process");
  t.equal(call(prog, "x86_64", "read"), "allow");
});
