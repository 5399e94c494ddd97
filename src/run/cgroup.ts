// cgroup v2 from the parent side: find a delegated subtree the caller may use, and make the sandbox's cgroup.
//
// Every path is a parameter (the /proc/self directory, the cgroup2 mount) so that tests can point the
// detection at a fake tree; nothing here switches on the environment.

import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import type { CgroupSetting } from "../plan/limits.js";

/** The caller's place in the cgroup v2 hierarchy. */
export interface CgroupHost {
  /** Where the cgroup2 filesystem is mounted, e.g. /sys/fs/cgroup. */
  mount: string;
  /** The caller's cgroup directory under that mount. */
  own: string;
}

/** Where the sandbox's cgroup goes, and where the outer helper moves back to before removing it. */
export interface CgroupBase {
  base: string;
  leave: string;
}

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

/** mountinfo escapes spaces and the like as \ooo. */
const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Read the cgroup2 mount and the caller's cgroup from a /proc/self-like directory; a string says why not. */
export function findCgroupHost(procSelf = "/proc/self"): CgroupHost | string {
  const line = (read(join(procSelf, "cgroup")) ?? "").split("\n").find((l) => l.startsWith("0::"));
  if (!line) return "the caller is in no cgroup v2 hierarchy";
  for (const l of (read(join(procSelf, "mountinfo")) ?? "").split("\n")) {
    const f = l.split(" ");
    const sep = f.indexOf("-");
    if (sep < 0 || f[sep + 1] !== "cgroup2") continue;
    const mount = unescapeMount(f[4]!);
    // A mount of a subtree (inside a cgroup namespace) shows paths relative to its own root.
    const root = unescapeMount(f[3]!);
    const path = line.slice(3);
    const rel = root !== "/" && path.startsWith(root) ? path.slice(root.length) : path;
    return { mount, own: join(mount, rel).replace(/(.)\/+$/, "$1") };
  }
  return "no cgroup2 filesystem is mounted";
}

const words = (p: string): string[] => (read(p) ?? "").split(/\s+/).filter(Boolean);
const writable = (p: string): boolean => {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};
/** We may create cgroups in dir, move processes through it, and it hands `needed` down to children. */
const usableBase = (dir: string, needed: string[]): boolean =>
  writable(dir) && writable(join(dir, "cgroup.procs")) && needed.every((c) => words(join(dir, "cgroup.subtree_control")).includes(c));

const LEAF = "nsjail-ts-leaf";

/**
 * Choose where sandbox cgroups go, in this order: the caller's own cgroup when it already hands the
 * controllers down (the root cgroup, or a delegated inner node); its parent when that one is delegated
 * (a sibling of the caller, as under systemd's user manager); or the caller's own cgroup made an inner
 * node when we are alone in it (a `systemd-run --user --scope -p Delegate=yes` scope): we move into a
 * leaf child first, since the kernel hands controllers down only from cgroups without processes. With
 * frontPid, the front end that started this compiler (and will run the plan) moves with us.
 */
export function chooseCgroupBase(host: CgroupHost, needed: string[], selfPid = process.pid, frontPid?: number): CgroupBase | string {
  const ours = [selfPid, ...(frontPid !== undefined ? [frontPid] : [])].map(String);
  const own = host.own;
  if (usableBase(own, needed)) return { base: own, leave: own };
  const parent = dirname(own);
  if (own !== host.mount && parent.startsWith(host.mount) && usableBase(parent, needed)) return { base: parent, leave: own };
  const available = words(join(own, "cgroup.controllers"));
  const missing = needed.filter((c) => !available.includes(c));
  if (missing.length) return `the cgroup ${own} has no ${missing.join(", ")} controller${missing.length > 1 ? "s" : ""}`;
  if (!writable(own) || !writable(join(own, "cgroup.procs")) || !writable(join(own, "cgroup.subtree_control"))) {
    return `the cgroup ${own} is not delegated to this user`;
  }
  const procs = words(join(own, "cgroup.procs"));
  if (procs.some((p) => !ours.includes(p))) return `the cgroup ${own} holds other processes, so it cannot hand controllers down`;
  try {
    const leaf = join(own, LEAF);
    if (!existsSync(leaf)) mkdirSync(leaf);
    for (const pid of ours) writeFileSync(join(leaf, "cgroup.procs"), pid);
    writeFileSync(join(own, "cgroup.subtree_control"), needed.map((c) => `+${c}`).join(" "));
    return { base: own, leave: leaf };
  } catch (e) {
    return `cannot enable ${needed.join(", ")} in ${own}: ${(e as Error).message}`;
  }
}

/** Remove sandbox cgroups whose creator is gone (it was killed before it could): rmdir fails on busy ones. */
export function sweepStale(base: string, alive: (pid: number) => boolean = (pid) => existsSync(`/proc/${pid}`)): void {
  let entries: string[];
  try {
    entries = readdirSync(base);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = /^nsjail-ts-(\d+)-[0-9a-f]+$/.exec(e);
    if (!m || alive(Number(m[1]))) continue;
    try {
      rmdirSync(join(base, e));
    } catch {
      /* still populated, or someone else removed it first: not ours to force */
    }
  }
}

/** Create the sandbox's cgroup under base and write its limits; the outer helper removes it afterwards. */
export function createSandboxCgroup(base: string, settings: CgroupSetting[], pid = process.pid): string {
  sweepStale(base);
  const dir = join(base, `nsjail-ts-${pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(dir);
  try {
    for (const s of settings) writeFileSync(join(dir, s.file), s.value);
  } catch (e) {
    rmdirSync(dir);
    throw e;
  }
  return dir;
}
