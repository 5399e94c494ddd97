// Bad seccomp input: one clear, located error each; warnings for rules that can never decide.
import t from "tap";
import { compileSeccomp } from "../../src/seccomp/compile.js";
import { NsjailError } from "../../src/errors.js";
import type { SeccompPolicy } from "../../src/policy/types.js";
import { compile } from "./helpers.js";

function errorOf(spec: unknown): NsjailError {
  try {
    compileSeccomp(spec as SeccompPolicy, {
      arch: "x86_64", file: "p.json", pointer: "/seccomp", baseDir: process.cwd(),
      locate: (p) => (p === "/seccomp/rules/0/syscalls/1" ? { line: 7, column: 9 } : undefined),
    });
  } catch (e) {
    if (e instanceof NsjailError) return e;
    throw e;
  }
  throw new Error("no error");
}

t.test("unknown syscall names are located and get a suggestion", async (t) => {
  const e = errorOf({ default: "allow", rules: [{ action: "allow", syscalls: ["read", "opne"] }] });
  t.equal(e.code, 122);
  t.equal(e.message, 'p.json:7:9 #/seccomp/rules/0/syscalls/1: unknown syscall "opne" (did you mean open?)');
  t.match(errorOf({ default: "allow", rules: [{ action: "allow", syscalls: ["@network"] }] }).message, /unknown syscall group "@network" \(did you mean @network-io\?\)/);
  t.notMatch(errorOf({ default: "allow", rules: [{ action: "allow", syscalls: ["zzzzzzzzzzzz"] }] }).message, /did you mean/);
});

t.test("each bad field is named with what was expected", async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ default: "permit" }, /#\/seccomp\/default: unknown action "permit" \(expected one of allow/],
    [{ default: "errno:EWHAT" }, /unknown errno "EWHAT"/],
    [{ default: "errno:5000" }, /out of range/],
    [{ rules: [] }, /needs a "default" action/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: [] }] }, /rules\/0\/syscalls: syscalls must be a non-empty array/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 6, op: "==", value: 1 }] }] }, /args\/0\/index: index must be an integer 0..5, got 6/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 0, op: "=", value: 1 }] }] }, /args\/0\/op: op must be one of/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 0, op: "&==", value: 1 }] }] }, /needs a mask/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 0, op: "==", value: "TIOCSIT" }] }] }, /args\/0\/value: unknown constant "TIOCSIT" \(did you mean TIOCSTI\?\)/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 0, op: "==", value: 1.5 }] }] }, /not an exact integer/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: ["read"], args: [{ index: 0, op: "==", value: "0x1ffffffffffffffff" }] }] }, /does not fit in 64 bits/],
    [{ default: "allow", rules: [{ action: "allow", syscalls: ["read"], bogus: 1 }] }, /rules\/0\/bogus: unknown key "bogus"/],
    [{ default: "allow", extra: 1 }, /#\/seccomp\/extra: unknown key "extra"/],
    [{ preset: "none", default: "allow" }, /preset "none" turns the filter off/],
    [{ preset: "nosuch" }, /cannot read seccomp preset "nosuch"/],
    [{ profile: "no/such/profile.json" }, /cannot read Docker seccomp profile .*ENOENT/],
  ];
  for (const [spec, re] of cases) {
    const e = errorOf(spec);
    t.match(e.message, re, JSON.stringify(spec));
    t.notOk(e.message.includes("\n"), "one line");
  }
});

t.test("preset none means no filter at all", async (t) => {
  t.equal(compileSeccomp({ preset: "none" }, { arch: "x86_64", pointer: "/seccomp", baseDir: "." }).program.length, 0);
});

t.test("rules that can never decide are warned about", async (t) => {
  const { warnings } = compile({ default: "allow", rules: [
    { action: "errno:EPERM", syscalls: ["ptrace", "kill"] },
    { action: "allow", syscalls: ["ptrace"], args: [{ index: 0, op: "==", value: 0 }] },
    { action: "errno:EPERM", syscalls: ["ioctl"], args: [{ index: 1, op: "==", value: "TIOCSTI" }] },
    { action: "log", syscalls: ["ioctl", "read"], args: [{ index: 1, op: "==", value: 0x5412 }, { index: 0, op: "==", value: 1 }] },
    { action: "log", syscalls: ["kill", "tkill"] },
  ] });
  t.equal(warnings.length, 3, warnings.join("\n"));
  t.match(warnings[0], /#\/seccomp\/rules\/1: rule is unreachable.*by policy.json#\/seccomp\/rules\/0/);
  t.match(warnings[1], /rules\/3: ioctl never reaches this rule: decided by .*rules\/2/);
  t.match(warnings[2], /rules\/4: kill never reaches this rule/);
});
