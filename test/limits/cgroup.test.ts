// cgroup v2 detection against fake trees, the rlimit fallback, and the helper joining and removing a real cgroup.

import t from "tap";
import { spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chooseCgroupBase, createSandboxCgroup, findCgroupHost, sweepStale } from "../../src/run/cgroup.js";
import { lifecyclePlan } from "../../src/run/status.js";
import { preparePlan } from "../../src/run/prepare.js";
import { OpType } from "../../src/plan/ops.js";
import { helperPath, TEST_GID, TEST_UID, writePlanFile } from "../helpers/sandbox.js";
import { op, sandboxPlan, T } from "../helper-c/plans.js";

function fakeTree(own: string, files: Record<string, string>): { proc: string; mount: string } {
  const root = mkdtempSync(join(tmpdir(), "nsjail-ts-cg-"));
  t.teardown(() => void import("node:fs").then((fs) => fs.rmSync(root, { recursive: true, force: true })));
  const mount = join(root, "cg");
  const proc = join(root, "proc");
  mkdirSync(proc);
  writeFileSync(join(proc, "cgroup"), `0::${own}\n`);
  writeFileSync(join(proc, "mountinfo"), `22 1 0:5 / / rw - ext4 /dev/sda rw\n41 31 0:38 / ${mount} rw,relatime - cgroup2 cgroup2 rw\n`);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(mount, p, ".."), { recursive: true });
    writeFileSync(join(mount, p), content);
  }
  return { proc, mount };
}

t.test("detection: the caller's cgroup, its delegated parent, a scope we are alone in, and why not", async (t) => {
  const inner = fakeTree("/user/app", { "user/app/cgroup.procs": "", "user/app/cgroup.subtree_control": "memory pids", "user/app/cgroup.controllers": "memory pids" });
  const h1 = findCgroupHost(inner.proc);
  t.same(h1, { mount: inner.mount, own: join(inner.mount, "user/app") });
  t.same(chooseCgroupBase(h1 as never, ["memory", "pids"]), { base: join(inner.mount, "user/app"), leave: join(inner.mount, "user/app") });

  const sibling = fakeTree("/user/app/term.scope", {
    "user/app/cgroup.procs": "", "user/app/cgroup.subtree_control": "cpu memory pids",
    "user/app/term.scope/cgroup.procs": "77\n", "user/app/term.scope/cgroup.controllers": "cpu memory pids", "user/app/term.scope/cgroup.subtree_control": "",
  });
  const h2 = findCgroupHost(sibling.proc) as { own: string; mount: string };
  t.same(chooseCgroupBase(h2, ["memory"]), { base: join(sibling.mount, "user/app"), leave: h2.own }, "a sibling under the delegated parent");
  t.match(chooseCgroupBase(h2, ["hugetlb"]), /has no hugetlb controller/);

  const alone = fakeTree("/user/run.scope", { "user/run.scope/cgroup.procs": "4242\n", "user/run.scope/cgroup.controllers": "memory pids", "user/run.scope/cgroup.subtree_control": "" });
  const h3 = findCgroupHost(alone.proc) as { own: string; mount: string };
  t.same(chooseCgroupBase(h3, ["memory", "pids"], 4242), { base: h3.own, leave: join(h3.own, "nsjail-ts-leaf") });
  t.equal(readFileSync(join(h3.own, "nsjail-ts-leaf/cgroup.procs"), "utf8"), "4242", "we moved into the leaf first");
  t.equal(readFileSync(join(h3.own, "cgroup.subtree_control"), "utf8"), "+memory +pids");

  const crowded = fakeTree("/user/s.scope", { "user/s.scope/cgroup.procs": "1\n2\n", "user/s.scope/cgroup.controllers": "memory", "user/s.scope/cgroup.subtree_control": "" });
  t.match(chooseCgroupBase(findCgroupHost(crowded.proc) as never, ["memory"], 2), /holds other processes/);
  const front = fakeTree("/user/f.scope", { "user/f.scope/cgroup.procs": "1\n2\n", "user/f.scope/cgroup.controllers": "memory", "user/f.scope/cgroup.subtree_control": "" });
  const h4 = findCgroupHost(front.proc) as { own: string; mount: string };
  t.same(chooseCgroupBase(h4, ["memory"], 2, 1), { base: h4.own, leave: join(h4.own, "nsjail-ts-leaf") }, "the front end that runs the plan is not another process");
  t.equal(readFileSync(join(h4.own, "nsjail-ts-leaf/cgroup.procs"), "utf8"), "1", "it moved into the leaf too (last)");

  const none = fakeTree("/", {});
  writeFileSync(join(none.proc, "mountinfo"), "22 1 0:5 / / rw - ext4 /dev/sda rw\n");
  t.equal(findCgroupHost(none.proc), "no cgroup2 filesystem is mounted");
});

t.test("a sandbox cgroup gets its limits; stale ones of dead creators are swept", async (t) => {
  const { mount } = fakeTree("/", { "cgroup.procs": "" });
  mkdirSync(join(mount, "nsjail-ts-999999999-abcd"));
  mkdirSync(join(mount, `nsjail-ts-${process.pid}-beef`));
  const dir = createSandboxCgroup(mount, [{ file: "memory.max", value: "1048576", pointer: "" }, { file: "pids.max", value: "5", pointer: "" }], 12345);
  t.match(dir, /nsjail-ts-12345-[0-9a-f]{8}$/);
  t.equal(readFileSync(join(dir, "memory.max"), "utf8"), "1048576");
  t.equal(readFileSync(join(dir, "pids.max"), "utf8"), "5");
  t.notOk(existsSync(join(mount, "nsjail-ts-999999999-abcd")), "the dead creator's cgroup is gone");
  t.ok(existsSync(join(mount, `nsjail-ts-${process.pid}-beef`)), "a live creator's cgroup stays");
  sweepStale(mount, () => true);
});

