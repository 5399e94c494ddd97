// Generated policies and mutated policy text: every input ends in a ResolvedPolicy or an
// NsjailError with a one-line message, never in another exception.

import t, { type Test } from "tap";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NsjailError } from "../../src/errors.js";
import { addLayer, presetsDir } from "../../src/policy/index.js";
import type { Policy } from "../../src/policy/types.js";
import { load } from "./fixtures.js";
import { rng } from "../helpers/random.js";
import { createRequire } from "node:module";
import { policyValidator } from "../../src/policy/schema.js";
import { stageDir } from "../helpers/sandbox.js";


const STRINGS = ["", "/", "/tmp", "/etc/", "rel", "/a/../b", "${HOME}", "${env:EDITOR}", "${env:X:-/d}", "${NOPE}", "$$", "${", "64M", "64MB", "0755", "0855", "unlimited", "build", "./x.json", "__proto__", "CAP_CHOWN", "bind", "tmpfs", "\u0000", "é"];
const KEYS = ["type", "src", "dst", "rw", "optional", "size", "mode", "ro", "content", "target", "lower", "upper", "work", "tmp", "hostname", "cwd", "uid", "gid", "env", "set", "keep", "clear", "mounts", "limits", "rlimits", "time", "nofile", "cgroup", "memory", "namespaces", "net", "seccomp", "extends", "description", "$comment", "__proto__", "constructor", "mount"];

function value(r: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const k = r();
  if (depth > 3 || k < 0.35) return pick(STRINGS);
  if (k < 0.45) return pick([0, 1, -1, 4095, 70000, 1.5, 1e300]);
  if (k < 0.5) return pick([true, false, null]);
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) Object.defineProperty(obj, pick(KEYS), { value: value(r, depth + 1), enumerable: true, writable: true, configurable: true });
  if (r() < 0.5) obj.type = pick(["bind", "tmpfs", "proc", "dev", "mqueue", "dir", "symlink", "file", "remount-ro", "overlay", "bnd"]);
  return obj;
}

const DSTS = ["/a", "/a/b", "/tmp", "/data", "/x/y/z", "${HOME}/c", "/a//b/"];

/** A mount that is valid on its own; the shadow checks decide whether a list of them is. */
function validMount(r: () => number): Record<string, unknown> {
  const dst = DSTS[Math.floor(r() * DSTS.length)];
  const b = () => r() < 0.5;
  const all: Record<string, unknown>[] = [
    { type: "bind", src: dst, rw: b(), optional: b() },
    { type: "tmpfs", dst, size: "64M", mode: "1777", ro: b() },
    { type: "proc", dst },
    { type: "dir", dst, mode: 493 },
    { type: "file", dst, content: "x $$ ${USER}", ro: b() },
    { type: "remount-ro", dst },
    { type: "symlink", dst, target: "../t" },
    { type: "overlay", dst, lower: ["/l"], tmp: true },
  ];
  return all[Math.floor(r() * all.length)] as Record<string, unknown>;
}

/** A policy-shaped object: mostly valid fields, each sometimes replaced by a random value. */
function policy(r: () => number): Record<string, unknown> {
  const valid: Record<string, () => unknown> = {
    hostname: () => "box-1",
    cwd: () => "${PWD}",
    uid: () => 1000,
    env: () => ({ clear: true, keep: ["PATH"], set: { A: "${env:EDITOR:-x}" } }),
    mounts: () => Array.from({ length: Math.floor(r() * 4) }, () => validMount(r)),
    limits: () => ({ time: 5, rlimits: { nofile: 64, as: "1G", core: "unlimited" }, cgroup: { pids: 9 } }),
    namespaces: () => ({ net: false }),
    capabilities: () => ({ keep: ["CAP_CHOWN"] }),
    newSession: () => true,
  };
  const p: Record<string, unknown> = {};
  for (const [key, make] of Object.entries(valid)) {
    if (r() < 0.5) continue;
    p[key] = r() < 0.9 ? make() : value(r, 1);
  }
  return p;
}

