// nsjail-ts command line: dispatch, and the only place that prints errors and chooses the exit code.

import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode, NsjailError } from "../errors.js";
import { levelTag } from "./flags/bwrap-state.js";
import { runCommand } from "./run.js";
import { usage } from "./usage.js";

/** A subcommand is a module in commands/ exporting `main(argv)` and a one-line `summary`. */
interface CommandModule {
  main(argv: string[]): Promise<number>;
  summary: string;
}
const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith(".js"))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<CommandModule | undefined> {
  if (!/^[a-z][a-z-]*$/.test(name) || !existsSync(join(commandsDir, `${name}.js`))) return undefined;
  return (await import(`./commands/${name}.js`)) as CommandModule;
}

async function helpText(): Promise<string> {
  const subs = [];
  for (const name of commandNames()) subs.push({ name, summary: (await loadCommand(name))!.summary });
  return usage(subs);
}

export async function main(argv: string[], invokedAs: string): Promise<number> {
  if (invokedAs === "bwrap") return runCommand(argv, true, helpText);
  const first = argv[0];
  const sub = first !== undefined && !first.startsWith("-") ? await loadCommand(first) : undefined;
  if (sub) return sub.main(argv.slice(1));
  return runCommand(argv, false, helpText);
}

/** Runs one command line and sets process.exitCode; errors become one line on stderr (the stack with --debug). */
export async function start(argv: string[], invokedAs: string): Promise<void> {
  const debug = argv.includes("--debug");
  try {
    process.exitCode = await main(argv, invokedAs);
  } catch (e: unknown) {
    if (e instanceof NsjailError) {
      process.stderr.write(`${levelTag(3)}nsjail-ts: ${e.message}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = e.code;
      return;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`nsjail-ts: internal error: ${err.message}${debug ? "" : " (run with --debug for details)"}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = ExitCode.Internal;
  }
}

// `node dist/cli/cli.js ARGS` runs the modules without the bundle; main.ts and main.cjs call start() themselves.
const script = process.argv[1];
if (script !== undefined && resolve(script) === fileURLToPath(import.meta.url)) void start(process.argv.slice(2), basename(script));