const prepare = (cgroup: Record<string, unknown>, rlimits: Record<string, unknown> = {}) =>
  preparePlan({ command: ["/bin/true"], layers: [{ policy: { limits: { cgroup, rlimits } } as never, label: "test" }] });

t.test("without a delegated cgroup: rlimit fallback and one warning, or an error when required", async (t) => {
  const none = fakeTree("/", { "cgroup.procs": "", "cgroup.controllers": "hugetlb", "cgroup.subtree_control": "hugetlb" });
  const l = lifecyclePlan(prepare({ memory: "256M", pids: 64, cpu: 0.5 }), ["/bin/true"], {}, { procSelf: none.proc });
  t.equal(l.warnings.length, 1);
  t.match(l.warnings[0], /^no cgroup v2 limits \(.*has no memory, pids, cpu controllers\): memory to rlimit as, pids to rlimit nproc instead; cpu not applied$/);
  const rl = l.ops.filter((o) => o.type === OpType.Rlimit).map((o) => o.items.map(String));
  t.same(rl, [["9", "268435456", "268435456"], ["6", "64", "64"]]);
  t.ok(l.ops.findIndex((o) => o.type === OpType.Rlimit) < l.ops.findIndex((o) => o.type === OpType.Chdir), "before chdir, as SETUP_ORDER puts rlimits");
  t.notOk(l.ops.some((o) => o.type === OpType.JoinCgroup));

  const own = lifecyclePlan(prepare({ memory: "256M" }, { as: "1G" }), ["/bin/true"], {}, { procSelf: none.proc });
  t.match(own.warnings[0], /memory to the policy's rlimit as instead/);
  t.same(own.ops.filter((o) => o.type === OpType.Rlimit).map((o) => String(o.items[1])), [String(1n << 30n)], "the policy's own rlimit is kept");

  t.throws(() => lifecyclePlan(prepare({ pids: 10, required: true }), ["/bin/true"], {}, { procSelf: none.proc }), /limits\/cgroup\/required.*cgroup limits are required but unavailable/);
});

t.test("with a delegated cgroup: join and removal come first, the limits are written", async (t) => {
  const deleg = fakeTree("/me", { "me/cgroup.procs": "", "me/cgroup.subtree_control": "memory pids", "me/cgroup.controllers": "memory pids" });
  const l = lifecyclePlan(prepare({ memory: "64M", pids: 32 }), ["/bin/true"], {}, { procSelf: deleg.proc });
  t.same(l.warnings, []);
  t.equal(l.ops[0]!.type, OpType.JoinCgroup);
  t.equal(l.ops[1]!.type, OpType.CgroupRemove);
  t.same(l.ops[1]!.items, [join(deleg.mount, "me"), l.cgroup]);
  t.equal(readFileSync(join(l.cgroup!, "memory.max"), "utf8"), String(64 << 20));
  t.equal(readFileSync(join(l.cgroup!, "pids.max"), "utf8"), "32");
});

const unified = "/sys/fs/cgroup/unified";
t.test("the helper joins a real cgroup v2 and its outer process removes it afterwards", { skip: (process.getuid?.() !== 0 || !existsSync(join(unified, "cgroup.procs"))) && "needs root to delegate a cgroup v2 subtree" }, async (t) => {
  const deleg = join(unified, `nsjail-ts-test-${process.pid}`);
  const leave = join(deleg, "caller");
  const box = join(deleg, "box");
  for (const d of [deleg, leave, box]) {
    mkdirSync(d);
    for (const f of ["", "cgroup.procs"]) chownSync(join(d, f), TEST_UID, TEST_GID);
  }
  t.teardown(() => {
    for (const d of [box, leave, deleg]) if (existsSync(d)) rmdirSync(d);
  });
  const plan = writePlanFile(sandboxPlan({ uid: TEST_UID, gid: TEST_GID, argv: ["/bin/sh", "-c", "sleep 1"], early: [op(T.JoinCgroup, "", [box]), op(T.CgroupRemove, "", [leave, box])] }));
  // Root puts the shell into the caller's cgroup, as a login manager would, then drops to the test uid.
  const child = spawn("/bin/sh", ["-c", `echo $$ > ${leave}/cgroup.procs && exec setpriv --reuid=${TEST_UID} --regid=${TEST_GID} --clear-groups --inh-caps=-all -- ${helperPath()} --plan-file ${plan}`], { stdio: "inherit" });
  await sleep(500);
  t.not(readFileSync(join(box, "cgroup.procs"), "utf8").trim(), "", "the sandbox runs in its cgroup");
  const code = await new Promise((r) => child.on("close", r));
  t.equal(code, 0);
  t.notOk(existsSync(box), "the outer helper removed the sandbox's cgroup");
  t.equal(readFileSync(join(leave, "cgroup.procs"), "utf8"), "", "and nobody was left in the caller's");
});
