// Escape attempts through kernel interfaces a sandbox should not reach: io_uring, keyrings, bpf, perf,
// userfaultfd, other syscall ABIs, file handles, the clock and the hostname.
//
// How each test was shown to fail without its protection: the same probe runs in a sandbox whose
// policy turns the seccomp filter off (seccomp {preset: "none"}), on the host as the test uid, or on
// the host as root, and the companion assertions below check that the attack then works (or at
// least reaches the kernel code it targets), so a probe that could never report success would fail them.

import t from "tap";
import { execFileSync } from "node:child_process";
import { ALL_CAPS, isRoot, PRESETS, probeAsRoot, probeIn, probeOnHost, refused, show } from "./probes.js";

const NO_FILTER = { seccomp: { preset: "none" } };
const SURFACE = [
  "io_uring", "keyctl", "add_key", "request_key", "keyctl-x32", "keyctl-i386", "bpf-map", "bpf-obj-get",
  "perf_event_open", "userfaultfd", "by-handle=/usr", "by-forged-handle=/usr", "settime", "settz",
];

for (const preset of PRESETS) {
  t.test(`${preset}: the kernel attack surface is closed`, async (t) => {
    const p = await probeIn(preset, SURFACE);
    t.equal(p.result.code, 0, p.result.stderr);
    const denied = (step: string, why: string) => t.ok(refused(p.get(step)), `${why}: ${step} → ${show(p.get(step))}`);
    denied("io_uring", "io_uring_setup (would run syscalls the filter never sees)");
    denied("keyctl", "keyctl on a keyring of our own");
    denied("add_key", "add_key");
    denied("request_key", "request_key");
    t.not(p.get("request_key").value, "ENOKEY", "request_key never reached the keyring code");
    denied("keyctl-x32", "keyctl through the x32 ABI");
    denied("keyctl-i386", "keyctl through int 0x80 (the i386 ABI)");
    denied("bpf-map", "bpf(BPF_MAP_CREATE)");
    denied("bpf-obj-get", "bpf(BPF_OBJ_GET)");
    t.not(p.get("bpf-obj-get").value, "ENOENT", "bpf never reached the bpf code");
    denied("perf_event_open", "perf_event_open on ourselves");
    denied("userfaultfd", "userfaultfd (user-mode faults only)");
    denied("by-handle", "open_by_handle_at of a bound directory");
    denied("by-forged-handle", "open_by_handle_at of a forged handle for the host filesystem's root (shocker)");
    denied("settime", "clock_settime(CLOCK_REALTIME)");
    denied("settz", "settimeofday(timezone)");
  });
}

t.test("companion: without the filter the same probe reaches each interface", async (t) => {
  const p = await probeIn("default", SURFACE, { extra: NO_FILTER });
  t.equal(p.result.code, 0, p.result.stderr);
  for (const step of ["io_uring", "keyctl", "add_key", "keyctl-i386", "perf_event_open", "userfaultfd"]) {
    t.equal(p.get(step).kind, "ok", `${step} works without the filter: ${show(p.get(step))}`);
  }
  t.equal(p.get("request_key").value, "ENOKEY", "request_key reaches the keyring code and finds no such key");
  t.equal(p.get("bpf-obj-get").value, "ENOENT", "bpf reaches the bpf code and finds no such object");
  // bpf(BPF_MAP_CREATE) needs CAP_BPF in the initial namespace when kernel.unprivileged_bpf_disabled is
  // set, and clock setting needs CAP_SYS_TIME there: those stay refused by the kernel itself.
  t.ok(refused(p.get("settime")), `the kernel refuses clock_settime too: ${show(p.get("settime"))}`);
  // The x32 ABI: on a kernel built without it the call fails with ENOSYS whatever the filter says.
  const host = await probeOnHost(["keyctl-x32"]);
  if (host.get("keyctl-x32").value === "ENOSYS") {
    t.equal(p.get("keyctl-x32").value, "ENOSYS", "this kernel has no x32 ABI: without the filter x32 calls are ENOSYS");
  } else {
    t.equal(host.get("keyctl-x32").kind, "ok", `x32 keyctl works on the host: ${show(host.get("keyctl-x32"))}`);
    t.equal(p.get("keyctl-x32").kind, "ok", "and in a sandbox without the filter");
  }
});

t.test("companion: open_by_handle_at and settimeofday succeed for host root", { skip: !isRoot && "needs root" }, async (t) => {
  const p = probeAsRoot(["by-handle=/usr", "by-forged-handle=/usr", "settz"]);
  t.equal(p.get("by-handle").kind, "ok", show(p.get("by-handle")));
  t.equal(p.get("by-forged-handle").kind, "ok", `the forged inode-2 handle opens the host filesystem's root: ${show(p.get("by-forged-handle"))}`);
  t.equal(p.get("settz").kind, "ok", `root may set the kernel timezone (to its current value): ${show(p.get("settz"))}`);
});

t.test("the forged handle is refused even without the filter and with every capability kept", async (t) => {
  // The second line of defence: capabilities inside the sandbox's user namespace do not extend to a
  // filesystem mounted by the host, so the kernel itself refuses to decode a handle outside the bind.
  const p = await probeIn("default", ["by-forged-handle=/usr"], { extra: { ...NO_FILTER, capabilities: { keep: ALL_CAPS } } });
  t.equal(p.result.code, 0, p.result.stderr);
  t.ok(refused(p.get("by-forged-handle")), show(p.get("by-forged-handle")));
});

t.test("the host's hostname survives a sandbox that tries to set it", async (t) => {
  const before = execFileSync("hostname", { encoding: "utf8" }).trim();
  for (const preset of PRESETS) {
    const p = await probeIn(preset, ["sethostname=nsjail-ts-escaped", "userns-hostname=nsjail-ts-escaped"]);
    t.equal(p.result.code, 0, p.result.stderr);
    t.ok(refused(p.get("sethostname")), `${preset}: sethostname → ${show(p.get("sethostname"))}`);
    t.ok(refused(p.get("userns-hostname")), `${preset}: sethostname from a nested user namespace → ${show(p.get("userns-hostname"))}`);
  }
  // A command that keeps CAP_SYS_ADMIN may at most rename the sandbox's own UTS namespace.
  const keep = await probeIn("default", ["sethostname=nsjail-ts-escaped"], { extra: { capabilities: { keep: ["CAP_SYS_ADMIN"] } } });
  t.ok(keep.get("sethostname").kind !== "missing", `with CAP_SYS_ADMIN kept: ${show(keep.get("sethostname"))}`);
  t.equal(execFileSync("hostname", { encoding: "utf8" }).trim(), before, "host hostname unchanged");
  if (isRoot) {
    // companion: the probe does report success when the call is allowed (same name: nothing changes)
    const host = probeAsRoot([`sethostname=${before}`]);
    t.equal(host.get("sethostname").kind, "ok", `root on the host may set the hostname: ${show(host.get("sethostname"))}`);
  }
});
