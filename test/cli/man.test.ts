// man/nsjail-ts.1 renders without warnings and covers every option and subcommand the CLI has.

import t from "tap";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { allFlags } from "../../src/cli/flags/index.js";
import { projectRoot } from "../helpers/sandbox.js";

const page = join(projectRoot, "man/nsjail-ts.1");
const haveMan = spawnSync("man", ["--version"]).status === 0;
if (!haveMan) t.plan(0, "man is not installed");

/** The page as a reader sees it, in plain ASCII so that \- is a hyphen. */
function render(): { text: string; warnings: string } {
  const r = spawnSync("man", ["--warnings", "-l", page], { encoding: "utf8", env: { ...process.env, MANWIDTH: "80", LC_ALL: "C", MAN_KEEP_FORMATTING: "" } });
  return { text: r.stdout.replace(/.\x08/g, ""), warnings: r.stderr };
}

t.test("renders with no warnings", async (t) => {
  const { text, warnings } = render();
  t.equal(warnings, "");
  t.match(text, /^NSJAIL-TS\(1\)/);
});

t.test("mentions every option the CLI accepts", async (t) => {
  const { text } = render();
  const words = new Set(text.match(/--?[a-zA-Z][\w-]*/g));
  for (const f of allFlags()) for (const name of f.names) t.ok(words.has(name), `${name} is documented`);
});

t.test("mentions every subcommand", async (t) => {
  const { text } = render();
  const subs = readdirSync(join(projectRoot, "src/cli/commands")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
  t.ok(subs.length >= 3);
  for (const s of subs) t.match(text, new RegExp(`nsjail-ts ${s}\\b`), `nsjail-ts ${s} is documented`);
});

t.test("documents every exit code of src/errors.ts", async (t) => {
  const { text } = render();
  const { ExitCode } = await import("../../src/errors.js");
  const section = text.slice(text.indexOf("EXIT STATUS"), text.indexOf("ENVIRONMENT"));
  for (const code of Object.values(ExitCode)) t.match(section, new RegExp(`^\\s+${code}\\s+\\S`, "m"), `exit status ${code}`);
  t.match(section, /128\+N/);
});
