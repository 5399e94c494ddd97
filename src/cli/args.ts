// Command-line parsing for the run command: flags applied in order (bwrap-style), then the command.

import arg from "arg";
import { usageError } from "../errors.js";
import { allFlags, emptyRequest, type FlagSpec, type RunRequest } from "./flags/index.js";

/** Suggest the closest known flag for a typo. */
function closest(name: string, known: string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return d[b.length]!;
  };
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const dd = dist(name, k);
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  return best;
}

/**
 * Parse `[flags] [--] COMMAND...`. Flags apply in command-line order, since mount flags stack as
 * bwrap's do; the first word that is not a flag starts the command.
 */
export function parseRunArgs(argv: string[], req: RunRequest = emptyRequest(), flags: FlagSpec[] = allFlags()): RunRequest {
  const byName = new Map<string, FlagSpec>();
  for (const f of flags) for (const n of f.names) byName.set(n, f);
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === "--") {
      req.command = argv.slice(i + 1);
      return req;
    }
    if (!word.startsWith("-") || word === "-") break;
    const eq = word.startsWith("--") ? word.indexOf("=") : -1;
    const name = eq > 0 ? word.slice(0, eq) : word;
    const spec = byName.get(name);
    if (!spec) {
      const hint = closest(name, [...byName.keys()]);
      throw usageError(`unknown option ${name}${hint ? ` (did you mean ${hint}?)` : ""} (see nsjail-ts --help)`);
    }
    const values = eq > 0 ? [word.slice(eq + 1)] : argv.slice(i + 1, i + 1 + spec.arity);
    if (eq > 0 && spec.arity !== 1) throw usageError(`${name} takes ${spec.arity} values, not name=value`);
    if (values.length < spec.arity) {
      throw usageError(`${name} needs ${spec.arity} value${spec.arity > 1 ? "s" : ""}${spec.values ? ` (${spec.values})` : ""}`);
    }
    spec.apply(req, values);
    i += eq > 0 ? 1 : 1 + spec.arity;
  }
  req.command = argv.slice(i);
  return req;
}

/** Subcommands with simple flags use `arg`; this wraps its errors into usage errors. */
export function parseSimple<T extends arg.Spec>(spec: T, argv: string[]): arg.Result<T> {
  try {
    return arg(spec, { argv, stopAtPositional: false });
  } catch (e) {
    throw usageError(`${(e as Error).message.replace(/^unknown or unexpected option/, "unknown option")} (see nsjail-ts --help)`);
  }
}
