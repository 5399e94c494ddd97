// Escape attempts against processes, the network and privilege: ptrace of PID 1, host processes,
// listeners on the host's loopback, setuid binaries, capabilities regained by exec or a nested user namespace.
//
// Each test says how it was shown to fail without its protection; the companions run the same probe
// where the protection is absent (on the host as the test uid, with the network namespace shared,
// without the filter, with capabilities kept) and assert that the attack then works.

import t from "tap";
import { setTimeout as sleep } from "node:timers/promises";
import { runAs, runCli } from "../helpers/sandbox.js";
import { ALL_CAPS, hostListener, hostSleeper, PRESETS, policyFile, probeIn, probeOnHost, refused, setuidRootCopy, show } from "./probes.js";
import { join } from "node:path";

const NO_FILTER = { seccomp: { preset: "none" } };

t.test("PID 1 (the init holding the sandbox's capabilities) cannot be traced or written", async (t) => {
  // Shown to fail without the protection: the companion runs the same steps on the host against a
  // process of the test uid, where attaching and opening its memory both work.
  for (const [name, preset, extra] of [
    ...PRESETS.map((p): [string, string, Record<string, unknown>] => [p, p, {}]),
    ["default with every capability and no filter", "default", { ...NO_FILTER, capabilities: { keep: ALL_CAPS } }] as [string, string, Record<string, unknown>],
  ]) {
    const p = await probeIn(preset, ["ptrace=1", "proc-mem=1"], { extra });
    t.ok(refused(p.get("ptrace")), `${name}: ptrace(PTRACE_ATTACH, 1) → ${show(p.get("ptrace"))}`);
    t.ok(refused(p.get("proc-mem")), `${name}: open /proc/1/mem read-write → ${show(p.get("proc-mem"))}`);
  }
  const victim = hostSleeper();
  t.teardown(victim.stop);
  const host = await probeOnHost([`ptrace=${victim.pid}`, `proc-mem=${victim.pid}`]);
  t.equal(host.get("ptrace").kind, "ok", `companion: the test uid attaches to its own process: ${show(host.get("ptrace"))}`);
  t.equal(host.get("proc-mem").kind, "ok", `companion: and opens its memory: ${show(host.get("proc-mem"))}`);
});

t.test("host processes can be neither seen nor signalled", async (t) => {
  // Shown to fail without the protection: the companion sends the same SIGTERM from the host as the
  // test uid, and the victim dies.
  const victim = hostSleeper();
  t.teardown(victim.stop);
  await sleep(50);
  for (const preset of PRESETS) {
    const p = await probeIn(preset, [`signal0=${victim.pid}`, `sigterm=${victim.pid}`, `read=/proc/${victim.pid}/cmdline`]);
    t.equal(p.get("signal0").value, "ESRCH", `${preset}: kill(pid, 0) finds no such process: ${show(p.get("signal0"))}`);
    t.ok(refused(p.get("sigterm")), `${preset}: SIGTERM → ${show(p.get("sigterm"))}`);
    t.ok(refused(p.get("read")), `${preset}: /proc/<pid> → ${show(p.get("read"))}`);
    await sleep(50);
    t.ok(victim.alive(), `${preset}: the host process lives on`);
  }
  const other = hostSleeper();
  t.teardown(other.stop);
  await sleep(50);
  const host = await probeOnHost([`sigterm=${other.pid}`]);
  t.equal(host.get("sigterm").kind, "ok", "companion: the host's own uid signals it");
  for (let i = 0; i < 50 && other.alive(); i++) await sleep(20);
  t.notOk(other.alive(), "companion: and it dies");
});

