// Terminal injection: a sandboxed command pushing keystrokes into the caller's terminal (TIOCSTI) or
// pasting the console selection (TIOCLINUX), so that the caller's shell runs them after the sandbox exits.
//
// Every run happens under a real pseudo-terminal made by script(1), which is the command's controlling
// terminal, as an interactive shell's would be. Shown to fail without the protections: the companion
// tests run the same probe on the host (no sandbox) and in a sandbox without the filter and without a
// new session, and assert that the injected bytes then arrive in the terminal's input queue.

import t from "tap";
import { PRESETS, policyFile, probeUnderPty, refused, show } from "./probes.js";

// A no-op for any shell that would ever read it; the probe flushes the queue before it exits anyway.
const INJECT = "tiocsti=: nsjail-ts-injected\n";
// The same request with junk in the upper 32 bits (the kernel ignores them) and through int 0x80.
const VARIANTS = ["tiocsti-highbits=: x\n", "tiocsti-i386=: x\n"];

t.test("companion: on the host the probe injects into its terminal", async (t) => {
  const p = await probeUnderPty(undefined, [INJECT, "tioclinux"]);
  const r = p.get("tiocsti");
  // kernel.dev.tty.legacy_tiocsti=0 (Linux 6.2+) turns TIOCSTI off for everyone but CAP_SYS_ADMIN
  t.equal(r.kind, "ok", `TIOCSTI works on the host: ${show(r)}`);
  t.ok(Number(r.value) > 0, "the injected line waits in the terminal's input queue");
  // TIOCLINUX only means something on a virtual console; on a pty the tty layer answers ENOTTY
  t.equal(p.get("tioclinux").value, "ENOTTY", `TIOCLINUX reaches the tty layer: ${show(p.get("tioclinux"))}`);
});

for (const preset of PRESETS) {
  t.test(`${preset}: no keystrokes reach the caller's terminal`, async (t) => {
    const p = await probeUnderPty(policyFile(preset), [INJECT, ...VARIANTS, "tioclinux"]);
    t.ok(refused(p.get("tiocsti")), `TIOCSTI refused: ${show(p.get("tiocsti"))}`);
    t.ok(refused(p.get("tiocsti-highbits")), `TIOCSTI with high bits set refused: ${show(p.get("tiocsti-highbits"))}`);
    t.ok(refused(p.get("tiocsti-i386")), `TIOCSTI through int 0x80 refused: ${show(p.get("tiocsti-i386"))}`);
    t.ok(refused(p.get("tioclinux")), `TIOCLINUX refused: ${show(p.get("tioclinux"))}`);
    t.not(p.get("tioclinux").value, "ENOTTY", "TIOCLINUX never reached the tty layer");
  });
}

t.test("each layer alone stops TIOCSTI", async (t) => {
  // the filter alone (no new session: the terminal is still the controlling one)
  const filterOnly = await probeUnderPty(policyFile("default", { extra: { newSession: false } }), [INJECT, ...VARIANTS]);
  for (const step of ["tiocsti", "tiocsti-highbits", "tiocsti-i386"]) {
    t.ok(refused(filterOnly.get(step)), `the filter refuses ${step}: ${show(filterOnly.get(step))}`);
  }
  // the new session alone (no filter): the terminal is no longer the controlling one
  const sessionOnly = await probeUnderPty(policyFile("default", { extra: { newSession: true, seccomp: { preset: "none" } } }), [INJECT]);
  t.ok(refused(sessionOnly.get("tiocsti")), `a new session refuses it: ${show(sessionOnly.get("tiocsti"))}`);
  // companion: neither
  const neither = await probeUnderPty(policyFile("default", { extra: { newSession: false, seccomp: { preset: "none" } } }), [INJECT, ...VARIANTS]);
  for (const step of ["tiocsti", "tiocsti-highbits", "tiocsti-i386"]) {
    t.equal(neither.get(step).kind, "ok", `with neither, the sandboxed command injects (${step}): ${show(neither.get(step))}`);
  }
});
