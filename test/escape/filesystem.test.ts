// Escape attempts through the file system: leaked descriptors, /proc/*/exe, undoing read-only binds
// and the mounts that hide things, chroot breakouts, unbound host files, raw devices.
//
// Each test names in a comment how it was shown to fail without its protection; where cheap the
// companion runs the same probe on the host as the test uid (or in `unshare -Urm`, a user and mount
// namespace without the sandbox's protections) and asserts the attack then works.

import t from "tap";
import { openSync, closeSync, existsSync, mkdirSync, readdirSync, readFileSync, chmodSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { runAs, tempDir, writeTestFile } from "../helpers/sandbox.js";
import { ALL_CAPS, isRoot, PRESETS, probeAsRoot, probeDir, probeIn, probeOnHost, refused, show } from "./probes.js";

const NO_FILTER_ALL_CAPS = { seccomp: { preset: "none" }, capabilities: { keep: ALL_CAPS } };

/** A directory outside every sandbox holding a secret, and a subdirectory for hiding. */
function canary(): { dir: string; secret: string; text: string } {
  const dir = tempDir("nsjail-ts-canary-");
  const text = `canary-${randomBytes(6).toString("hex")}`;
  const secret = writeTestFile(dir, "secret", `${text}\n`);
  return { dir, secret, text };
}

t.test("descriptors: nothing above 2 reaches the command, and none points outside the new root", async (t) => {
  // Shown to fail without the protection: the companion hands the same fds to the probe on the host,
  // where it lists them (a directory fd there would let openat(fd, "..") walk the host).
  const c = canary();
  const fileFd = openSync(c.secret, "r");
  const dirFd = openSync(c.dir, "r");
  t.teardown(() => {
    closeSync(fileFd);
    closeSync(dirFd);
  });
  const host = await probeOnHost(["fds"], { extraFds: [fileFd, dirFd] });
  t.match(host.info.get("fds"), /(^| )3:file:\S*secret/, `companion: the probe sees fd 3 on the host: ${host.info.get("fds")}`);
  t.match(host.info.get("fds"), /(^| )4:dir:/, "and the directory as fd 4");
  for (const preset of PRESETS) {
    const p = await probeIn(preset, ["fds"], { extraFds: [fileFd, dirFd] });
    t.equal(p.get("fds").kind, "ok", show(p.get("fds")));
    const fds = (p.info.get("fds") ?? "").split(" ").filter(Boolean).map((e) => e.split(":"));
    t.same(fds.map(([n]) => n), ["0", "1", "2"], `${preset}: only 0-2 are open: ${p.info.get("fds")}`);
    for (const [n, type, target] of fds) {
      t.ok(type === "fifo" || type === "chr" || type === "sock", `${preset}: fd ${n} is stdio (${type} ${target}), not a host file or directory`);
    }
  }
});

t.test("/proc/self/exe and /proc/1/exe cannot be opened for writing", async (t) => {
  // PID 1 is the helper, a host binary outside the new root; the command's own binary is bound
  // read-only. Shown to fail without the protection: the same steps, aimed at a file the test uid owns
  // and may write (the runc CVE-2019-5736 path through an O_PATH fd), succeed inside the sandbox when
  // that file sits in the writable project directory.
  // Once a program stops running, ETXTBSY no longer guards it: /probes/suid-ids (not running, owned by
  // the test uid) stands for such a host binary, and only the read-only bind protects it.
  const steps = [
    "exe-write=/proc/self/exe", "exe-write-via-fd=/proc/self/exe", "exe-write=/proc/1/exe", "exe-write-via-fd=/proc/1/exe",
    "exe-write-via-fd=/probes/suid-ids",
  ];
  for (const preset of PRESETS) {
    const p = await probeIn(preset, steps);
    for (const step of ["exe-write", "exe-write-via-fd"]) {
      t.ok(refused(p.nth(step, 0)), `${preset}: ${step} /proc/self/exe → ${show(p.nth(step, 0))}`);
      t.ok(refused(p.nth(step, 1)), `${preset}: ${step} /proc/1/exe → ${show(p.nth(step, 1))}`);
    }
    t.equal(p.nth("exe-write-via-fd", 2).value, "EROFS", `${preset}: a host binary that is not running → ${show(p.nth("exe-write-via-fd", 2))}`);
  }
  const work = tempDir();
  writeTestFile(work, "victim", "#!/bin/sh\n", 0o755);
  const companion = await probeIn("default", [`exe-write-via-fd=${join(work, "victim")}`], { cwd: work });
  t.equal(companion.get("exe-write-via-fd").kind, "ok", `companion: a writable binary is opened through the fd: ${show(companion.get("exe-write-via-fd"))}`);
});

t.test("host-wide kernel settings in /proc cannot be opened for writing", async (t) => {
  // core_pattern and modprobe name programs the kernel runs as host root (the classic container
  // escapes); sysrq-trigger and drop_caches act on the whole machine. Shown to fail without the
  // protection: the companion opens the same files for writing as host root (nothing is written).
  const knobs = ["/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe", "/proc/sysrq-trigger", "/proc/sys/vm/drop_caches", "/sys/kernel/uevent_helper"];
  const steps = knobs.map((k) => `open-write=${k}`);
  for (const [name, preset, extra] of [
    ...PRESETS.map((p): [string, string, Record<string, unknown>] => [p, p, {}]),
    ["default with every capability and no filter", "default", NO_FILTER_ALL_CAPS] as [string, string, Record<string, unknown>],
  ]) {
    const p = await probeIn(preset, steps, { extra });
    knobs.forEach((k, i) => t.ok(refused(p.nth("open-write", i)), `${name}: ${k} → ${show(p.nth("open-write", i))}`));
  }
  if (isRoot) {
    const present = knobs.filter((k) => existsSync(k)); // a kernel without modules or sysrq lacks some
    t.ok(present.includes("/proc/sys/kernel/core_pattern"));
    const root = probeAsRoot(present.map((k) => `open-write=${k}`));
    present.forEach((k, i) => t.equal(root.nth("open-write", i).kind, "ok", `companion: host root opens ${k}: ${show(root.nth("open-write", i))}`));
  }
});

/** A read-only bound directory /data (with a marker) with a tmpfs over /data/hidden (hiding a secret). */
function layered(): { dir: string; extra: Record<string, unknown> } {
  const dir = tempDir();
  writeTestFile(dir, "marker", "bound\n");
  mkdirSync(join(dir, "hidden"));
  writeTestFile(join(dir, "hidden"), "secret", "under the tmpfs\n");
  return { dir, extra: { mounts: [{ type: "bind", src: dir, dst: "/data" }, { type: "tmpfs", dst: "/data/hidden" }] } };
}
const UNDO = [
  "write-in=/data", "remount=/data", "write-in=/data", "umount=/data/hidden", "read=/data/hidden/secret",
  "umount=/data", "read=/data/marker", "userns-remount=/data", "userns-umount=/data/hidden",
];

t.test("read-only binds stay read-only, and hiding mounts stay in place", async (t) => {
  // Shown to fail without the protection: the companion builds the same layout with unshare -Urm on
  // the host, where the namespace's own root undoes both (the kernel's lock on inherited mounts is
  // what the sandbox adds, FACTS: a nested user + mount namespace).
  const { dir, extra } = layered();
  const attackers: [string, string, Record<string, unknown>][] = [
    ...PRESETS.map((p): [string, string, Record<string, unknown>] => [p, p, extra]),
    ["default with every capability and no filter", "default", { ...extra, ...NO_FILTER_ALL_CAPS }],
  ];
  for (const [name, preset, policy] of attackers) {
    const p = await probeIn(preset, UNDO, { extra: policy });
    t.equal(p.nth("write-in", 0).value, "EROFS", `${name}: the bind is read-only: ${show(p.nth("write-in", 0))}`);
    t.ok(refused(p.get("remount")), `${name}: remount read-write → ${show(p.get("remount"))}`);
    t.ok(refused(p.nth("write-in", 1)), `${name}: still not writable → ${show(p.nth("write-in", 1))}`);
    t.ok(refused(p.nth("umount", 0)), `${name}: unmount the hiding tmpfs → ${show(p.nth("umount", 0))}`);
    t.ok(refused(p.nth("read", 0)), `${name}: what it hides stays hidden → ${show(p.nth("read", 0))}`);
    t.ok(refused(p.nth("umount", 1)), `${name}: unmount the bind → ${show(p.nth("umount", 1))}`);
    t.equal(p.nth("read", 1).kind, "ok", `${name}: the bind is still there`);
    t.ok(refused(p.get("userns-remount")), `${name}: remount from a nested user namespace → ${show(p.get("userns-remount"))}`);
    t.ok(refused(p.get("userns-umount")), `${name}: unmount from a nested user namespace → ${show(p.get("userns-umount"))}`);
  }
  const d = (s: string) => `'${s}'`;
  const script = [
    `mount --bind ${d(dir)} ${d(dir)}`, `mount -o remount,bind,ro ${d(dir)}`, `mount -t tmpfs none ${d(join(dir, "hidden"))}`,
    `${d(join(probeDir(), "probe"))} write-in=${dir} remount=${dir} write-in=${dir} umount=${join(dir, "hidden")} read=${join(dir, "hidden/secret")}`,
  ].join(" && ");
  const host = await runAs("unshare", ["-Urm", "sh", "-c", script]);
  t.match(host.stdout, /^write-in err EROFS$/m, `companion: read-only before: ${host.stdout}${host.stderr}`);
  t.match(host.stdout, /^remount ok/m, "companion: remounted read-write");
  t.match(host.stdout, /^write-in ok/m, "companion: then writable");
  t.match(host.stdout, /^umount ok/m, "companion: the hiding tmpfs unmounted");
  t.match(host.stdout, /^read ok/m, "companion: what it hid is readable");
});

t.test("chroot breakout after pivot_root finds no host", async (t) => {
  // Shown to fail without the protection: the companion runs the same breakout in a plain chroot
  // (unshare -Ur chroot DIR), where it reaches the host's root and sees the canary.
  const c = canary();
  for (const [name, preset, extra] of [
    ...PRESETS.map((p): [string, string, Record<string, unknown>] => [p, p, {}]),
    ["default with every capability and no filter", "default", NO_FILTER_ALL_CAPS] as [string, string, Record<string, unknown>],
  ]) {
    const p = await probeIn(preset, [`chroot-escape=${c.secret}`], { extra });
    t.ok(refused(p.get("chroot-escape")), `${name}: ${show(p.get("chroot-escape"))}`);
  }
  const jail = tempDir("nsjail-ts-jail-");
  copyFileSync(join(probeDir(), "probe"), join(jail, "probe"));
  chmodSync(join(jail, "probe"), 0o755);
  mkdirSync(join(jail, "tmp"), { mode: 0o777 });
  chmodSync(join(jail, "tmp"), 0o1777);
  const host = await runAs("unshare", ["-Ur", "/usr/sbin/chroot", jail, "/probe", `chroot-escape=${c.secret}`]);
  t.match(host.stdout, /^chroot-escape ok 1$/m, `companion: a plain chroot is escaped: ${host.stdout}${host.stderr}`);
});

t.test("files the policy did not bind cannot be read", async (t) => {
  // Shown to fail without the protection: the companion reads the canary on the host as the test uid.
  const c = canary();
  const paths = [c.secret, `/proc/1/root${c.secret}`, `/proc/self/root${c.secret}`, `/proc/1/cwd/${c.secret}`];
  const host = await probeOnHost([`read=${c.secret}`]);
  t.equal(host.info.get("content"), c.text, "companion: the test uid reads the canary on the host");
  for (const preset of PRESETS) {
    const p = await probeIn(preset, paths.map((x) => `read=${x}`));
    paths.forEach((path, i) => t.ok(refused(p.nth("read", i)), `${preset}: ${path} → ${show(p.nth("read", i))}`));
    t.notMatch(p.result.stdout, c.text, `${preset}: the canary text never appears`);
  }
});

/** Block devices of this machine as [name, "major:minor"]. */
function blockDevices(): [string, string][] {
  return readdirSync("/sys/block").map((n): [string, string] => [n, readFileSync(`/sys/block/${n}/dev`, "utf8").trim()]);
}

t.test("raw devices: none are visible, none can be made", async (t) => {
  const devs = blockDevices();
  const steps = [
    ...devs.map(([n]) => `open-dev=/dev/${n}`), "open-dev=/dev/mem", "open-dev=/dev/kmem", "open-dev=/dev/port",
    "open-dev=/dev/kmsg", ...devs.map(([, mm]) => `mknod-blk=/tmp:${mm}`),
  ];
  for (const [name, preset, extra] of [
    ...PRESETS.map((p): [string, string, Record<string, unknown>] => [p, p, {}]),
    ["default with every capability and no filter", "default", NO_FILTER_ALL_CAPS] as [string, string, Record<string, unknown>],
  ]) {
    const p = await probeIn(preset, steps, { extra });
    t.equal(p.steps.length, steps.length, `${name}: every step ran`);
    p.steps.forEach(({ outcome }, i) => t.ok(refused(outcome), `${name}: ${steps[i]} → ${show(outcome)}`));
  }
  if (isRoot) {
    // companion: the mknod probe does report success where the privilege exists (host root)
    const dir = tempDir("nsjail-ts-dev-");
    const root = probeAsRoot(devs.map(([, mm]) => `mknod-blk=${dir}:${mm}`));
    t.ok(root.steps.some((s) => s.outcome.kind === "ok"), `companion: host root makes and opens a disk node: ${root.result.stdout}`);
  }
});
