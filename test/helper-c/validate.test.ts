// The helper refuses every malformed plan with one line and exit 122, before doing anything.

import t, { type Test } from "tap";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { helperPath, runAs, tempDir, writePlanFile, writeTestFile } from "../helpers/sandbox.js";
import { encodePlan } from "../../src/plan/wire.js";
import { bareExecPlan, op, sandboxOps, T } from "./plans.js";

const ONE_LINE = /^nsjail-ts: invalid plan: [^\n]+ at offset \d+\n$/;

async function refuse(t: Test, plan: Buffer, what: RegExp): Promise<void> {
  const r = await runAs(helperPath(), ["--check", "--plan-file", writePlanFile(plan)]);
  t.equal(r.code, 122, "exit 122");
  t.match(r.stderr, ONE_LINE, "one line naming an offset");
  t.match(r.stderr, what);
}

const good = (): Buffer => encodePlan(sandboxOps({ uid: 1, gid: 1, argv: ["/bin/true"] }));

/** Re-encode with a fixed header length after editing the body. */
function withTotal(b: Buffer): Buffer {
  b.writeUInt32LE(b.length, 12);
  return b;
}

t.test("a good plan passes --check", async (t) => {
  const r = await runAs(helperPath(), ["--check", "--plan-file", writePlanFile(good())]);
  t.equal(r.code, 0);
  t.equal(r.stderr, "");
});

t.test("truncated", (t) => refuse(t, good().subarray(0, 20), /shorter than its 32-byte header/));
t.test("truncated mid-op", (t) => refuse(t, withTotal(Buffer.from(good().subarray(0, 70))), /does not fit in the plan|runs past/));
t.test("bad magic", (t) => {
  const b = good();
  b.write("NOTAPLAN", 0, "latin1");
  return refuse(t, b, /bad magic \(not a plan\) at offset 0/);
});
t.test("bad version", (t) => {
  const b = good();
  b.writeUInt32LE(9, 8);
  return refuse(t, b, /version 9, expected 1 at offset 8/);
});
t.test("reserved header field", (t) => {
  const b = good();
  b.writeUInt32LE(1, 24);
  return refuse(t, b, /reserved header field is 1, must be 0 at offset 24/);
});
t.test("trailing bytes", (t) => refuse(t, withTotal(Buffer.concat([good(), Buffer.alloc(8)])), /8 trailing bytes after the last op/));
t.test("header length disagrees", (t) => refuse(t, Buffer.concat([good(), Buffer.alloc(4)]), /header says \d+ bytes but the plan has/));
t.test("unknown op", (t) => {
  const b = good();
  b.writeUInt16LE(99, 32);
  return refuse(t, b, /op 0 has unknown type 99 at offset 32/);
});
t.test("unknown flag bit", (t) => refuse(t, encodePlan([op(T.Bind, "", ["/a", "/b"], 0x80), op(T.Exec, "", ["x"])]), /unknown flag bits 0x80 at offset 34/));
t.test("u64 item of the wrong length", (t) => refuse(t, encodePlan([op(T.Unshare, "", ["abc"]), op(T.Exec, "", ["x"])]), /number item of 3 bytes, expected 8/));
t.test("wrong item count", (t) => refuse(t, encodePlan([op(T.Bind, "", ["/a"]), op(T.Exec, "", ["x"])]), /bind op has 1 items, expected 2/));
t.test("item length past the op", (t) => {
  const b = bareExecPlan(["/bin/true"]);
  b.writeUInt32LE(1000, 40); // origin item's length
  return refuse(t, b, /item of 1000 bytes runs past the end of its op at offset 40/);
});
t.test("NUL in a string", (t) => {
  const b = bareExecPlan(["/bin/true"]);
  b[64] = 0; // first byte of argv0: origin "test#/command" takes 40..59
  return refuse(t, b, /string contains a NUL byte/);
});
t.test("seccomp program not whole instructions", (t) =>
  refuse(t, encodePlan([op(T.Seccomp, "", [Buffer.alloc(12)]), op(T.Exec, "", ["x"])]), /whole number of 8-byte instructions/));
