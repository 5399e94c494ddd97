#!/usr/bin/env node
// On-demand seccomp benchmark (not part of npm test). Build first (npx tsc -p tsconfig.json).
// For Docker's default profile and policies/seccomp-default.json, ours vs libseccomp's binary-tree
// output: program size, instructions executed on a typical syscall mix (mean/max, TS interpreter),
// and kernel ns per syscall (getppid, ioctl FIONREAD, fcntl F_GETFD) with each filter and none.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = (m) => import(join(root, "dist/seccomp", m));
const { compileSeccomp } = await dist("compile.js");
const { decodeProgram, AUDIT_ARCH } = await dist("bpf.js");
const { runFilter } = await dist("interp.js");
const { syscallNumber } = await dist("abi.js");
const { parseValue } = await dist("values.js");
const PYTHON = "/usr/bin/python3"; // Debian's, which has python3-seccomp
const N = Number(process.env.BENCH_CALLS ?? 2_000_000);

const dir = mkdtempSync(join(tmpdir(), "seccomp-bench-"));
chmodSync(dir, 0o755);
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const docker = join(root, "../shared/seccomp/docker-default.json");
const ourDefault = join(root, "policies/seccomp-default.json");

// A build's syscall mix (weights from strace -c of make + cc + node), with typical arguments.
const MIX = [
  ["read", 20], ["write", 12], ["futex", 10], ["openat", 7], ["close", 7], ["newfstatat", 8], ["mmap", 5],
  ["mprotect", 3], ["munmap", 2], ["brk", 2], ["lseek", 3], ["ioctl", 4, [1, 0x5401]], ["fcntl", 3],
  ["getdents64", 2], ["epoll_wait", 4], ["poll", 2], ["rt_sigaction", 2], ["rt_sigprocmask", 4],
  ["getpid", 1], ["statx", 2], ["access", 1], ["pread64", 2], ["recvfrom", 2], ["sendto", 2],
  ["wait4", 1], ["clone", 1, [0x1200011]], ["execve", 0.5], ["readlink", 1], ["getrandom", 0.5],
  ["pipe2", 0.5], ["dup2", 0.5], ["exit_group", 0.2],
];

function executed(buf) {
  const prog = decodeProgram(buf);
  let sum = 0, weight = 0, max = 0;
  const each = [];
  for (const [name, w, args = []] of MIX) {
    const s = runFilter(prog, { nr: syscallNumber("x86_64", name), arch: AUDIT_ARCH.x86_64, args: args.map(BigInt) }).steps;
    sum += s * w; weight += w; max = Math.max(max, s);
    each.push(s);
  }
  return { mean: sum / weight, max, each };
}

/** Our default filter's denials as libseccomp rules (its personality allowlist cannot be expressed:
 * libseccomp lets an unconditional rule win, so there personality is simply refused). */
function defaultAsLibseccomp() {
  const spec = JSON.parse(readFileSync(ourDefault, "utf8"));
  const old = Number(release().split(".")[0]) < 4 || /^4\.[0-7]\./.test(release());
  const out = [];
  for (const r of spec.rules) {
    if (!r.action.startsWith("errno:") || (r.kernelBelow && !old)) continue;
    const errno = { "errno:EPERM": 1, "errno:ENOSYS": 38 }[r.action];
    const args = (r.args ?? []).map((a) => {
      const v = Number(parseValue(a.value, "x86_64")), m = a.mask === undefined ? 0 : Number(parseValue(a.mask, "x86_64"));
      return a.op === "&==" ? [a.index, "SCMP_CMP_MASKED_EQ", m, v] : [a.index, "SCMP_CMP_EQ", v, 0];
    });
    for (const s of r.syscalls) out.push({ syscall: s, errno, args });
  }
  return out;
}

function libseccomp(kind, input, name) {
  const out = join(dir, `${name}.bpf`);
  execFileSync(PYTHON, [join(root, "bench/seccomp-libseccomp.py"), kind, input, out]);
  return readFileSync(out);
}

function kernelNs(file) {
  const argv = [join(dir, "loop"), file ?? "-", String(N)];
  const cmd = process.getuid() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv] : argv;
  const best = {};
  for (let i = 0; i < 3; i++) { // best of three: the least disturbed run
    for (const line of execFileSync(cmd[0], cmd.slice(1)).toString().trim().split("\n")) {
      const [k, v] = line.split(" ");
      best[k] = Math.min(best[k] ?? Infinity, Number(v));
    }
  }
  return best;
}

execFileSync("cc", ["-O2", "-o", join(dir, "loop"), join(root, "bench/seccomp-loop.c")]);
const rulesFile = join(dir, "default-rules.json");
writeFileSync(rulesFile, JSON.stringify(defaultAsLibseccomp()));
const cases = [
  ["docker-default", compileSeccomp({ profile: docker }, { arch: "x86_64", pointer: "", baseDir: root }).program, libseccomp("docker", docker, "docker")],
  ["seccomp-default", compileSeccomp(undefined, { arch: "x86_64", pointer: "", baseDir: root }).program, libseccomp("rules", rulesFile, "default")],
];
const none = kernelNs(undefined);
const fmt = (x) => x.toFixed(2);
console.log(`kernel: no filter ${Object.entries(none).map(([k, v]) => `${k} ${v.toFixed(1)} ns`).join(", ")}  (${N} calls each)`);
for (const [label, ours, theirs] of cases) {
  writeFileSync(join(dir, `${label}-ours.bpf`), ours, { mode: 0o644 });
  writeFileSync(join(dir, `${label}-lib.bpf`), theirs, { mode: 0o644 });
  const eo = executed(ours), el = executed(theirs);
  const ko = kernelNs(join(dir, `${label}-ours.bpf`)), kl = kernelNs(join(dir, `${label}-lib.bpf`));
  console.log(`\n${label}`);
  console.log(`  instructions      ours ${ours.length / 8}, libseccomp ${theirs.length / 8}  (ratio ${fmt(ours.length / theirs.length)})`);
  console.log(`  executed (mix)    ours mean ${fmt(eo.mean)} max ${eo.max}, libseccomp mean ${fmt(el.mean)} max ${el.max}  (mean ratio ${fmt(eo.mean / el.mean)})`);
  const worse = MIX.map(([n], i) => (eo.each[i] > el.each[i] ? `${n} ${eo.each[i]}>${el.each[i]}` : "")).filter(Boolean);
  console.log(`  mix syscalls where ours runs more instructions: ${worse.length ? worse.join(", ") : "none"} (of ${MIX.length})`);
  for (const k of Object.keys(none)) {
    console.log(`  ${k.padEnd(8)} ns/call  ours ${ko[k].toFixed(1)}, libseccomp ${kl[k].toFixed(1)}, none ${none[k].toFixed(1)}` +
      `  (ours/lib ${fmt(ko[k] / kl[k])}, ours/none ${fmt(ko[k] / none[k])}, lib/none ${fmt(kl[k] / none[k])})`);
  }
}
