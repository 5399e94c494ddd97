// nsjail-ts exec NAME [--] CMD...: run a command inside a running named sandbox, as its command runs.
//
// The join plan enters the sandbox's cgroup, its namespaces (user first) and root through its outer helper
// process, forks into its PID namespace, then repeats the sandbox command's own last steps (rlimits, ids,
// capabilities, seccomp filter, environment) that the registry kept as an encoded plan.

import { usageError } from "../../errors.js";
import { linuxSys } from "../../ffi/linux.js";
import { FORK_DIE_WITH_PARENT, op, OpType, type Op } from "../../plan/ops.js";
import { decodePlan, encodePlan } from "../../plan/wire.js";
import { execHelper } from "../../run/handover.js";
import { findEntry, registryDir, type Entry } from "../../run/registry.js";

export const summary = "run a command inside a running named sandbox";

/** The plan that puts `command` into the sandbox of `e`. */
export function joinOps(e: Entry, command: string[]): Op[] {
  const origin = `sandbox ${e.name}`;
  const tail: Op[] = decodePlan(Buffer.from(e.info.tail, "base64"))
    .filter((d) => d.type !== OpType.Exec)
    .map((d) => ({ type: d.type, flags: d.flags, origin: d.origin, items: d.items }));
  return [
    ...(e.info.cgroup ? [op(OpType.JoinCgroup, origin, [e.info.cgroup])] : []),
    op(OpType.JoinNs, origin, [BigInt(e.helper)]),
    op(OpType.ForkPidNs, origin, [], FORK_DIE_WITH_PARENT),
    ...tail,
    op(OpType.Exec, "command line", command),
  ];
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = rest[0] === "--" ? rest.slice(1) : rest;
  if (!name || name.startsWith("-") || command.length === 0) throw usageError("usage: nsjail-ts exec NAME [--] COMMAND [ARGS...]");
  const e = findEntry(registryDir(), name);
  execHelper(linuxSys(), encodePlan(joinOps(e, command)));
}
