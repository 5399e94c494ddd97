// nsjail-ts kill NAME [SIGNAL]: signal a named sandbox's command (through its outer helper and init).

import { constants } from "node:os";
import { usageError } from "../../errors.js";
import { findEntry, registryDir } from "../../run/registry.js";

export const summary = "send a signal (default TERM) to a named sandbox's command";

/** "TERM", "SIGTERM", "term" or "15". */
export function signalNumber(s: string): number {
  const sigs = constants.signals as Record<string, number>;
  if (/^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 64) return Number(s);
  const n = sigs[s.toUpperCase().startsWith("SIG") ? s.toUpperCase() : `SIG${s.toUpperCase()}`];
  if (n === undefined) throw usageError(`kill: unknown signal "${s}" (expected a name like TERM or a number)`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const [name, sig, ...rest] = argv;
  if (!name || rest.length) throw usageError("usage: nsjail-ts kill NAME [SIGNAL]");
  const signo = signalNumber(sig ?? "TERM");
  const e = findEntry(registryDir(), name);
  // The outer helper relays catchable signals to init, which relays them to the command. SIGKILL cannot be
  // relayed: it goes to init, whose death ends the PID namespace; the outer helper then cleans up as usual.
  const target = signo === constants.signals.SIGKILL ? e.pid : e.helper;
  try {
    process.kill(target, signo);
  } catch (err) {
    throw usageError(`kill ${name}: ${(err as Error).message}`);
  }
  return 0;
}
