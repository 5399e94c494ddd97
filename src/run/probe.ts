// Probes of what this machine lets an unprivileged user do, for `nsjail-ts doctor` and error hints.

import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { userInfo } from "node:os";
import type { Sys } from "../ffi/sys.js";
import { ENV_CLEAR, op, OpType, type Op } from "../plan/ops.js";
import { encodePlan } from "../plan/wire.js";
import { spawnPlan } from "./spawn.js";

export interface Probe {
  name: string;
  ok: boolean;
  detail: string;
}

const readTrim = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8").trim();
  } catch {
    return undefined;
  }
};

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(delimiter)) {
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not in this directory */
    }
  }
  return undefined;
}

/** The sysctls that switch unprivileged user namespaces off, with their current values. */
export function userNamespaceSysctls(): Probe[] {
  const out: Probe[] = [];
  const clone = readTrim("/proc/sys/kernel/unprivileged_userns_clone");
  if (clone !== undefined) out.push({ name: "sysctl kernel.unprivileged_userns_clone", ok: clone === "1", detail: clone });
  const max = readTrim("/proc/sys/user/max_user_namespaces");
  if (max !== undefined) out.push({ name: "sysctl user.max_user_namespaces", ok: Number(max) > 0, detail: max });
  const apparmor = readTrim("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  if (apparmor !== undefined) out.push({ name: "sysctl kernel.apparmor_restrict_unprivileged_userns", ok: apparmor === "0", detail: apparmor });
  return out;
}

const ids = (): Op[] => [
  op(OpType.UnshareUser, "doctor"),
  op(OpType.SetgroupsDeny, "doctor"),
  op(OpType.UidMap, "doctor", [`0 ${process.getuid!()} 1\n`]),
  op(OpType.GidMap, "doctor", [`0 ${process.getgid!()} 1\n`]),
];
const exec = (path: string): Op[] => [op(OpType.Env, "doctor", ["PATH=/usr/bin:/bin"], ENV_CLEAR), op(OpType.Exec, "doctor", [path])];

/** Run a tiny plan through the helper; ok when it exits 0. */
async function planProbe(name: string, ops: Op[]): Promise<Probe> {
  try {
    const r = await spawnPlan(encodePlan(ops), { stdio: "ignore" });
    if (r.exitCode === 0) return { name, ok: true, detail: "works" };
    return { name, ok: false, detail: r.setupError?.message ?? `exit ${r.exitCode}` };
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message };
  }
}

export function namespaceProbes(): Promise<Probe>[] {
  const trueBin = existsSync("/usr/bin/true") ? "/usr/bin/true" : "/bin/true";
  const sys = ["/usr", "/bin", "/lib", "/lib64", "/sbin"];
  return [
    planProbe("user namespace", [...ids(), ...exec(trueBin)]),
    planProbe("nested user namespace", [...ids(), op(OpType.Unshare, "doctor", [0x00020000n]), op(OpType.LockMounts, "doctor"), ...exec(trueBin)]),
    planProbe("pid+mount+net+ipc+uts+cgroup namespaces", [...ids(), op(OpType.Unshare, "doctor", [0x6e020000n]), ...exec(trueBin)]),
    planProbe("overlayfs in a user namespace", [
      ...ids(),
      op(OpType.Unshare, "doctor", [0x00020000n]),
      op(OpType.MountPrivate, "doctor"),
      op(OpType.RootTmpfs, "doctor", [0n]),
      ...sys.map((d) => op(OpType.Bind, "doctor", [d, d], 0x2)),
      op(OpType.Overlay, "doctor", ["/overlay", "", "", "/etc"], 0x1),
      op(OpType.PivotRoot, "doctor"),
      ...exec(trueBin),
    ]),
  ];
}

const SECCOMP_NR: Record<string, number> = { x64: 317, arm64: 277 };
const SECCOMP_ACTIONS: [string, number][] = [
  ["kill_process", 0x80000000], ["kill_thread", 0], ["trap", 0x00030000], ["errno", 0x00050000],
  ["user_notif", 0x7fc00000], ["trace", 0x7ff00000], ["log", 0x7ffc0000], ["allow", 0x7fff0000],
];

export function seccompProbe(sys: Sys): Probe {
  const nr = SECCOMP_NR[process.arch];
  if (nr === undefined) return { name: "seccomp actions", ok: false, detail: `unknown syscall number on ${process.arch}` };
  const avail = SECCOMP_ACTIONS.filter(([, action]) => {
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(action >>> 0);
    return sys.syscall(nr, 2 /* SECCOMP_GET_ACTION_AVAIL */, 0, buf)[0] === 0;
  }).map(([n]) => n);
  return { name: "seccomp actions", ok: avail.includes("errno") && avail.includes("kill_process"), detail: avail.join(" ") || "none" };
}

export function landlockProbe(sys: Sys): Probe {
  const [abi, errno] = sys.syscall(444, null, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);
  return abi > 0 ? { name: "Landlock", ok: true, detail: `ABI ${abi}` } : { name: "Landlock", ok: false, detail: sys.strerror(errno) };
}

/** The caller's cgroup v2 directory, its controllers, and whether the caller may create children in it. */
export function cgroupProbe(): Probe {
  const line = (readTrim("/proc/self/cgroup") ?? "").split("\n").find((l) => l.startsWith("0::"));
  const mount = (readTrim("/proc/self/mountinfo") ?? "").split("\n").map((l) => l.split(" ")).find((f) => f[f.indexOf("-") + 1] === "cgroup2");
  if (!line || !mount) return { name: "cgroup v2 delegation", ok: false, detail: "no cgroup v2 hierarchy" };
  const dir = join(mount[4]!, line.slice(3));
  const controllers = readTrim(join(dir, "cgroup.controllers")) ?? "";
  let writable = true;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    writable = false;
  }
  const detail = `${dir} controllers: ${controllers || "none"}${writable ? "" : " (not writable by this user)"}`;
  return { name: "cgroup v2 delegation", ok: writable && /\b(memory|pids)\b/.test(controllers), detail };
}

export function idmapToolsProbe(): Probe {
  const user = userInfo().username;
  const tools = ["newuidmap", "newgidmap"].filter((t) => which(t));
  const sub = (readTrim("/etc/subuid") ?? "").split("\n").find((l) => l.startsWith(`${user}:`) || l.startsWith(`${process.getuid!()}:`));
  return { name: "newuidmap and subordinate ids", ok: tools.length === 2 && !!sub, detail: `${tools.join(" ") || "no newuidmap/newgidmap"}; ${sub ? `subuid ${sub}` : "no /etc/subuid range"}` };
}

export function networkToolsProbe(): Probe {
  const found = ["pasta", "slirp4netns"].map((t) => [t, which(t)] as const).filter(([, p]) => p);
  return { name: "user-mode networking", ok: found.length > 0, detail: found.map(([t, p]) => `${t} (${p})`).join(", ") || "neither pasta nor slirp4netns" };
}
