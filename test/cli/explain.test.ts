// explain: every step of the compiled plan in words, with the policy line or flag it came from.

import t from "tap";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunArgs } from "../../src/cli/args.js";
import { explainPlan, why } from "../../src/cli/explain.js";
import { bwrapLayers } from "../../src/cli/flags/bwrap.js";
import { emptyRequest } from "../../src/cli/flags/index.js";
import { policyPath } from "../../src/cli/policy-arg.js";
import { preparePlan } from "../../src/run/prepare.js";
import { runCli, tempDir } from "../helpers/sandbox.js";

const dir = mkdtempSync(join(tmpdir(), "nsjail-ts-explain-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function explain(argv: string[]): string {
  const req = parseRunArgs(argv, emptyRequest());
  return explainPlan(preparePlan({ command: req.command, layers: req.layers, ...(req.policy ? { policyFile: policyPath(req.policy) } : {}) }));
}

t.test("a policy file with flags: namespaces, mounts in order with their origin, process, limits, seccomp", async (t) => {
  const policy = join(dir, "p.json");
  writeFileSync(policy, JSON.stringify({
    extends: "default",
    hostname: "box",
    namespaces: { net: false },
    mounts: [{ type: "tmpfs", dst: "/scratch", size: "64M", mode: "0700" }],
    limits: { time: 30, rlimits: { nofile: 256 } },
    seccomp: { default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["@mount", "ptrace"] }, { action: "kill", syscalls: ["personality"], args: [{ index: 0, op: "!=", value: 0 }] }] },
  }, null, 2));
  const out = explain(["--policy", policy, "--setenv", "A", "1", "--ro-bind", "/usr/share", "/opt/share", "--", "make", "-j", "it's"]);
  t.match(out, /^command: make -j 'it'\\''s'\n/);
  t.match(out, /shared with the host: net \(.*p\.json:\d+:\d+#\/namespaces\/net\)/);
  t.match(out, /hostname: box \(.*p\.json:\d+:\d+#\/hostname\)/);
  t.match(out, /\/scratch: empty tmpfs, mode 0700, 64M at most\n\s+why: .*p\.json:\d+:\d+#\/mounts\/\d+/);
  t.match(out, /\/opt\/share: read-only bind of \/usr\/share\n\s+why: command line --ro-bind \/usr\/share \/opt\/share\n/);
  t.ok(out.indexOf("/scratch:") < out.indexOf("/opt/share:"), "policy mounts come before the flags'");
  t.match(out, /set: A=1 +\(command line --setenv/);
  t.match(out, /wall clock: 30 s, then SIGTERM/);
  t.match(out, /nofile: 256 \(.*#\/limits\/rlimits\/nofile\)/);
  t.match(out, /default action: allow/);
  t.match(out, /rules: 2;/);
  t.match(out, /groups: @mount/);
  t.match(out, /argument rules: 1\n\s+personality when arg0 != 0: kill/);
  t.match(out, /compiled: \d+ BPF instructions/);
});

t.test("the default policy says where each default comes from", async (t) => {
  const out = explain(["--", "true"]);
  t.match(out, /policy: .*default\.json/);
  t.match(out, /new: user \(default\), mount \(default\)/);
  t.match(out, /from: preset "default" .*the default because the policy has no "seccomp"/);
});

t.test("bwrap mode: nothing shared but what flags say, no filter", async (t) => {
  const empty = join(dir, "empty.json");
  writeFileSync(empty, "{}");
  const req = parseRunArgs(["--ro-bind", "/usr", "/usr", "--unshare-net", "true"], emptyRequest(true));
  const out = explainPlan(preparePlan({ policyFile: empty, layers: bwrapLayers(req), command: req.command }));
  t.match(out, /new: user \(bwrap mode \(an empty start\)\), mount .*, net \(command line --unshare-net\)/);
  t.match(out, /shared with the host: .*pid \(bwrap mode/);
  t.match(out, /no filter: every system call is allowed \(preset "none"/);
  t.match(out, /capabilities: none/);
});

t.test("why() drops the pointer of a flag's layer only", async (t) => {
  t.equal(why("command line --bind /a /b#/mounts/0"), "command line --bind /a /b");
  t.equal(why("p.json:3:5#/mounts/0"), "p.json:3:5#/mounts/0");
  t.equal(why("bwrap mode (an empty start)#/uid"), "bwrap mode (an empty start)");
});

t.test("the explain command runs nothing and exits 0; bad flags exit 2", async (t) => {
  const cwd = tempDir();
  const r = await runCli(["explain", "--hostname", "h", "--", "sh", "-c", "echo ran"], { cwd });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /hostname: h \(command line --hostname h\)/);
  t.notMatch(r.stdout, /^ran$/m);
  const bad = await runCli(["explain", "--perms", "0700", "--", "true"], { cwd });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^nsjail-ts: --perms must be followed by an option that creates a file/);
});