function mutate(text: string, r: () => number): string {
  let s = text;
  for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
    const i = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.3) s = s.slice(0, i) + s.slice(i + 1 + Math.floor(r() * 4));
    else if (op < 0.6) s = s.slice(0, i) + `{}[]:,"\\$0aZ \n-.e`[Math.floor(r() * 17)] + s.slice(i);
    else if (op < 0.8) s = s.slice(0, i) + s.slice(Math.floor(r() * s.length), Math.floor(r() * s.length)) + s.slice(i);
    else s = s.slice(0, i) + s.slice(i, i + 20).toUpperCase() + s.slice(i + 20);
  }
  return s;
}

/** Runs fn; returns "ok", or "error" for a one-line NsjailError; anything else fails the test. */
function outcome(t: Test, fn: () => unknown, input: string): "ok" | "error" | "bad" {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (err instanceof NsjailError && !err.message.includes("\n") && err.message.length < 600) return "error";
    t.fail(`unexpected ${err instanceof Error ? err.stack : String(err)} for input ${JSON.stringify(input).slice(0, 400)}`);
    return "bad";
  }
}

t.test("generated policies resolve or fail with a one-line policy error", async (t) => {
  const r = rng(0x5eed);
  const counts = { ok: 0, error: 0, bad: 0 };
  for (let i = 0; i < 1500; i++) {
    const text = JSON.stringify(policy(r));
    counts[outcome(t, () => load(text), text)]++;
  }
  t.equal(counts.bad, 0);
  t.ok(counts.ok > 50 && counts.error > 50, `both outcomes occur (${counts.ok} ok, ${counts.error} errors)`);
});

t.test("generated command-line layers merge or fail with a one-line policy error", async (t) => {
  const r = rng(42);
  const base = load('{"mounts": [{"type": "bind", "src": "/usr"}, {"type": "tmpfs", "dst": "/tmp"}]}');
  let bad = 0;
  for (let i = 0; i < 500; i++) {
    const layer = policy(r);
    if (outcome(t, () => addLayer(base, layer as Policy, "flags"), JSON.stringify(layer)) === "bad") bad++;
  }
  t.equal(bad, 0);
});

t.test("mutated preset text parses, resolves or fails with a one-line policy error", async (t) => {
  const r = rng(7);
  const texts = ["default", "build", "untrusted"].map((n) => readFileSync(join(presetsDir(), `${n}.json`), "utf8"));
  let bad = 0;
  for (let i = 0; i < 1500; i++) {
    const text = mutate(texts[i % texts.length] as string, r);
    if (outcome(t, () => load(text, join(presetsDir(), "mutated.json")), text) === "bad") bad++;
  }
  t.equal(bad, 0);
});

t.test("the build's yes/no validator accepts exactly what the full schema validator accepts", async (t) => {
  const built = createRequire(import.meta.url)(join(stageDir(), "dist/policy/validator.generated.cjs")) as (data: unknown) => boolean;
  const full = policyValidator();
  const r = rng(0xa11);
  const seccomps: unknown[] = [
    { preset: "default" }, { preset: "none" }, { preset: 7 }, { default: "allow", rules: [{ action: "errno:EPERM", syscalls: ["ptrace"] }] },
    { default: "kill", rules: [{ action: "allow", syscalls: ["ioctl"], args: [{ index: 1, op: "masked-eq", value: 21524, mask: 4294967295 }] }] },
    { default: "allow", rules: [{ action: "trace", syscalls: [] }] }, { rules: [{ syscalls: ["read"] }] }, { profile: "x.json", extra: 1 },
  ];
  const inputs: unknown[] = [];
  for (let i = 0; i < 2500; i++) {
    const p = policy(r);
    if (r() < 0.2) p.seccomp = seccomps[Math.floor(r() * seccomps.length)];
    inputs.push(p);
  }
  for (const n of ["default", "build", "untrusted"]) {
    const text = readFileSync(join(presetsDir(), `${n}.json`), "utf8");
    inputs.push(JSON.parse(text));
    for (let i = 0; i < 300; i++) {
      try {
        inputs.push(JSON.parse(mutate(text, r)));
      } catch {
        // not JSON any more: the parser's business, not the validators'
      }
    }
  }
  let valid = 0;
  const disagree = inputs.filter((x) => {
    const want = full(x);
    if (want) valid++;
    return built(x) !== want;
  });
  t.same(disagree.slice(0, 3), [], `${disagree.length} of ${inputs.length} inputs judged differently`);
  t.ok(valid > 200 && inputs.length - valid > 200, `both verdicts occur (${valid} valid of ${inputs.length})`);
});
