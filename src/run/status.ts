// The run's lifecycle, decided just before the handover: the sandbox's cgroup (or its rlimit fallback),
// status lines and the name. The outer helper process carries them out (helper-c/status.c, cgroup.c).

import { NsjailError, ExitCode } from "../errors.js";
import { cgroupFallback, cgroupSettings, controllerOf, withLifecycle, type LifecycleOps } from "../plan/limits.js";
import { op, OpType, type Op } from "../plan/ops.js";
import { encodePlan } from "../plan/wire.js";
import { formatOrigin } from "../policy/index.js";
import type { ResolvedPolicy } from "../policy/index.js";
import { chooseCgroupBase, createSandboxCgroup, findCgroupHost } from "./cgroup.js";
import type { PreparedPlan } from "./prepare.js";
import { ensureRegistry, registryDir, type EntryInfo } from "./registry.js";

/** Settings from the command line that are not policy (req.runtime of the run command). */
export interface LifecycleRequest {
  name?: string;
  statusFd?: number;
  statusFile?: string;
  /** The front end that started this compiler and runs the plan (helper-c/front.c): it joins the cgroup,
   * so the cgroup is named after it, and it moves with us when we make our own cgroup an inner node. */
  frontPid?: number;
}

/** Where the cgroup detection and the registry look; tests point them at fake trees. */
export interface LifecycleHost {
  procSelf?: string;
  registry?: string;
}

export interface LifecyclePlan {
  ops: Op[];
  plan: Buffer;
  warnings: string[];
  /** The sandbox's cgroup directory, when one was made. */
  cgroup?: string;
}

/** The run command's req.runtime, as typed fields. */
export function lifecycleRequest(runtime: Record<string, unknown>): LifecycleRequest {
  const out: LifecycleRequest = {};
  if (typeof runtime.name === "string") out.name = runtime.name;
  if (typeof runtime["json-status-fd"] === "number") out.statusFd = runtime["json-status-fd"];
  if (typeof runtime["status-file"] === "string") out.statusFile = runtime["status-file"];
  return out;
}

/** The ops after init's fork that make the command what it is: exec repeats them for a joined command. */
const TAIL = new Set([OpType.Setsid, OpType.Rlimit, OpType.Chdir, OpType.LockMounts, OpType.SetIds, OpType.CloseFds, OpType.Caps, OpType.NoNewPrivs, OpType.Seccomp, OpType.Env]);
export const commandTail = (ops: readonly Op[]): Op[] => ops.filter((o) => TAIL.has(o.type));

function originOf(resolved: ResolvedPolicy): (p: string) => string {
  return (p) => {
    const o = resolved.origin(p);
    return o ? formatOrigin(o) : "policy";
  };
}

/** The cgroup part: a fresh cgroup with the limits, or the rlimit fallback and one warning line. */
function cgroupPart(prepared: PreparedPlan, hasOuter: boolean, host: LifecycleHost, frontPid?: number): { l: LifecycleOps; warning?: string; dir?: string } {
  const cg = prepared.resolved.policy.limits?.cgroup;
  if (!cg) return { l: {} };
  const at = originOf(prepared.resolved);
  let settings;
  try {
    settings = cgroupSettings(cg);
  } catch (e) {
    throw new NsjailError(ExitCode.Policy, `${at("/limits/cgroup")}: ${(e as Error).message}`);
  }
  if (settings.length === 0) return { l: {} };
  const needed = [...new Set(settings.map((s) => controllerOf(s.file)))];
  const hostInfo = findCgroupHost(host.procSelf);
  let reason = typeof hostInfo === "string" ? hostInfo : undefined;
  const base = typeof hostInfo === "string" ? undefined : chooseCgroupBase(hostInfo, needed, process.pid, frontPid);
  if (typeof base === "string") reason = base;
  if (!hasOuter) reason = "the sandbox has no PID namespace, so no outer process could remove its cgroup";
  if (base !== undefined && typeof base !== "string" && !reason) {
    try {
      const dir = createSandboxCgroup(base.base, settings, frontPid ?? process.pid); // a stale sweep checks this pid
      return { l: { cgroup: { dir, leave: base.leave } }, dir };
    } catch (e) {
      reason = `cannot create a cgroup in ${base.base}: ${(e as Error).message}`;
    }
  }
  if (cg.required) throw new NsjailError(ExitCode.Setup, `${at("/limits/cgroup/required")}: cgroup limits are required but unavailable: ${reason}`);
  const fb = cgroupFallback(cg, prepared.resolved.policy.limits?.rlimits ?? {}, at);
  const parts = [...(fb.fell.length ? [`${fb.fell.join(", ")} instead`] : []), ...(fb.dropped.length ? [`${fb.dropped.join(" and ")} not applied`] : [])];
  return { l: { fallback: fb.ops }, warning: `no cgroup v2 limits (${reason}): ${parts.join("; ")}` };
}

/** Add the run-time ops to a prepared plan. Creates the cgroup (removed by the helper after the run). */
export function lifecyclePlan(prepared: PreparedPlan, command: string[], req: LifecycleRequest, host: LifecycleHost = {}): LifecyclePlan {
  const hasOuter = prepared.ops.some((o) => o.type === OpType.ForkPidNs);
  if (!hasOuter && (req.name !== undefined || req.statusFd !== undefined || req.statusFile !== undefined)) {
    throw new NsjailError(ExitCode.Usage, "--name, --json-status-fd and --status-file need the PID namespace (namespaces.pid), whose outer process reports and cleans up");
  }
  const cg = cgroupPart(prepared, hasOuter, host, req.frontPid);
  const l: LifecycleOps = { ...cg.l };
  if (req.statusFd !== undefined || req.statusFile !== undefined) {
    l.status = { ...(req.statusFd !== undefined ? { fd: req.statusFd } : {}), ...(req.statusFile !== undefined ? { file: req.statusFile } : {}) };
  }
  let ops = withLifecycle(prepared.ops, l, originOf(prepared.resolved));
  if (req.name !== undefined) {
    const info: EntryInfo = {
      command,
      ...(cg.dir ? { cgroup: cg.dir } : {}),
      tail: encodePlan([...commandTail(ops), op(OpType.Exec, "command line")]).toString("base64"),
    };
    const registry = ensureRegistry(host.registry ?? registryDir());
    ops = withLifecycle(ops, { name: { registry, name: req.name, info: Buffer.from(JSON.stringify(info)) } }, originOf(prepared.resolved));
  }
  return { ops, plan: encodePlan(ops), warnings: cg.warning ? [cg.warning] : [], ...(cg.dir ? { cgroup: cg.dir } : {}) };
}
