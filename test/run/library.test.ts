// The library API: run() and compilePolicy() from Node, used by a script running as the test uid.

import t from "tap";
import { join } from "node:path";
import { runAs, stageDir, tempDir, writeTestFile } from "../helpers/sandbox.js";

/** A script that imports the staged package and prints what run() resolved with. */
function script(body: string): string {
  const dir = tempDir();
  const lib = join(stageDir(), "dist/index.js");
  return writeTestFile(dir, "lib.mjs", `import { run, compilePolicy, NsjailError } from ${JSON.stringify(lib)};\n${body}\n`);
}

t.test("run() resolves with the command's exit code and keeps the caller running", async (t) => {
  const s = script(`
const r = await run(["/bin/sh", "-c", "hostname; exit 42"], { stdio: "inherit" });
console.log(JSON.stringify({ exitCode: r.exitCode, signal: r.signal, setupError: r.setupError ?? null }));`);
  const r = await runAs(process.execPath, [s]);
  t.equal(r.code, 0, r.stderr);
  const [hostname, json] = r.stdout.trim().split("\n");
  t.equal(hostname, "nsjail-ts");
  t.same(JSON.parse(json!), { exitCode: 42, signal: null, setupError: null });
});

t.test("run() reports which setup step failed", async (t) => {
  const dir = tempDir();
  // A file where a directory is needed: the mount of the tmpfs on it fails inside the helper.
  const policy = writeTestFile(dir, "p.json", JSON.stringify({ extends: "default", mounts: [{ type: "file", dst: "/x", content: "" }, { type: "tmpfs", dst: "/x/y" }] }));
  const s = script(`
const r = await run(["/bin/true"], { policyFile: ${JSON.stringify(policy)}, stdio: "pipe" });
console.log(JSON.stringify(r.setupError));`);
  const r = await runAs(process.execPath, [s], { cwd: dir });
  t.equal(r.code, 0, r.stderr);
  const err = JSON.parse(r.stdout) as { exitCode: number; step: string; message: string };
  t.equal(err.exitCode, 125);
  t.match(err.step, /^Tmpfs \(.*p\.json.*#\/mounts\/\d+\)$/);
  t.match(err.message, /#\/mounts\/\d+: .*`\/x`.*Not a directory/);
});

t.test("compilePolicy() refuses bad input with an NsjailError carrying the exit code", async (t) => {
  const dir = tempDir();
  const policy = writeTestFile(dir, "p.json", '{ "mount": [] }');
  const s = script(`
try { compilePolicy({ policyFile: ${JSON.stringify(policy)}, command: ["true"] }); console.log("no error"); }
catch (e) { console.log(e instanceof NsjailError, e.code, e.message); }`);
  const r = await runAs(process.execPath, [s], { cwd: dir });
  t.match(r.stdout, /^true 122 .*p\.json:1:3.*did you mean "mounts"/);
});
