#!/usr/bin/env node
// The benchmarks, side by side with bubblewrap: `npm run bench [-- SECTION...] [--record]`.
// Sections: startup scale seccomp build memory (default: all). --record writes bench/RESULTS.md.
// Needs a build (npm run build), hyperfine and bwrap; sandboxes run as the unprivileged test user.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { machine, root } from "./lib.mjs";

const ALL = ["startup", "scale", "seccomp", "build", "memory"];
const args = process.argv.slice(2);
const record = args.includes("--record");
const wanted = args.filter((a) => !a.startsWith("--"));
for (const w of wanted) if (!ALL.includes(w)) {
  console.error(`bench: unknown section ${w} (sections: ${ALL.join(", ")})`);
  process.exit(2);
}
const sections = wanted.length ? wanted : ALL;

async function seccomp() {
  // The seccomp engineer's benchmark, run as it is; its own output is the table.
  const r = spawnSync(process.execPath, [join(root, "bench/seccomp.mjs")], { encoding: "utf8" });
  const body = r.status === 0 ? r.stdout.trim() : `failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" ")}`;
  return { title: "Seccomp (bench/seccomp.mjs)", body: `\`\`\`\n${body}\n\`\`\`` };
}

const run = {
  startup: async () => (await import("./startup.mjs")).startup(),
  scale: async () => (await import("./scale.mjs")).scale(),
  seccomp,
  build: async () => (await import("./build.mjs")).build(),
  memory: async () => (await import("./memory.mjs")).memory(),
};

const cmd = ["npm run bench --", ...(wanted.length ? sections : []), ...(record ? ["--record"] : [])].join(" ");
const out = [`# nsjail-ts benchmarks\n`, machine(), "", `Reproduce: \`npm run build && ${cmd}\` (as root: sandboxes run as the test user).`, ""];
console.log(out.join("\n"));
for (const s of sections) {
  let r;
  try {
    r = await run[s]();
  } catch (e) {
    r = { title: s, body: `failed: ${e.message.split("\n")[0]}` };
  }
  const text = `## ${r.title}\n\n${r.body}\n`;
  console.log(text);
  out.push(text);
}
if (record) writeFileSync(join(root, "bench/RESULTS.md"), `${out.join("\n")}\n`);
