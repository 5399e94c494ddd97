// `nsjail-ts seccomp compile|disasm|explain`: outputs and exit codes.
import t from "tap";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seccompMain } from "../../src/seccomp/index.js";
import { SHARED_DOCKER } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "seccomp-cli-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const o = process.stdout.write.bind(process.stdout), e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
  try {
    return { code: await seccompMain(argv), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

t.test("compile, disasm and explain a policy", async (t) => {
  const policy = join(dir, "p.json");
  writeFileSync(policy, JSON.stringify({ hostname: "x", seccomp: { default: "errno:EPERM", rules: [{ action: "allow", syscalls: ["@default", "@basic-io"] }] } }));
  const bpf = join(dir, "p.bpf");
  const c = await run("compile", "--policy", policy, "--arch", "x86_64", "-o", bpf);
  t.equal(c.code, 0, c.err);
  t.equal(readFileSync(bpf).length % 8, 0);
  const d = await run("disasm", bpf);
  t.equal(d.code, 0);
  t.match(d.out, /^\s*0: ld \[4\]\s+; arch\n/);
  t.match(d.out, /ret errno:EPERM/);
  const x = await run("explain", "--policy", policy, "read", "0", "--arch", "x86_64");
  t.match(x.out, /^read \(x86_64 nr 0\): allow after \d+ instructions\n$/);
  t.match((await run("explain", "--policy", policy, "openat", "--arch", "x86_64")).out, /openat .*: errno:EPERM/);
  t.match((await run("explain", "--policy", policy, "read", "--abi", "i386", "--arch", "x86_64")).out, /read \(i386 nr 3\): allow/);
});

t.test("a Docker profile; no seccomp key means the default filter", async (t) => {
  t.match((await run("explain", "--profile", SHARED_DOCKER, "socket", "40", "1", "--arch", "x86_64")).out, /errno:EPERM/);
  const policy = join(dir, "none.json");
  writeFileSync(policy, "{}");
  t.match((await run("explain", "--policy", policy, "clone3", "--arch", "x86_64")).out, /errno:ENOSYS/);
});

t.test("errors: one line, exit 2 for usage, 122 for policies", async (t) => {
  const cases: [string[], number, RegExp][] = [
    [["frob"], 2, /^nsjail-ts: unknown seccomp subcommand frob/],
    [["compile", "--policy", "x.json"], 2, /compile needs -o/],
    [["compile", "--policy", join(dir, "nope.json"), "-o", join(dir, "o")], 122, /nope\.json: cannot read: ENOENT/],
    [["explain", "--profile", SHARED_DOCKER, "nosuchcall", "--arch", "x86_64"], 2, /syscall nosuchcall does not exist/],
    [["compile", "--arch", "sparc", "--profile", SHARED_DOCKER, "-o", "x"], 2, /--arch must be one of/],
    [["disasm", join(dir, "p.json")], 2, /not a multiple of 8|ENOENT/],
  ];
  writeFileSync(join(dir, "p.json"), "{}\n\n");
  for (const [argv, code, re] of cases) {
    const r = await run(...argv);
    t.equal(r.code, code, argv.join(" "));
    t.match(r.err, re);
    t.equal(r.err.trim().split("\n").length, 1, "one line");
  }
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ seccomp: { default: "allow", rules: [{ action: "allow", syscalls: ["opne"] }] } }));
  const r = await run("compile", "--policy", bad, "-o", join(dir, "b.bpf"));
  t.equal(r.code, 122);
  t.match(r.err, /#\/seccomp\/rules\/0\/syscalls\/0: unknown syscall "opne" \(did you mean open\?\)/);
});