t.test("no exec", (t) => refuse(t, encodePlan([op(T.NoNewPrivs, "")]), /plan has no exec op/));
t.test("exec not last", (t) => refuse(t, encodePlan([op(T.Exec, "", ["x"]), op(T.NoNewPrivs, "")]), /exec op must be the last op/));
t.test("uid map before unshare-user", (t) => refuse(t, encodePlan([op(T.UidMap, "", ["0 1 1"]), op(T.Exec, "", ["x"])]), /needs an earlier unshare-user/));
t.test("mount op outside the new root", (t) =>
  refuse(t, encodePlan([op(T.Bind, "", ["/a", "/b"]), op(T.Exec, "", ["x"])]), /between the root op and pivot-root/));
t.test("relative destination", (t) => {
  const ops = sandboxOps({ uid: 1, gid: 1, argv: ["x"], mounts: [op(T.Dir, "", ["tmp/x", 0o755n])] });
  return refuse(t, encodePlan(ops), /path "tmp\/x" is not absolute/);
});
t.test("setns-user after unshare-user", (t) =>
  refuse(t, encodePlan([op(T.UnshareUser, ""), op(T.SetnsUser, "", [5n]), op(T.Exec, "", ["x"])]), /setns-user op must come first/));
t.test("setns-pid without a fork after it", (t) => refuse(t, encodePlan([op(T.SetnsUser, "", [5n]), op(T.SetnsPid, "", [6n]), op(T.Exec, "", ["x"])]), /setns-pid op needs a later fork-pid-ns/));
t.test("setns-pid with an unshare of the PID namespace", (t) =>
  refuse(t, encodePlan([op(T.SetnsUser, "", [5n]), op(T.Unshare, "", [0x20000000n]), op(T.SetnsPid, "", [6n]), op(T.ForkPidNs, ""), op(T.Exec, "", ["x"])]), /setns-pid op must come after/));
t.test("userns-block-fd without info-fd", (t) => refuse(t, encodePlan([op(T.UnshareUser, ""), op(T.UsernsBlockFd, "", [4n]), op(T.Exec, "", ["x"])]), /userns-block-fd op must come after unshare-user and info-fd/));
t.test("maps after userns-block-fd", (t) =>
  refuse(t, encodePlan([op(T.InfoFd, "", [3n]), op(T.UnshareUser, ""), op(T.UsernsBlockFd, "", [4n]), op(T.UidMap, "", ["0 1 1"]), op(T.Exec, "", ["x"])]), /uid-map op after userns-block-fd/));
t.test("userns2 without a user namespace op", (t) => refuse(t, encodePlan([op(T.Userns2, "", [7n]), op(T.Exec, "", ["x"])]), /userns2 op must come after the user namespace op/));
t.test("namespace fd above INT_MAX", (t) => refuse(t, encodePlan([op(T.SetnsUser, "", [1n << 40n]), op(T.Exec, "", ["x"])]), /setns-user op: value \d+ is larger than/));
t.test("hostname without a UTS namespace", (t) => refuse(t, encodePlan([op(T.Hostname, "", ["h"]), op(T.Exec, "", ["x"])]), /UTS namespace/));

t.test("a refused plan runs nothing, and the error fd gets a record", async (t) => {
  const dir = tempDir();
  const marker = join(dir, "ran");
  const plan = encodePlan([op(T.Exec, "", ["/bin/sh", "-c", `touch ${marker}`]), op(T.NoNewPrivs, "")]);
  const errFile = writeTestFile(dir, "err", "");
  const { openSync, existsSync } = await import("node:fs");
  const fd = openSync(errFile, "w");
  const r = await runAs(helperPath(), ["--plan-file", writePlanFile(plan), "--error-fd", "3"], { extraFds: [fd] });
  t.equal(r.code, 122);
  t.notOk(existsSync(marker), "the command did not run");
  t.match(readFileSync(errFile, "utf8"), /^E 122 4294967295 0 invalid plan: exec op must be the last op at offset 32\n$/);
});

t.test("the plan can arrive on a pipe", async (t) => {
  const file = writePlanFile(bareExecPlan(["/bin/sh", "-c", "echo piped"]));
  const r = await runAs("/bin/sh", ["-c", `cat '${file}' | '${helperPath()}' --plan-fd 0`]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "piped\n");
});

t.test("-- replaces the plan's command", async (t) => {
  const r = await runAs(helperPath(), ["--plan-file", writePlanFile(bareExecPlan(["/bin/false"])), "--", "sh", "-c", "exit 42"]);
  t.equal(r.code, 42);
});

t.test("usage errors exit 2", async (t) => {
  const r = await runAs(helperPath(), ["--bogus"]);
  t.equal(r.code, 2);
  t.match(r.stderr, /unknown argument "--bogus"/);
});
