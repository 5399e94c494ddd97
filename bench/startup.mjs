// Startup: `-- /bin/true` in the same sandbox (all namespaces, ro system binds, proc, dev, tmpfs),
// nsjail-ts with a cached plan (warm) and without (cold), bwrap, and /bin/true alone; beside them the
// compiler's own start (--version, from the entry the front end starts) and a cold run of the default
// policy (its seccomp filter included).
import { join } from "node:path";
import { BWRAP_STARTUP, front, hyperfine, ms, ratio, root, runAs, scratch, STARTUP_POLICY, table, writeOwned } from "./lib.mjs";

export async function startup({ runs = 50 } = {}) {
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
    { runs },
  );
  const bw = r.bwrap.mean;
  const node = r["node -e 0"].mean;
  const rows = Object.entries(r).map(([name, x]) => [name, `${ms(x.mean)} ± ${ms(x.stddev)}`, ms(x.min), ratio(x.mean, bw)]);
  const targets = [
    `warm / bwrap = ${ratio(r["nsjail-ts warm"].mean, bw)} (target ≤ 1.00×)`,
    `cold − node -e 0 = ${ms(r["nsjail-ts cold"].mean - node)}, default policy ${ms(r["nsjail-ts cold, default policy"].mean - node)} (target ≤ 15 ms)`,
  ];
  return { title: "Startup (`-- /bin/true`)", body: `${table(["command", "mean ± σ", "min", "vs bwrap"], rows)}\n\n${targets.join("; ")}` };
}
