#!/usr/bin/env node
// nsjail-ts entry point: dispatch, and the only place that prints errors and chooses the exit code.

import { ExitCode, NsjailError } from "../errors.js";
import { linuxSys } from "../ffi/linux.js";
import { execHelper } from "../run/handover.js";
import { packageVersion } from "../run/paths.js";
import { preparePlan } from "../run/prepare.js";
import { parseRunArgs } from "./args.js";
import { policyPath } from "./policy-arg.js";
import { USAGE } from "./usage.js";

function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`nsjail-ts: warning: ${w}\n`);
}

async function runCommand(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`nsjail-ts ${packageVersion()}\n`);
    return 0;
  }
  const prepared = preparePlan({ command: args.command, ...(args.policy !== undefined ? { policyFile: policyPath(args.policy) } : {}) });
  printWarnings(prepared.warnings);
  execHelper(linuxSys(), prepared.plan);
}

type Subcommand = (argv: string[]) => Promise<number>;
const SUBCOMMANDS: Record<string, () => Promise<Subcommand>> = {
  check: async () => (await import("./check.js")).checkMain,
  seccomp: async () => (await import("../seccomp/index.js")).seccompMain,
};

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  const sub = first !== undefined ? SUBCOMMANDS[first] : undefined;
  if (sub) return (await sub())(argv.slice(1));
  return runCommand(argv);
}

const debug = process.argv.includes("--debug");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof NsjailError) {
      process.stderr.write(`nsjail-ts: ${e.message}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = e.code;
      return;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`nsjail-ts: internal error: ${err.message}${debug ? "" : " (run with --debug for details)"}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = ExitCode.Internal;
  },
);