t.test("no route to a listener on the host's loopback, TCP or abstract unix socket", async (t) => {
  // Shown to fail without the protection: the companion runs the same probe with the network
  // namespace shared (namespaces.net false) and both connections reach the listener.
  const l = await hostListener();
  t.teardown(l.close);
  const steps = [`tcp=${l.port}`, `abstract=${l.abstract}`];
  for (const preset of PRESETS) {
    const p = await probeIn(preset, steps);
    t.ok(refused(p.get("tcp")), `${preset}: connect 127.0.0.1:${l.port} → ${show(p.get("tcp"))}`);
    t.ok(refused(p.get("abstract")), `${preset}: connect @${l.abstract} → ${show(p.get("abstract"))}`);
  }
  t.equal(l.accepted(), 0, "the listener accepted nothing from the sandboxes");
  const shared = await probeIn("default", steps, { extra: { namespaces: { net: false } } });
  t.equal(shared.get("tcp").kind, "ok", `companion: with the host's network, TCP connects: ${show(shared.get("tcp"))}`);
  t.equal(shared.get("abstract").kind, "ok", `companion: and so does the abstract socket: ${show(shared.get("abstract"))}`);
  for (let i = 0; i < 50 && l.accepted() < 2; i++) await sleep(20);
  t.equal(l.accepted(), 2, "companion: the listener saw both");
});

const parseIds = (out: string) => ({
  uids: /^uids (\d+) (\d+) (\d+)$/m.exec(out)?.slice(1).map(Number),
  capEff: /^CapEff:\s*([0-9a-f]+)$/m.exec(out)?.[1],
});

t.test("a setuid-root binary gains nothing inside", async (t) => {
  // Layers: no_new_privs, and host root being unmapped in the sandbox's user namespace. Shown to fail
  // without them: the companion runs the same binary on the host as the test uid and it becomes root.
  const dir = setuidRootCopy();
  const host = await runAs(join(dir, "suid-ids"), []);
  const h = parseIds(host.stdout);
  t.equal(h.uids?.[1], 0, `companion: on the host the effective uid becomes 0: ${host.stdout}${host.stderr}`);
  for (const preset of PRESETS) {
    const r = await runCli(["--policy", policyFile(preset, { binds: [[dir, "/suid"]] }), "--", "/suid/suid-ids"]);
    const ids = parseIds(r.stdout);
    t.ok(ids.uids, `${preset}: it ran: ${r.stdout}${r.stderr}`);
    t.equal(ids.uids?.[1], ids.uids?.[0], `${preset}: effective uid stays the real one (${ids.uids?.join(" ")})`);
    t.equal(ids.capEff, "0000000000000000", `${preset}: no capabilities`);
  }
});

t.test("mounts from the host are nosuid", async (t) => {
  const r = await runCli(["--policy", policyFile("default"), "--", "/bin/cat", "/proc/self/mountinfo"]);
  const lines = r.stdout.trim().split("\n").filter((l) => !/ - (proc|devpts|tmpfs|mqueue) /.test(l) && !/ \/dev\/\S+ /.test(l.split(" - ")[0] ?? ""));
  t.ok(lines.length > 0, r.stderr);
  for (const l of lines) t.match(l.split(" - ")[0], /\bnosuid\b/, l);
});

t.test("capabilities: none after exec, none regained through a nested user namespace", async (t) => {
  // Shown to fail without the protection: the companions keep every capability (CapEff non-zero) and
  // turn the filter off (a nested user namespace is created).
  for (const preset of PRESETS) {
    const p = await probeIn(preset, ["status", "userns"]);
    const status = p.info.get("status") ?? "";
    t.match(status, /CapEff: 0000000000000000/, `${preset}: no effective capabilities: ${status}`);
    t.match(status, /CapPrm: 0000000000000000/, `${preset}: none permitted`);
    t.match(status, /CapBnd: 0000000000000000/, `${preset}: none in the bounding set, so exec as root cannot bring them back`);
    t.match(status, /NoNewPrivs: 1/, `${preset}: no_new_privs`);
    t.match(status, /Seccomp: 2/, `${preset}: a seccomp filter`);
    t.ok(refused(p.get("userns")), `${preset}: unshare(CLONE_NEWUSER) → ${show(p.get("userns"))}`);
  }
  const kept = await probeIn("default", ["status", "userns"], { extra: { ...NO_FILTER, capabilities: { keep: ALL_CAPS } } });
  t.notMatch(kept.info.get("status") ?? "", /CapEff: 0000000000000000/, `companion: kept capabilities show: ${kept.info.get("status")}`);
  t.equal(kept.get("userns").kind, "ok", `companion: without the filter a nested user namespace is made: ${show(kept.get("userns"))}`);
  // what such a namespace's capabilities are worth against the sandbox: see filesystem.test.ts
  // (userns-remount, userns-umount) and kernel-surface.test.ts (userns-hostname)
});
