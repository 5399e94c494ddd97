// When the machine refuses user namespaces, the CLI says why and what to do in one line. The refusal is
// real: a seccomp filter (as a container runtime would install) makes unshare(CLONE_NEWUSER) fail.
import t from "tap";
import { execFileSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { runAs, runCli, cliPath, stageDir, tempDir, writeTestFile } from "../helpers/sandbox.js";

const dir = tempDir("nsjail-ts-refusal-");
const loader = join(dir, "seccomp-exec");
execFileSync("cc", ["-O1", "-Wall", "-Wextra", "-Werror", "-o", loader, new URL("./fixtures/seccomp-exec.c", import.meta.url).pathname]);
chmodSync(loader, 0o755);

/** A filter that answers `errno` to unshare and clone asking for a new user namespace, everything else allowed. */
async function refusing(name: string, action: string, syscalls = ["unshare", "clone"]): Promise<string> {
  const policy = writeTestFile(dir, `${name}.json`, JSON.stringify({
    seccomp: {
      default: "allow",
      rules: [{ action, syscalls, args: [{ index: 0, op: "&==", mask: "CLONE_NEWUSER", value: "CLONE_NEWUSER" }] }],
    },
  }));
  const out = join(dir, `${name}.bpf`);
  const r = await runCli(["seccomp", "compile", "--policy", policy, "-o", out]);
  if (r.code !== 0) throw new Error(`seccomp compile: ${r.stderr}`);
  return out;
}

const underFilter = (filter: string, argv: string[]) => runAs(loader, [filter, ...argv]);
const viaNode = (filter: string) => underFilter(filter, [process.execPath, cliPath(), "--", "/bin/true"]);
const viaFront = (filter: string) => underFilter(filter, [join(stageDir(), "helper-c/build/nsjail-ts"), "--", "/bin/true"]);

t.test("the loader alone leaves sandboxes working", async (t) => {
  // Refuses a new user namespace only to acct(2), which nothing here calls.
  const harmless = await refusing("harmless", "errno:EPERM", ["acct"]);
  const r = await viaNode(harmless);
  t.equal(r.code, 0, r.stderr);
});

t.test("user namespaces refused with EPERM (sysctl, AppArmor, a container's seccomp)", async (t) => {
  const filter = await refusing("eperm", "errno:EPERM");
  for (const [how, run] of [["compiler", viaNode], ["front end", viaFront]] as const) {
    const r = await run(filter);
    t.equal(r.code, 125, `${how}: setup failure exit status`);
    const lines = r.stderr.trimEnd().split("\n");
    t.equal(lines.length, 1, `${how}: one line: ${r.stderr}`);
    const line = lines[0]!;
    t.match(line, /^nsjail-ts: .*user namespace: Operation not permitted: this machine refuses unprivileged user namespaces/, `${how}: names the cause`);
    for (const what of ["kernel.unprivileged_userns_clone", "user.max_user_namespaces", "kernel.apparmor_restrict_unprivileged_userns", "AppArmor profile", "seccomp profile", "nsjail-ts doctor"]) {
      t.ok(line.includes(what), `${how}: says to check ${what}`);
    }
  }
});

t.test("user namespaces exhausted (ENOSPC)", async (t) => {
  const r = await viaNode(await refusing("enospc", "errno:ENOSPC"));
  t.equal(r.code, 125);
  const lines = r.stderr.trimEnd().split("\n");
  t.equal(lines.length, 1, r.stderr);
  t.match(lines[0], /user namespace: No space left on device: the limit on user namespaces is reached/);
  t.match(lines[0], /raise sysctl user\.max_user_namespaces/);
  t.match(lines[0], /nsjail-ts doctor/);
});
