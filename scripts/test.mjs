#!/usr/bin/env node
// Runs the test suite so that every sandbox under test belongs to an unprivileged uid: when started
// as root it makes sure a test user exists, stages a world-readable copy of the built project (the
// checkout itself may sit in a directory that user cannot enter) and hands both to tap.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TEST_USER = process.env.NSJAIL_TS_TEST_USER ?? "nsjail-ts-test";

function ensureTestUser() {
  if (process.getuid() !== 0) return { uid: process.getuid(), gid: process.getgid() };
  let r = spawnSync("id", ["-u", TEST_USER], { encoding: "utf8" });
  if (r.status !== 0) {
    const add = spawnSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER], { encoding: "utf8" });
    if (add.status !== 0) {
      console.error(`test: cannot create the unprivileged test user ${TEST_USER}: ${add.stderr.trim()}`);
      process.exit(2);
    }
    r = spawnSync("id", ["-u", TEST_USER], { encoding: "utf8" });
  }
  const uid = Number(r.stdout.trim());
  const gid = Number(spawnSync("id", ["-g", TEST_USER], { encoding: "utf8" }).stdout.trim());
  return { uid, gid };
}

/** The runtime dependencies (and theirs), so the staged copy can run the CLI without dev tools. */
function runtimeModules() {
  const seen = new Set();
  const walk = (name) => {
    if (seen.has(name)) return;
    const dir = join(root, "node_modules", name);
    if (!existsSync(dir)) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    // koffi's native code comes as an optional, per-platform package.
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) walk(dep);
  };
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  for (const dep of Object.keys(pkg.dependencies ?? {})) walk(dep);
  return [...seen];
}

function makeReadable(path) {
  const st = statSync(path);
  chmodSync(path, st.isDirectory() || st.mode & 0o111 ? 0o755 : 0o644);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeReadable(join(path, e));
}

function stage() {
  const dir = mkdtempSync(join(tmpdir(), "nsjail-ts-stage-"));
  for (const part of ["dist", "helper-c/build", "policies", "man", "package.json"]) {
    if (existsSync(join(root, part))) cpSync(join(root, part), join(dir, part), { recursive: true });
  }
  for (const mod of runtimeModules()) cpSync(join(root, "node_modules", mod), join(dir, "node_modules", mod), { recursive: true });
  makeReadable(dir);
  return dir;
}

const ids = ensureTestUser();
const stageDir = stage();
const cleanup = () => rmSync(stageDir, { recursive: true, force: true });
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => process.exit(130));

const env = { ...process.env, NSJAIL_TS_STAGE: stageDir, NSJAIL_TS_TEST_UID: String(ids.uid), NSJAIL_TS_TEST_GID: String(ids.gid) };
const args = process.argv.slice(2);
const tap = spawn(join(root, "node_modules/.bin/tap"), ["--reporter=tap", ...args], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
let passed = 0;
let failed = 0;
let pending = "";
tap.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString("utf8");
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) {
    const m = /^\s*(not ok|ok) \d+/.exec(line);
    if (!m) continue;
    if (/# (SKIP|TODO)/i.test(line)) continue;
    if (m[1] === "ok") passed++;
    else failed++;
  }
});
tap.on("close", (code) => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = code ?? 1;
});
