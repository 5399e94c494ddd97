// A cold run through the front end: the compiler is the front end's child and has exited before the
// command starts; its output, its errors and its exit code are the front end's own.

import t from "tap";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runAs, tempDir, writeTestFile } from "../helpers/sandbox.js";
import { cacheLines, privateFront } from "./front.js";

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  argv0: string;
}

/** Every process on the host (those that exit while read are skipped). */
function processes(): Proc[] {
  return readdirSync("/proc").flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const comm = readFileSync(`/proc/${name}/comm`, "utf8").trim();
      const argv0 = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0")[0] ?? "";
      return [{ pid: Number(name), ppid, comm, argv0 }];
    } catch {
      return [];
    }
  });
}

/** `pid` and all its descendants. */
function tree(pid: number): Proc[] {
  const all = processes();
  const out = all.filter((p) => p.pid === pid);
  for (let i = 0; i < out.length; i++) out.push(...all.filter((p) => p.ppid === out[i]!.pid));
  return out;
}

const isNode = (p: Proc): boolean => p.comm === "node" || /(^|\/)node$/.test(p.argv0);

t.test("no node process is left while a cold run's command runs", async (t) => {
  const f = privateFront();
  let front = -1;
  const run = f.run(["--no-cache", "--", "sleep", "3"], { onSpawn: (pid) => (front = pid) });
  let seen: Proc[] = [];
  for (let i = 0; i < 200 && !seen.some((p) => p.comm === "sleep"); i++) {
    await sleep(25);
    seen = tree(front);
  }
  t.ok(seen.some((p) => p.comm === "sleep"), "the command started under the front end");
  // The plan runs as soon as the compiler has written it; Node's own exit, milliseconds long, overlaps the
  // sandbox's setup, and the front end reaps it. Allow for a slow machine, not for a compiler that stays.
  for (let i = 0; i < 40 && seen.some(isNode); i++) {
    await sleep(25);
    seen = tree(front);
  }
  t.same(seen.filter(isNode), [], "neither the front end nor anything under it is node, running or unreaped");
  t.match(seen[0]?.argv0 ?? "", /(^|\/)nsjail-ts$/, "the process the user started is still the front end");
  const r = await run;
  t.equal(r.code, 0, r.stderr);
});

t.test("without a PID namespace the command is the front end itself, and the compiler is not its child", async (t) => {
  const f = privateFront();
  const dir = tempDir();
  const policy = writeTestFile(dir, "nopid.json", JSON.stringify({ extends: "default", namespaces: { pid: false } }));
  // cat is the shell's only child: the compiler was reaped before the front end became the command.
  const r = await f.run(["--no-cache", "--policy", policy, "--", "sh", "-c", "cat /proc/$$/task/$$/children"], { cwd: dir });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim().split(/\s+/).length, 1, `one child of the shell: ${r.stdout}`);
});

t.test("through the front end, the compiler's errors, output and exit codes are unchanged", async (t) => {
  const f = privateFront();
  const dir = tempDir();
  const bad = writeTestFile(dir, "bad.json", JSON.stringify({ extends: "default", hostname: 7 }));
  for (const extra of [["--no-cache"], []]) {
    const r = await f.run([...extra, "--policy", bad, "--", "/bin/true"], { cwd: dir });
    t.equal(r.code, 122, `a policy error ${extra.join(" ")}`);
    const lines = r.stderr.split("\n").filter((l) => l && !l.startsWith("nsjail-ts: cache: "));
    t.equal(lines.length, 1, r.stderr);
    t.match(lines[0], /^nsjail-ts: bad\.json:\d+:\d+ #\/hostname: expected a host name/);
    t.equal(r.stdout, "");
  }
  const usage = await f.run(["--no-cache", "--bogus", "--", "/bin/true"]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /^nsjail-ts: unknown option --bogus/);
  const version = await f.run(["--no-cache", "--version"]);
  t.equal(version.code, 0);
  t.match(version.stdout, /^nsjail-ts \d+\.\d+\.\d+\n$/);
  const exit = await f.run(["--no-cache", "--", "sh", "-c", "echo out; echo err >&2; exit 7"]);
  t.equal(exit.code, 7, "the command's exit code");
  t.equal(exit.stdout, "out\n");
  t.same(cacheLines(exit), []);
  t.match(exit.stderr, /^err\n$/);
});

t.test("the command reads the front end's stdin: the compiler leaves it alone", async (t) => {
  const f = privateFront();
  const r = await f.run(["--no-cache", "--", "sh", "-c", "cat; ls /proc/self/fd | wc -l"], { input: "in\n" });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "in\n4\n", "all of stdin, and no fd besides 0-2 (and ls's own)");
});

t.test("the front end starts the compiler from the build's CommonJS entry, and from main.js without one", async (t) => {
  const f = privateFront();
  const args = ["--no-cache", "--debug", "--policy", "/nonexistent.json", "--", "/bin/true"];
  const bundled = await f.run(args);
  t.equal(bundled.code, 122);
  t.match(bundled.stderr, /cli\/bundle\.cjs:\d+/, "main.cjs ran the bundle");
  const entry = join(f.root, "dist/cli/main.cjs");
  writeFileSync(entry, readFileSync(entry, "utf8").replace(/nsjail-ts bundle [0-9a-f]+/, "nsjail-ts bundle 0"));
  const other = await f.run(args);
  t.equal(other.code, 122, "an entry from another build runs main.js");
  t.match(other.stderr, /^nsjail-ts: cannot read policy file \/nonexistent\.json/);
  rmSync(entry);
  const none = await f.run(["--no-cache", "--", "sh", "-c", "echo ran"]);
  t.equal(none.stdout, "ran\n", none.stderr);
});

t.test("a cold run opens the bundle's first script and its code cache, and no module file, package or second script", async (t) => {
  const f = privateFront();
  const log = join(tempDir("nsjail-ts-trace-"), "opens");
  const r = await runAs("strace", ["-f", "-qq", "-e", "trace=open,openat", "-o", log, join(f.root, "helper-c/build/nsjail-ts"), "--no-cache", "--", "/bin/true"], {
    env: { PATH: "/usr/bin:/bin", HOME: f.home, USER: "nsjail-ts-test" },
  });
  t.equal(r.code, 0, r.stderr);
  const opened = [...readFileSync(log, "utf8").matchAll(/open(?:at)?\((?:AT_FDCWD, )?"([^"]+)"/g)].map((m) => m[1]!);
  const ours = [...new Set(opened.filter((p) => p.startsWith(`${f.root}/`)).map((p) => p.slice(f.root.length + 1)))].sort();
  t.ok(ours.includes("dist/cli/bundle.cjs") && ours.includes("dist/cli/bundle.cache"), ours.join(" "));
  // A copied package's schema files are other inodes than the build stamped, so it compares their texts.
  const expected = ["dist/cli/main.cjs", "dist/cli/bundle.cjs", "dist/cli/bundle.cache", "dist/policy/validator.texts.json"];
  t.same(ours.filter((p) => p.startsWith("dist/") && !expected.includes(p)), [], "no module file of dist/");
  t.same(ours.filter((p) => p.startsWith("node_modules/")), [], "no package: the few the compiler needs are inside the bundle");
});
