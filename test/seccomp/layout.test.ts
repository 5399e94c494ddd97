// Program layout: far jumps, shared tails, the kernel's 4096-instruction limit, the search depth.
import t from "tap";
import { BPF } from "../../src/seccomp/bpf.js";
import { compileSeccomp } from "../../src/seccomp/compile.js";
import { NsjailError } from "../../src/errors.js";
import { allSyscallNames, syscallNumber } from "../../src/seccomp/abi.js";
import { describeAction } from "../../src/seccomp/actions.js";
import { call, compile, steps } from "./helpers.js";

t.test("jumps beyond 255 instructions still land where they should", async (t) => {
  const values = Array.from({ length: 300 }, (_, i) => 0x1000 + i * 7);
  const rules = values.map((v, i) => ({ action: `errno:${(i % 100) + 1}`, syscalls: ["ioctl"], args: [{ index: 1, op: "==" as const, value: v }] }));
  const { prog } = compile({ default: "kill-process", rules: [...rules, { action: "allow", syscalls: ["@system-service"] }] });
  t.ok(prog.length > 600, `program is long (${prog.length})`);
  t.ok(prog.some((i) => i.code === BPF.JA), "uses long jumps");
  const want = (i: number): string => describeAction(0x50000 | ((i % 100) + 1));
  let wrong = 0;
  values.forEach((v, i) => {
    for (const abi of ["x86_64", "x32", "i386"] as const) if (call(prog, abi, "ioctl", [0, v]) !== want(i)) wrong++;
  });
  t.equal(wrong, 0, "all 300 values on all three ABIs");
  t.equal(call(prog, "x86_64", "ioctl", [0, 0x1001]), "allow", "unmatched value falls to the later allow");
  t.equal(call(prog, "x86_64", "read"), "allow");
  t.equal(call(prog, "x86_64", "reboot"), "kill-process");
  t.equal(call(prog, "i386", "ioctl", [0, values[99]!]), "errno:ENETDOWN", "errno 100");
});

t.test("a filter that cannot fit in 4096 instructions is a clear error", async (t) => {
  const rules = Array.from({ length: 1100 }, (_, i) => ({ action: "errno:EPERM", syscalls: ["lseek"], args: [{ index: 1, op: "==" as const, value: `0x${(i + 1).toString(16)}00000001` }] }));
  try {
    compileSeccomp({ default: "allow", rules }, { arch: "x86_64", pointer: "/seccomp", baseDir: ".", file: "big.json" });
    t.fail("compiled");
  } catch (e) {
    t.ok(e instanceof NsjailError);
    t.match((e as Error).message, /^big\.json #\/seccomp: the seccomp filter needs \d+ BPF instructions, more than the kernel's limit of 4096/);
  }
  const ok = compile({ default: "allow", rules: rules.slice(0, 300) });
  t.ok(ok.prog.length <= 4096);
});

t.test("decisions come from a search, not a scan", async (t) => {
  const names = [...allSyscallNames()].filter((n) => syscallNumber("x86_64", n) !== undefined);
  const allow = names.filter((_, i) => i % 2 === 0);
  const { prog } = compile({ default: "errno:EPERM", rules: [{ action: "allow", syscalls: allow }] });
  const most = Math.max(...names.map((n) => steps(prog, "x86_64", n)));
  // ~360 alternating ranges: a balanced search needs about log2(360) ≈ 9 tests, plus arch and load;
  // weighting for frequent syscalls costs rare ones a few more, a scan would cost hundreds.
  t.ok(most <= 18, `at most ${most} instructions for any syscall`);
  const mean = (ns: string[]): number => ns.reduce((a, n) => a + steps(prog, "x86_64", n), 0) / ns.length;
  const hot = mean(["read", "write", "futex", "openat", "close", "mmap"]), all = mean(names);
  t.ok(hot < all - 1, `frequent syscalls sit nearer the root (${hot.toFixed(1)} vs ${all.toFixed(1)} on average)`);
  t.ok(prog.length < 1200, `program size ${prog.length}`);
  for (const n of names) if (call(prog, "x86_64", n) !== (allow.includes(n) ? "allow" : "errno:EPERM")) t.fail(n);
});

t.test("equal decisions share one copy", async (t) => {
  const { prog } = compile({ default: "allow", rules: [
    { action: "errno:EPERM", syscalls: ["clone", "unshare"], args: [{ index: 0, op: "&==", mask: "CLONE_NEWUSER", value: "CLONE_NEWUSER" }] },
  ] });
  const jsets = prog.filter((i) => i.code === BPF.JSET_K && i.k === 0x10000000);
  t.equal(jsets.length, 1, "clone and unshare (on every ABI) share one test");
  const rets = prog.filter((i) => i.code === BPF.RET_K);
  t.equal(new Set(rets.map((r) => r.k)).size, rets.length, "each return value appears once");
});
