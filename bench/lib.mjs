// Shared by the benchmarks: the unprivileged user every sandbox runs as, a scratch directory it owns,
// hyperfine runs, the startup policy shared with bwrap's flags, and the machine's description.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const front = join(root, "helper-c/build/nsjail-ts");
const isRoot = process.getuid() === 0;
const user = process.env.NSJAIL_TS_TEST_USER ?? "nsjail-ts-test";
const id = (flag) => (isRoot ? Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim()) : flag === "-u" ? process.getuid() : process.getgid());
export const UID = id("-u");
export const GID = id("-g");

const scratchDirs = [];
process.on("exit", () => scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A directory the benchmark user owns, removed on exit. */
export function scratch(prefix = "nsjail-ts-bench-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (isRoot) chownSync(dir, UID, GID);
  scratchDirs.push(dir);
  return dir;
}

export function writeOwned(path, text, mode = 0o644) {
  writeFileSync(path, text, { mode });
  if (isRoot) chownSync(path, UID, GID);
  return path;
}

export const home = scratch("nsjail-ts-bench-home-");
// What a login session sets (the compiler reads HOME and USER; without them it asks the password database).
export const baseEnv = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: home, USER: user, LANG: "C.UTF-8" };

/** argv prefix that runs a command as the benchmark user with a small, fixed environment. */
export function asUser(env = {}) {
  const vars = Object.entries({ ...baseEnv, ...env }).map(([k, v]) => `${k}=${v}`);
  return ["env", "-i", ...vars, ...(isRoot ? ["setpriv", `--reuid=${UID}`, `--regid=${GID}`, "--clear-groups", "--inh-caps=-all", "--"] : [])];
}

/** Run a command as the benchmark user; throws with its stderr when it fails. */
export function runAs(argv, opts = {}) {
  const full = [...asUser(opts.env), ...argv];
  const r = spawnSync(full[0], full.slice(1), { encoding: "utf8", cwd: opts.cwd ?? home, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${argv.join(" ").slice(0, 200)}: exit ${r.status}: ${r.stderr.trim().slice(0, 500)}`);
  return r;
}

const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/**
 * hyperfine over named commands (each an argv), all run as the benchmark user, without a shell.
 * With rounds > 1 the commands run in that many rounds of `runs` each, in a rotated order every round,
 * so that a machine getting busier or quieter during the benchmark weighs on every command alike.
 * Returns { name: { mean, median, stddev, min, max } } in milliseconds, over every timed run.
 */
export function hyperfine(commands, { runs = 30, warmup = 3, cwd = home, prepare, rounds = 1 } = {}) {
  const dir = scratch("nsjail-ts-bench-hf-");
  const out = join(dir, "out.json");
  const names = Object.keys(commands);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    const args = ["hyperfine", "-N", "--style", "none", "--warmup", String(warmup), "--runs", String(runs), "--export-json", out];
    if (prepare) args.push("--prepare", prepare);
    for (const n of order) args.push("-n", n, commands[n].map(quote).join(" "));
    runAs(args, { cwd });
    JSON.parse(readFileSync(out, "utf8")).results.forEach((r, i) => times[order[i]].push(...r.times.map((t) => t * 1e3)));
  }
  return Object.fromEntries(names.map((n) => [n, stats(times[n])]));
}

function stats(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const stddev = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, median, stddev, min: sorted[0], max: sorted[sorted.length - 1] };
}

export const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

/** The policy the startup benchmark gives nsjail-ts, and the bwrap flags that build the same sandbox. */
export const STARTUP_POLICY = {
  hostname: "bench",
  cwd: "/",
  seccomp: { preset: "none" },
  env: { clear: true, keep: ["PATH"] },
  mounts: [
    { type: "bind", src: "/usr" },
    { type: "symlink", target: "usr/bin", dst: "/bin" },
    { type: "symlink", target: "usr/lib", dst: "/lib" },
    { type: "symlink", target: "usr/lib64", dst: "/lib64" },
    { type: "symlink", target: "usr/sbin", dst: "/sbin" },
    { type: "bind", src: "/etc" },
    { type: "proc", dst: "/proc" },
    { type: "dev", dst: "/dev" },
    { type: "tmpfs", dst: "/tmp" },
  ],
};
export const BWRAP_STARTUP = [
  "bwrap", "--unshare-all", "--hostname", "bench", "--clearenv", "--setenv", "PATH", baseEnv.PATH,
  "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
  "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin", "--ro-bind", "/etc", "/etc",
  "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--chdir", "/",
];

export function machine() {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const v = (cmd) => spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" }).stdout.trim().split("\n")[0];
  return [
    `- CPU: ${cpu}, nproc ${cpus().length}`,
    `- kernel: Linux ${release()}`,
    `- node ${process.version}, ${v(["bwrap", "--version"])}, ${v(["hyperfine", "--version"])}`,
  ].join("\n");
}

/** A markdown table. */
export function table(head, rows) {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}
