// nsjail-ts doctor: what this machine lets an unprivileged user sandbox, probed rather than guessed.

import { linuxSys } from "../../ffi/linux.js";
import {
  cgroupProbe, idmapToolsProbe, landlockProbe, namespaceProbes, networkToolsProbe, seccompProbe, userNamespaceSysctls, type Probe,
} from "../../run/probe.js";
import { usageError } from "../../errors.js";
import { parseSimple } from "../args.js";

export const summary = "report what this machine supports (namespaces, seccomp, Landlock, cgroups...)";

/** Probes that decide whether sandboxes can run at all; the others only describe optional features. */
const ESSENTIAL = new Set(["user namespace", "pid+mount+net+ipc+uts+cgroup namespaces", "seccomp actions"]);

export async function main(argv: string[]): Promise<number> {
  const args = parseSimple({ "--json": Boolean }, argv);
  if (args._.length) throw usageError(`doctor takes no arguments, got ${args._[0]}`);
  const sys = linuxSys();
  const probes: Probe[] = [
    ...userNamespaceSysctls(),
    ...(await Promise.all(namespaceProbes())),
    seccompProbe(sys),
    landlockProbe(sys),
    cgroupProbe(),
    idmapToolsProbe(),
    networkToolsProbe(),
  ];
  if (args["--json"]) {
    process.stdout.write(`${JSON.stringify(probes, null, 2)}\n`);
  } else {
    const width = Math.max(...probes.map((p) => p.name.length));
    for (const p of probes) process.stdout.write(`${p.ok ? "ok  " : "no  "}${p.name.padEnd(width)}  ${p.detail}\n`);
  }
  const broken = probes.filter((p) => ESSENTIAL.has(p.name) && !p.ok);
  if (broken.length) {
    process.stderr.write(`nsjail-ts: this machine cannot run sandboxes: ${broken.map((p) => p.name).join(", ")}\n`);
    return 1;
  }
  return 0;
}
