// After the last flag: modifiers left dangling are errors, and bwrap mode gets its empty start
// (only user and mount namespaces, the caller's ids and environment, no seccomp filter) and
// bwrap's working directory: --chdir, else the current directory if it exists inside, else $HOME, else /.

import { statSync } from "node:fs";
import { hostname as hostHostname } from "node:os";
import { posix } from "node:path";
import { usageError } from "../../errors.js";
import type { Mount, Policy, PolicyLayer } from "../../policy/types.js";
import type { RunRequest } from "./types.js";
import { bwrapState } from "./bwrap-state.js";

/** Check what the flags left pending; in bwrap mode also what bwrap refuses. Safe to call twice. */
export function finishBwrapFlags(req: RunRequest): void {
  const s = bwrapState(req);
  if (s.finished) return;
  if (s.perms !== undefined) throw usageError("--perms must be followed by an option that creates a file (--tmpfs, --dir, --file, --bind-data, --ro-bind-data)");
  if (s.size !== undefined) throw usageError("--size must be followed by --tmpfs");
  if (s.overlaySrc.length > 0) throw usageError("--overlay-src must be followed by --overlay, --tmp-overlay or --ro-overlay");
  if (req.bwrapMode) {
    if (req.policy !== undefined) throw usageError("--policy cannot be used in bwrap mode, which starts from an empty sandbox (run nsjail-ts --policy ... instead)");
    if (s.hostname !== undefined && s.ns.uts !== true) throw usageError("--hostname requires --unshare-uts (or --unshare-all)");
    if (s.asPid1 && s.ns.pid !== true) throw usageError("--as-pid-1 requires --unshare-pid (or --unshare-all)");
    if (s.disableUserns && s.ns.user !== true) throw usageError("--disable-userns requires --unshare-user (or --unshare-all)");
    checkNsFds(req);
  }
  s.finished = true;
}

/** bwrap's rules for --userns, --pidns and --userns-block-fd, and the one combination nsjail-ts lacks. */
function checkNsFds(req: RunRequest): void {
  const s = bwrapState(req);
  const f = s.nsFds;
  if (f.userns && s.ns.user === true) throw usageError("--userns is not compatible with --unshare-user (or --unshare-all): the namespace already exists");
  if (f.usernsBlock && s.ns.user !== true) throw usageError("--userns-block-fd requires --unshare-user (or --unshare-all)");
  if (f.usernsBlock && !s.infoFd) throw usageError("--userns-block-fd requires --info-fd (which tells the outside process whose maps to write)");
  if (f.usernsBlock && s.disableUserns) throw usageError("--disable-userns is not compatible with --userns-block-fd");
  if (f.pidns && s.ns.pid === true) throw usageError("--pidns with --unshare-pid (or --unshare-all) is not supported: nsjail-ts cannot nest a new PID namespace in the joined one");
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The part of `path` below `dir`, or undefined when `path` is not `dir` or under it. */
function below(path: string, dir: string): string | undefined {
  if (path === dir) return "";
  const prefix = dir === "/" ? "/" : `${dir}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

/**
 * Whether the directory `path` will exist inside a sandbox built from `mounts` on an empty root:
 * the last mount at or above it decides, and any mount below it creates it as a parent.
 * Symbolic links inside the sandbox are not followed, so a path through one counts as absent.
 */
export function dirExistsInside(path: string, mounts: readonly Mount[]): boolean {
  let exists = path === "/";
  for (const m of mounts) {
    if (m.type === "remount-ro" || m.type === "chmod") continue;
    const dst = m.type === "bind" ? (m.dst ?? m.src) : m.dst;
    if (m.type === "bind-fd") {
      if (below(dst, path) !== undefined) exists = true; // what the fd names is not known here: assume a directory
      continue;
    }
    if (below(dst, path) !== undefined && dst !== path) {
      exists = true; // parents of a mount point are created
      continue;
    }
    const rest = below(path, dst);
    if (rest === undefined) continue;
    switch (m.type) {
      case "bind":
        exists = isDir(posix.join(m.src, rest));
        break;
      case "overlay":
        exists = m.lower.some((l) => isDir(posix.join(l, rest))) || (m.upper !== undefined && isDir(posix.join(m.upper, rest)));
        break;
      case "dir":
        if (rest === "") exists = true;
        break;
      case "file":
      case "symlink":
        if (rest === "") exists = false;
        break;
      default:
        exists = rest === ""; // a fresh tmpfs, proc, dev or mqueue
    }
  }
  return exists;
}

/** The mounts the flags added, in order (in bwrap mode these are all the mounts there are). */
function flagMounts(req: RunRequest): Mount[] {
  return req.layers.flatMap((l) => l.policy.mounts ?? []);
}

/** The variable's value as the command will see it, after the environment flags. */
function envAfterFlags(req: RunRequest, name: string): string | undefined {
  const env = bwrapState(req).env;
  if (env?.set?.[name] !== undefined) return env.set[name];
  if (env?.clear || env?.unset?.includes(name)) return undefined;
  return process.env[name];
}

/** bwrap's working directory, decided from the flags' mounts. */
export function bwrapCwd(req: RunRequest, callerCwd: string = process.cwd()): string {
  const chdir = bwrapState(req).chdir;
  if (chdir !== undefined) return chdir;
  const mounts = flagMounts(req);
  if (dirExistsInside(callerCwd, mounts)) return callerCwd;
  const home = envAfterFlags(req, "HOME");
  if (home?.startsWith("/") && dirExistsInside(posix.normalize(home), mounts)) return posix.normalize(home);
  return "/";
}

export interface CallerIds {
  uid: number;
  gid: number;
}

/**
 * What bwrap mode starts from, to be applied before the flags' layers over an empty policy:
 * nothing mounted, only the user and mount namespaces new, the caller mapped to itself, no seccomp
 * filter, no capabilities, and the caller's environment.
 */
export function bwrapBase(ids: CallerIds = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }): Policy {
  return {
    namespaces: { user: true, mount: true, pid: false, ipc: false, uts: false, net: false, cgroup: false },
    uid: ids.uid,
    gid: ids.gid,
    seccomp: { preset: "none" },
    capabilities: { keep: [] },
    newSession: false,
    dieWithParent: false,
  };
}

/**
 * The last layer of bwrap mode: the working directory and PWD, which bwrap sets after every other flag,
 * and, for --unshare-uts without --hostname, the host's hostname, which a new UTS namespace keeps.
 */
export function bwrapCwdLayer(req: RunRequest, callerCwd: string = process.cwd()): Policy {
  const cwd = bwrapCwd(req, callerCwd);
  const s = bwrapState(req);
  const keepHostname = s.ns.uts === true && s.hostname === undefined;
  return { cwd, env: { set: { PWD: cwd } }, ...(keepHostname ? { hostname: hostHostname() } : {}) };
}

/** Every layer of a bwrap-mode request, to apply over an empty policy: the start, the flags, the working directory. */
export function bwrapLayers(req: RunRequest, ids?: CallerIds, callerCwd?: string): PolicyLayer[] {
  finishBwrapFlags(req);
  return [
    { policy: bwrapBase(ids), label: "bwrap mode (an empty start)" },
    ...req.layers,
    { policy: bwrapCwdLayer(req, callerCwd), label: "bwrap mode (working directory)" },
  ];
}
