// Startup: `-- /bin/true` in the same sandbox (all namespaces, ro system binds, proc, dev, tmpfs),
// nsjail-ts with a cached plan (warm) and without (cold), bwrap, and /bin/true alone; beside them the
// compiler's own start (--version, from the entry the front end starts) and a cold run of the default
// policy (its seccomp filter included).
import { join } from "node:path";
import { BWRAP_STARTUP, front, hyperfine, ms, ratio, root, runAs, scratch, STARTUP_POLICY, table, writeOwned } from "./lib.mjs";

export async function startup({ runs = 20, rounds = 5 } = {}) {
  const dir = scratch();
  const policy = writeOwned(join(dir, "startup.json"), JSON.stringify(STARTUP_POLICY));
  const ours = [front, "--policy", policy];
  runAs([...ours, "--", "/bin/true"]); // compile once, so "warm" starts warm
  const r = hyperfine(
    {
      "nsjail-ts warm": [...ours, "--", "/bin/true"],
      "nsjail-ts cold": [...ours, "--no-cache", "--", "/bin/true"],
      "nsjail-ts cold, default policy": [front, "--no-cache", "--", "/bin/true"],
      bwrap: [...BWRAP_STARTUP, "--", "/bin/true"],
      "node -e 0": ["node", "-e", "0"],
      "node dist/cli/main.cjs --version": ["node", join(root, "dist/cli/main.cjs"), "--version"],
      "/bin/true": ["/bin/true"],
    },
    { runs, rounds },
  );
  const bw = r.bwrap;
  const node = r["node -e 0"];
  const rows = Object.entries(r).map(([name, x]) => [name, `${ms(x.mean)} ± ${ms(x.stddev)}`, ms(x.median), ms(x.min), ratio(x.mean, bw.mean)]);
  const both = (f) => `mean ${f("mean")}, median ${f("median")}`;
  const targets = [
    `warm / bwrap: ${both((k) => ratio(r["nsjail-ts warm"][k], bw[k]))} (target ≤ 1.00×)`,
    `cold − node -e 0: ${both((k) => ms(r["nsjail-ts cold"][k] - node[k]))}; default policy: ${both((k) => ms(r["nsjail-ts cold, default policy"][k] - node[k]))} (target ≤ 15 ms)`,
  ];
  const how = `${rounds} rounds of ${runs} runs per command, the commands in a rotated order each round.`;
  return { title: "Startup (`-- /bin/true`)", body: `${how}\n\n${table(["command", "mean ± σ", "median", "min", "vs bwrap (mean)"], rows)}\n\n${targets.join("\n\n")}` };
}
