// The helper's plan parser on hostile bytes: every input kept by `npm run fuzz` (test/fuzz/regressions/)
// and deterministic mutations of real compiled plans go through `nsjail-ts-helper --check`, which must
// exit 0 (a valid plan) or 122 (refused, with one line saying why), never die from a signal.

import t, { type Test } from "tap";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { preparePlan } from "../../src/run/prepare.js";
import { helperPath, projectRoot, runAs, tempDir, writeTestFile } from "../helpers/sandbox.js";
import { rng } from "../helpers/random.js";

const regressions = join(projectRoot, "test/fuzz/regressions");
const dir = tempDir("nsjail-ts-replay-");
let counter = 0;

async function check(t: Test, name: string, bytes: Buffer): Promise<void> {
  const file = writeTestFile(dir, `in-${counter++}.plan`, bytes);
  const r = await runAs(helperPath(), ["--check", "--plan-file", file]);
  t.equal(r.signal, null, `${name}: no signal`);
  t.ok(r.code === 0 || r.code === 122, `${name}: exit 0 or 122, got ${r.code} (${r.stderr.trim()})`);
  if (r.code === 122) t.match(r.stderr, /^nsjail-ts: [^\n]+\n?$/, `${name}: one line: ${JSON.stringify(r.stderr)}`);
  if (r.code === 0) t.equal(r.stderr, "", `${name}: a valid plan is accepted silently`);
}

t.test("every kept fuzz input replays cleanly", async (t) => {
  const files = existsSync(regressions) ? readdirSync(regressions).filter((f) => !f.startsWith(".")) : [];
  if (files.length === 0) t.comment("no fuzz findings kept yet (npm run fuzz adds them here)");
  for (const f of files) await check(t, f, readFileSync(join(regressions, f)));
});


/** Offsets of every u32 length field: the header's total_len and op_count, each op's payload_len and item lens. */
function lengthFields(plan: Buffer): number[] {
  const out = [12, 16];
  let off = 32;
  for (let i = 0; i < plan.readUInt32LE(16) && off + 8 <= plan.length; i++) {
    const payload = plan.readUInt32LE(off + 4);
    out.push(off + 4);
    let item = off + 8;
    while (item + 4 <= off + 8 + payload) {
      out.push(item);
      item += 4 + ((plan.readUInt32LE(item) + 3) & ~3);
    }
    off += 8 + payload;
  }
  return out;
}

const EDGES = [0, 1, 3, 4, 7, 8, 0x7fffffff, 0x80000000, 0xfffffff8, 0xfffffffc, 0xffffffff, 4096, 4097, 65536];

function mutate(r: () => number, plan: Buffer, fields: number[]): Buffer {
  const b = Buffer.from(plan);
  const k = r();
  if (k < 0.4) {
    const at = fields[Math.floor(r() * fields.length)]!;
    const cur = b.readUInt32LE(at);
    const v = r() < 0.6 ? EDGES[Math.floor(r() * EDGES.length)]! : (cur + Math.floor(r() * 17) - 8) >>> 0;
    b.writeUInt32LE(v >>> 0, at);
    return b;
  }
  if (k < 0.6) {
    for (let n = 1 + Math.floor(r() * 4); n > 0; n--) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
    return b;
  }
  if (k < 0.75) return b.subarray(0, Math.floor(r() * b.length));
  if (k < 0.9) {
    // an op's type changed to any value, including unknown ones
    const at = fields[2 + Math.floor(r() * (fields.length - 2))]! - 4;
    if (at >= 32) b.writeUInt16LE(Math.floor(r() * 64), at);
    return b;
  }
  return Buffer.concat([b, b.subarray(32)]);
}

t.test("mutated real plans are accepted or refused in one line, never crash the helper", async (t) => {
  const seeds = ["default", "build", "untrusted"].map((n) => preparePlan({ policyFile: join(projectRoot, "policies", `${n}.json`), command: ["/bin/true"] }).plan);
  for (const [i, plan] of seeds.entries()) await check(t, `preset ${i} unmodified`, plan);
  for (let seed = 1; seed <= 240; seed++) {
    const r = rng(seed);
    const plan = seeds[seed % seeds.length]!;
    await check(t, `mutation seed ${seed}`, mutate(r, plan, lengthFields(plan)));
  }
});
