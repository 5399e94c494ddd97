// Scale: the same sandbox plus N read-only binds of distinct host directories, N = 0, 10, 100, 1000;
// time per run and per bind, nsjail-ts (cached plan) against bwrap with the same binds.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BWRAP_STARTUP, front, hyperfine, ms, ratio, runAs, scratch, STARTUP_POLICY, table, writeOwned } from "./lib.mjs";

export async function scale({ sizes = [0, 10, 100, 1000] } = {}) {
  const dir = scratch();
  const max = Math.max(...sizes);
  for (let i = 0; i < max; i++) mkdirSync(join(dir, "src", `d${i}`), { recursive: true });
  const rows = [];
  const base = {};
  for (const n of sizes) {
    const srcs = Array.from({ length: n }, (_, i) => join(dir, "src", `d${i}`));
    const policy = writeOwned(
      join(dir, `scale-${n}.json`),
      JSON.stringify({ ...STARTUP_POLICY, mounts: [...STARTUP_POLICY.mounts, ...srcs.map((s, i) => ({ type: "bind", src: s, dst: `/m/d${i}` }))] }),
    );
    const ours = [front, "--policy", policy, "--", "/bin/true"];
    runAs(ours);
    const bw = [...BWRAP_STARTUP, ...srcs.flatMap((s, i) => ["--ro-bind", s, `/m/d${i}`]), "--", "/bin/true"];
    const runs = n >= 1000 ? 5 : n >= 100 ? 15 : 30;
    const r = hyperfine({ ours, bwrap: bw }, { runs, warmup: 1 });
    if (n === 0) Object.assign(base, { ours: r.ours.mean, bwrap: r.bwrap.mean });
    const per = (t, b) => (n ? `${((t - b) * 1000 / n).toFixed(0)} µs` : "–");
    rows.push([String(n), ms(r.ours.mean), per(r.ours.mean, base.ours), ms(r.bwrap.mean), per(r.bwrap.mean, base.bwrap), ratio(r.ours.mean, r.bwrap.mean)]);
  }
  return {
    title: "Scale (N extra read-only binds)",
    body: table(["N", "nsjail-ts", "per bind", "bwrap", "per bind", "nsjail-ts / bwrap"], rows),
  };
}
