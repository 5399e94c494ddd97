#!/usr/bin/env node
// Fuzzes the helper's plan parser (helper-c/fuzz, libFuzzer with ASan and UBSan) for a fixed budget,
// starting from plans compiled from the shipped presets, and keeps every crash, hang or out-of-memory
// input as a regression input in test/fuzz/regressions/ (replayed by test/fuzz/regressions.test.ts).
//
// usage: npm run fuzz [-- --seconds N] [--keep-corpus DIR]
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const regressions = join(root, "test/fuzz/regressions");

function usage(message) {
  console.error(`fuzz: ${message}\nusage: npm run fuzz [-- --seconds N] [--keep-corpus DIR]`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { seconds: 60, keepCorpus: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--seconds") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) usage(`--seconds needs a whole number of seconds, got "${argv[i] ?? ""}"`);
      opts.seconds = n;
    } else if (a === "--keep-corpus") {
      if (!argv[++i]) usage("--keep-corpus needs a directory");
      opts.keepCorpus = resolve(argv[i]);
    } else usage(`unknown argument "${a}"`);
  }
  return opts;
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.error || r.status !== 0) {
    console.error(`fuzz: ${what} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

/** Policy layers laid over each preset, to reach more op kinds than the presets alone. */
const VARIANTS = [
  ["as-is", undefined],
  ["no-filter", { seccomp: { preset: "none" } }],
  ["shared-net-pid", { namespaces: { net: false, pid: false } }],
  ["caps", { capabilities: { keep: ["CAP_NET_BIND_SERVICE"] }, newSession: true }],
  ["limits", { limits: { time: 5, rlimits: { nofile: 64 } } }],
  ["extra-mounts", { mounts: [{ type: "dir", dst: "/fuzz-dir" }, { type: "symlink", target: "/usr", dst: "/fuzz-link" }, { type: "file", dst: "/fuzz-file", content: "x" }] }],
];

/** Real plans: every preset in policies/ with each variant, compiled by the TypeScript compiler. */
async function seedPlans(dir) {
  const prepare = join(root, "dist/run/prepare.js");
  if (!existsSync(prepare)) usage("dist/ is missing: run `npm run build` first");
  const { preparePlan } = await import(prepare);
  const presets = readdirSync(join(root, "policies"))
    .filter((f) => f.endsWith(".json") && f !== "schema.json" && !f.startsWith("seccomp"))
    .map((f) => join(root, "policies", f));
  let n = 0;
  for (const policyFile of presets) {
    for (const [label, layer] of VARIANTS) {
      try {
        const p = preparePlan({ policyFile, command: ["/bin/true", "arg"], layers: layer ? [{ policy: layer, label: `fuzz ${label}` }] : [] });
        writeFileSync(join(dir, `${basename(policyFile, ".json")}-${label}.plan`), p.plan);
        n++;
      } catch (e) {
        console.error(`fuzz: skipping ${basename(policyFile)} ${label}: ${e.shortMessage ?? e.message}`);
      }
    }
  }
  return n;
}

function copyAll(from, to) {
  if (!existsSync(from)) return 0;
  let n = 0;
  for (const f of readdirSync(from)) {
    copyFileSync(join(from, f), join(to, `${basename(from)}-${f}`));
    n++;
  }
  return n;
}

/** libFuzzer's artifacts (crash-*, timeout-*, oom-*, leak-*) copied into the regression inputs. */
function keepArtifacts(artifacts) {
  mkdirSync(regressions, { recursive: true });
  const kept = [];
  for (const f of readdirSync(artifacts)) {
    const kind = f.split("-")[0];
    const bytes = readFileSync(join(artifacts, f));
    const name = `${kind}-${createHash("sha1").update(bytes).digest("hex").slice(0, 16)}.plan`;
    writeFileSync(join(regressions, name), bytes);
    kept.push(name);
  }
  return kept;
}

const opts = parseArgs(process.argv.slice(2));
run("make", ["-s", "-C", "helper-c", "fuzz"], "building the fuzzer (make -C helper-c fuzz; needs clang)");
const fuzzer = join(root, "helper-c/build/fuzz-plan");

const work = mkdtempSync(join(tmpdir(), "nsjail-ts-fuzz-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
const corpus = opts.keepCorpus ?? join(work, "corpus");
const artifacts = join(work, "artifacts");
mkdirSync(corpus, { recursive: true });
mkdirSync(artifacts);
const seeds = (await seedPlans(corpus)) + copyAll(join(root, "helper-c/fuzz/corpus"), corpus) + copyAll(regressions, corpus);
console.log(`fuzz: ${seeds} seed inputs, ${opts.seconds} s`);

const r = spawnSync(fuzzer, [
  `-max_total_time=${opts.seconds}`,
  "-timeout=5",
  "-rss_limit_mb=2048",
  "-max_len=65536",
  "-print_final_stats=1",
  `-artifact_prefix=${artifacts}/`,
  corpus,
], { cwd: work, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
const log = r.stderr ?? "";
const tail = log.split("\n").filter((l) => /^(stat::|Done|==\d+==|SUMMARY|INFO: Running with|#\d+\s+DONE)/.test(l));
for (const l of tail) console.log(l);

const kept = keepArtifacts(artifacts);
if (kept.length) {
  console.error(log.split("\n").slice(-60).join("\n"));
  console.error(`fuzz: ${kept.length} failing input(s) kept in test/fuzz/regressions/: ${kept.join(", ")}`);
  process.exit(1);
}
if (r.status !== 0) {
  console.error(log.split("\n").slice(-40).join("\n"));
  console.error(`fuzz: the fuzzer exited with ${r.status ?? r.signal} without leaving an input`);
  process.exit(1);
}
console.log("fuzz: no crash, hang or out-of-memory input found");
