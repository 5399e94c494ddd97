// What the build compiles ahead for a faster start must be exactly what compiling at run time gives, and
// must not be used once its inputs changed. Runs against the staged build (dist/), where those files live.
import t from "tap";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileSeccomp } from "../../src/seccomp/compile.js";
import { hostArch } from "../../src/seccomp/abi.js";
import { runAs, runCli, stageDir, tempDir, writeTestFile } from "../helpers/sandbox.js";
import { privateFront } from "../cache/front.js";
import { decodePlan } from "../../src/plan/wire.js";
import { OpType } from "../../src/plan/ops.js";

const dist = (p: string): string => join(stageDir(), "dist", p);
const load = async <T>(p: string): Promise<T> => (await import(pathToFileURL(dist(p)).href)) as T;

t.test("the default seccomp program from the build is the one the compiler makes", async (t) => {
  const { precompiledDefault } = await load<typeof import("../../src/seccomp/precompiled.js")>("seccomp/precompiled.js");
  const preset = readFileSync(join(stageDir(), "policies/seccomp-default.json"), "utf8");
  const arch = hostArch();
  const built = precompiledDefault(arch, preset);
  t.ok(built, `the build has a program for ${arch}`);
  const fresh = compileSeccomp(undefined, { arch, pointer: "/seccomp", baseDir: ".", usePrecompiled: false });
  t.ok(built?.equals(fresh.program), "byte for byte the compiler's");
  t.equal(precompiledDefault(arch, `${preset} `), undefined, "not used for another preset text");
});

t.test("the staged dist compiles the default filter through the build's program, and the same plan without it", async (t) => {
  const { compileSeccomp: distCompile } = await load<typeof import("../../src/seccomp/compile.js")>("seccomp/compile.js");
  const opts = { arch: hostArch(), pointer: "/seccomp", baseDir: "." };
  const a = distCompile(undefined, opts), b = distCompile(undefined, { ...opts, usePrecompiled: false });
  t.ok(a.program.equals(b.program));
  t.same(a.files, b.files, "the preset file is a dependency either way (cache manifests)");
  t.same(a.warnings, b.warnings);
});

t.test("the CLI runs from the build's bundle, and the bundle gives the same plan as the modules", async (t) => {
  t.ok(existsSync(dist("cli/bundle.cjs")) && existsSync(dist("cli/bundle.cache")), "the build made the bundle and its code cache");
  for (const script of ["cli/bundle.cjs", "cli/bundle-rest.cjs"]) {
    // The entry reads them as latin1: a character outside ASCII would reach messages garbled.
    t.equal(readFileSync(dist(script)).findIndex((b) => b > 0x7f), -1, `${script} is ASCII`);
  }
  t.match(readFileSync(dist("cli/main.js"), "utf8"), /^const BUNDLE_ID = "[0-9a-f]{32}";$/m, "main.js names the bundle of its build");
  // --debug shows where an error was thrown: inside the bundle, or in the modules when cli.js runs them itself.
  const bundled = await runCli(["--debug", "--policy", "/nonexistent.json", "--", "/bin/true"]);
  t.equal(bundled.code, 122);
  t.match(bundled.stderr, /cli\/bundle\.cjs:\d+/, "stack frames are in the bundle");
  const modules = await runAs(process.execPath, [dist("cli/cli.js"), "--debug", "--policy", "/nonexistent.json", "--", "/bin/true"]);
  t.equal(modules.code, 122);
  t.notMatch(modules.stderr, /bundle\.cjs/, "cli.js alone runs the modules");
  // The same plan either way, but for the manifest (it records when it was compiled).
  const dir = tempDir();
  const plans = [];
  for (const entry of ["cli/main.js", "cli/cli.js"]) {
    const out = join(dir, `${plans.length}.plan`);
    const r = await runAs(process.execPath, [dist(entry), "compile", "-o", out, "--", "/bin/true"], { cwd: dir });
    t.equal(r.code, 0, r.stderr);
    plans.push(decodePlan(readFileSync(out)).filter((o) => o.type !== OpType.Manifest));
  }
  t.ok(plans[0]!.length > 5);
  t.same(plans[0], plans[1]);
});

t.test("the build's validator is not used once the shipped schema changed: the edited schema decides", async (t) => {
  const f = privateFront();
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", JSON.stringify({ extends: "default", hostname: "box" }));
  const before = await f.run(["--no-cache", "--policy", policy, "--", "hostname"], { cwd: dir });
  t.equal(before.code, 0, before.stderr);
  t.equal(before.stdout, "box\n");
  // A private copy: its schema files are other inodes, so the texts decide; here they no longer match.
  const schemaFile = join(f.root, "policies/schema.json");
  const schema = readFileSync(schemaFile, "utf8");
  const tightened = schema.replace('"pattern":"^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$"', '"pattern":"^only$"').replace('"pattern": "^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$"', '"pattern": "^only$"');
  t.not(tightened, schema, "the hostname pattern was found and tightened");
  writeFileSync(schemaFile, tightened);
  const after = await f.run(["--no-cache", "--policy", policy, "--", "hostname"], { cwd: dir });
  t.equal(after.code, 122, "the edited schema refuses what the build's validator would have let through");
  t.match(after.stderr, /hostname/);
});
