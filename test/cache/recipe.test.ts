// Plans that do not hold the caller's environment: the OP_ENV recipe, long command-line strings, and the
// manifest's refusal to vouch for a file that changed while the plan was compiled.

import t from "tap";
import { statSync } from "node:fs";
import { applyEnvRecipe, envRecipe } from "../../src/plan/exec.js";
import { ENV_CLEAR, op, OpType, PLAN_MAX_ARG } from "../../src/plan/ops.js";
import { decodePlan, encodePlan } from "../../src/plan/wire.js";
import { manifestRecords, withManifest } from "../../src/cache/manifest.js";
import { policyArgAbsent } from "../../src/cache/deps.js";
import { runCli, tempDir, writeTestFile } from "../helpers/sandbox.js";

t.test("the recipe keeps, unsets and sets names, never copies values", async (t) => {
  const r = envRecipe({ env: { clear: true, keep: ["PATH", "HOME"], unset: ["HOME"], set: { A: "1=2" } } });
  t.same(r, { clear: true, items: ["+PATH", "+HOME", "-HOME", "A=1=2"] });
  t.same(applyEnvRecipe(r, { PATH: "/bin", HOME: "/h", SECRET: "s" }), { PATH: "/bin", A: "1=2" });
  const open = envRecipe({ env: { keep: ["IGNORED"], unset: ["SECRET"] } });
  t.same(open, { clear: false, items: ["-SECRET"] }, "keep means nothing without clear");
  t.same(applyEnvRecipe(open, { PATH: "/bin", SECRET: "s" }), { PATH: "/bin" });
  t.same(applyEnvRecipe(envRecipe({ env: { clear: true, keep: ["MISSING"] } }), {}), {});
});

t.test("env and exec strings may be as long as the kernel allows; paths may not", async (t) => {
  const long = "x".repeat(PLAN_MAX_ARG - 2);
  const plan = encodePlan([op(OpType.Env, "", [`A=${long}`], ENV_CLEAR), op(OpType.Exec, "", ["echo", long])]);
  t.equal(decodePlan(plan)[1]!.items[1]!.length, long.length);
  t.throws(() => encodePlan([op(OpType.Exec, "", ["y".repeat(PLAN_MAX_ARG + 1)])]), /longer than 131072 bytes/);
  t.throws(() => encodePlan([op(OpType.Chdir, "", ["/" + "d".repeat(5000)])]), /longer than 4096 bytes/);
});

t.test("the helper applies the recipe to the environment it was started with", async (t) => {
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", JSON.stringify({ extends: "default", env: { clear: false, unset: ["SECRET"], set: { A: "set" } } }));
  const env = { PATH: "/usr/bin:/bin", HOME: dir, SECRET: "s", OTHER: "o", LONG: "z".repeat(70000) };
  const r = await runCli(["--policy", policy, "--", "sh", "-c", 'echo "$A $OTHER ${SECRET-unset} ${#LONG}"'], { env, cwd: dir });
  t.equal(r.stdout, "set o unset 70000\n", r.stderr);
  const long = "w".repeat(10000);
  const argv = await runCli(["--", "sh", "-c", 'echo ${#1}', "sh", long], { cwd: dir });
  t.equal(argv.stdout, "10000\n", "an argument longer than PATH_MAX");
});

t.test("manifest: files with their stat and hash, absent paths, variables; a file too fresh is refused", async (t) => {
  const dir = tempDir();
  const file = writeTestFile(dir, "p.json", "{}");
  const st = statSync(file, { bigint: true });
  const base = { absent: [`${dir}/none`], env: { B: "2", A: undefined }, uid: 1, gid: 2, cwd: dir, helper: "h", compiler: "c" };
  const fresh = manifestRecords({ ...base, files: [file], startedNs: st.ctimeNs });
  t.same(fresh, { ok: false, why: `${file} changed while the plan was compiled` });
  const m = manifestRecords({ ...base, files: [file, file], startedNs: st.ctimeNs + 1_000_000_000n });
  t.ok(m.ok);
  if (!m.ok) return;
  t.same(m.records.slice(0, 5), ["compiler c", "helper h", "uid 1", "gid 2", `cwd ${dir}`]);
  t.same(m.records.slice(6), [
    `file ${st.dev} ${st.ino} 2 ${st.mtimeNs} ${st.ctimeNs} 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a ${file}`,
    `absent ${dir}/none`,
    "noenv A",
    "env B=2",
  ]);
  const ops = withManifest([op(OpType.Chdir, "", ["/"]), op(OpType.Exec, "", ["true"])], m.records);
  t.same(ops.map((o) => o.type), [OpType.Chdir, OpType.Manifest, OpType.Exec]);
});

t.test("--policy NAME records ./NAME as absent only when the preset lookup happened", async (t) => {
  t.same(policyArgAbsent(undefined), []);
  t.same(policyArgAbsent("x/y.json"), []);
  t.same(policyArgAbsent("no-such-name-here"), [`${process.cwd()}/no-such-name-here`]);
  t.same(policyArgAbsent("package.json"), []);
});
