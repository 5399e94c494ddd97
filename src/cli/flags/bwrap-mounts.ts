// bubblewrap's filesystem flags: each appends one mount to the policy's, in command-line order;
// --perms and --size modify the next flag only, and --overlay-src collects layers for the next overlay.

import { usageError } from "../../errors.js";
import type { Mount } from "../../policy/types.js";
import type { FlagSpec, RunRequest } from "./types.js";
import { bwrapFlag, bwrapState, destination, hostPath, layer, octalMode, openFd, readFd } from "./bwrap-state.js";

function addMount(req: RunRequest, flag: string, values: string[], mount: Mount): void {
  layer(req, flag, values, { mounts: [mount] });
}

/** The pending --perms (cleared: it applies to one flag only), or the flag's own default. */
function takePerms(req: RunRequest, fallback: number): string {
  const s = bwrapState(req);
  const mode = s.perms ?? fallback;
  delete s.perms;
  return `0${mode.toString(8).padStart(3, "0")}`;
}

function bind(name: string, opts: { rw?: boolean; dev?: boolean; optional?: boolean }, help: string): FlagSpec {
  return bwrapFlag({
    names: [name],
    arity: 2,
    values: "SRC DEST",
    help,
    apply: (r, [src, dst]) => {
      const m: Mount = { type: "bind", src: hostPath(name, src!), dst: destination(name, dst!) };
      if (opts.rw) m.rw = true;
      if (opts.dev) m.dev = true;
      if (opts.optional) m.optional = true;
      addMount(r, name, [src!, dst!], m);
    },
  });
}

/** Content read from an fd for a `file` mount: policies hold text, so bytes that are not UTF-8 are refused. */
function fdText(flag: string, fd: string): string {
  const bytes = readFd(flag, fd);
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) throw usageError(`${flag}: the data on file descriptor ${fd} is not UTF-8 text, which a file mount cannot hold yet`);
  return text;
}

function fileFromFd(name: string, defaultMode: number, ro: boolean, help: string): FlagSpec {
  return bwrapFlag({
    names: [name],
    arity: 2,
    values: "FD DEST",
    help,
    consumes: { perms: true },
    apply: (r, [fd, dst]) => {
      const content = fdText(name, fd!);
      const m: Mount = { type: "file", dst: destination(name, dst!), content, mode: takePerms(r, defaultMode) };
      if (ro) m.ro = true;
      addMount(r, name, [fd!, dst!], m);
    },
  });
}

/** bwrap --bind-fd/--ro-bind-fd: what the caller opened; the helper checks it is still what the path names. */
function bindFd(name: string, rw: boolean, help: string): FlagSpec {
  return bwrapFlag({
    names: [name],
    arity: 2,
    values: "FD DEST",
    help,
    apply: (r, [fd, dst]) => {
      const m: Mount = { type: "bind-fd", fd: openFd(name, fd!), dst: destination(name, dst!) };
      if (rw) m.rw = true;
      addMount(r, name, [fd!, dst!], m);
    },
  });
}

function simple(name: string, type: "proc" | "dev" | "mqueue" | "remount-ro", help: string): FlagSpec {
  return bwrapFlag({
    names: [name],
    arity: 1,
    values: "DEST",
    help,
    apply: (r, [dst]) => addMount(r, name, [dst!], { type, dst: destination(name, dst!) }),
  });
}

/** The --overlay-src layers collected so far, top first as the policy lists them; clears them. */
function takeLowers(req: RunRequest, flag: string, min: number): string[] {
  const s = bwrapState(req);
  if (s.overlaySrc.length < min) throw usageError(`${flag} needs at least ${min === 1 ? "one" : "two"} --overlay-src before it`);
  const lower = [...s.overlaySrc].reverse();
  s.overlaySrc = [];
  return lower;
}

export const BWRAP_MOUNT_FLAGS: FlagSpec[] = [
  bind("--bind", { rw: true }, "bind the host path SRC read-write on DEST"),
  bind("--bind-try", { rw: true, optional: true }, "as --bind, skipped when SRC does not exist"),
  bind("--dev-bind", { rw: true, dev: true }, "bind SRC on DEST read-write, device nodes usable"),
  bind("--dev-bind-try", { rw: true, dev: true, optional: true }, "as --dev-bind, skipped when SRC does not exist"),
  bind("--ro-bind", {}, "bind the host path SRC read-only on DEST"),
  bind("--ro-bind-try", { optional: true }, "as --ro-bind, skipped when SRC does not exist"),
  bindFd("--bind-fd", true, "bind the directory or file open as FD read-write on DEST"),
  bindFd("--ro-bind-fd", false, "bind the directory or file open as FD read-only on DEST"),
  bwrapFlag({
    names: ["--chmod"],
    arity: 2,
    values: "OCTAL PATH",
    help: "change the mode of PATH, which must exist inside by then",
    apply: (r, [mode, path]) => {
      const m: Mount = { type: "chmod", dst: destination("--chmod", path!), mode: `0${octalMode("--chmod", mode!).toString(8).padStart(3, "0")}` };
      addMount(r, "--chmod", [mode!, path!], m);
    },
  }),
  simple("--remount-ro", "remount-ro", "make the mount at DEST read-only (that mount only, not those below it)"),
  simple("--proc", "proc", "mount a procfs for the sandbox's PID namespace on DEST"),
  simple("--dev", "dev", "mount a minimal /dev (null, zero, full, random, urandom, tty, pts, shm) on DEST"),
  simple("--mqueue", "mqueue", "mount a POSIX message queue filesystem on DEST"),
  bwrapFlag({
    names: ["--tmpfs"],
    arity: 1,
    values: "DEST",
    help: "mount an empty tmpfs on DEST (mode 0755 unless --perms, size unlimited unless --size)",
    consumes: { perms: true, size: true },
    apply: (r, [dst]) => {
      const s = bwrapState(r);
      const m: Mount = { type: "tmpfs", dst: destination("--tmpfs", dst!), mode: takePerms(r, 0o755) };
      if (s.size !== undefined) m.size = s.size;
      delete s.size;
      addMount(r, "--tmpfs", [dst!], m);
    },
  }),
  bwrapFlag({
    names: ["--dir"],
    arity: 1,
    values: "DEST",
    help: "create the directory DEST (mode 0755 unless --perms; an existing one keeps its mode)",
    consumes: { perms: true },
    apply: (r, [dst]) => addMount(r, "--dir", [dst!], { type: "dir", dst: destination("--dir", dst!), mode: takePerms(r, 0o755) }),
  }),
  bwrapFlag({
    names: ["--symlink"],
    arity: 2,
    values: "TARGET DEST",
    help: "create the symbolic link DEST pointing to TARGET",
    apply: (r, [target, dst]) => {
      if (target === "") throw usageError("--symlink: the link target must not be empty");
      addMount(r, "--symlink", [target!, dst!], { type: "symlink", target: target!, dst: destination("--symlink", dst!) });
    },
  }),
  fileFromFd("--file", 0o666, false, "copy what file descriptor FD holds into a new file DEST (mode 0666 unless --perms)"),
  fileFromFd("--bind-data", 0o600, false, "as --file, mode 0600 unless --perms"),
  fileFromFd("--ro-bind-data", 0o600, true, "as --bind-data, and DEST is read-only"),
  bwrapFlag({
    names: ["--perms"],
    arity: 1,
    values: "OCTAL",
    help: "the mode for the next --tmpfs, --dir, --file, --bind-data or --ro-bind-data only",
    consumes: { perms: true, size: true },
    apply: (r, [v]) => {
      const s = bwrapState(r);
      if (s.perms !== undefined) throw usageError("--perms given twice for the same action");
      s.perms = octalMode("--perms", v!);
    },
  }),
  bwrapFlag({
    names: ["--size"],
    arity: 1,
    values: "BYTES",
    help: "the size limit of the next --tmpfs only, in bytes",
    consumes: { perms: true, size: true },
    apply: (r, [v]) => {
      const s = bwrapState(r);
      if (s.size !== undefined) throw usageError("--size given twice for the same action");
      if (!/^\d+$/.test(v!) || Number(v) === 0 || !Number.isSafeInteger(Number(v))) throw usageError(`--size takes a non-zero number of bytes, got ${JSON.stringify(v)}`);
      s.size = Number(v);
    },
  }),
  bwrapFlag({
    names: ["--overlay-src"],
    arity: 1,
    values: "SRC",
    help: "a lower layer for the next overlay flag; repeatable, the first given is the bottom layer",
    consumes: { overlaySrc: true },
    apply: (r, [src]) => void bwrapState(r).overlaySrc.push(hostPath("--overlay-src", src!)),
  }),
  bwrapFlag({
    names: ["--overlay"],
    arity: 3,
    values: "RWSRC WORKDIR DEST",
    help: "overlayfs of the --overlay-src layers on DEST, writes going to RWSRC (WORKDIR: an empty directory on the same filesystem)",
    consumes: { overlaySrc: true },
    apply: (r, [upper, work, dst]) => {
      const lower = takeLowers(r, "--overlay", 1);
      const m: Mount = { type: "overlay", dst: destination("--overlay", dst!), lower, upper: hostPath("--overlay", upper!), work: hostPath("--overlay", work!) };
      addMount(r, "--overlay", [upper!, work!, dst!], m);
    },
  }),
  bwrapFlag({
    names: ["--tmp-overlay"],
    arity: 1,
    values: "DEST",
    help: "overlayfs of the --overlay-src layers on DEST, writes going to a throwaway tmpfs",
    consumes: { overlaySrc: true },
    apply: (r, [dst]) => addMount(r, "--tmp-overlay", [dst!], { type: "overlay", dst: destination("--tmp-overlay", dst!), lower: takeLowers(r, "--tmp-overlay", 1), tmp: true }),
  }),
  bwrapFlag({
    names: ["--ro-overlay"],
    arity: 1,
    values: "DEST",
    help: "read-only overlayfs of two or more --overlay-src layers on DEST",
    consumes: { overlaySrc: true },
    apply: (r, [dst]) => addMount(r, "--ro-overlay", [dst!], { type: "overlay", dst: destination("--ro-overlay", dst!), lower: takeLowers(r, "--ro-overlay", 2) }),
  }),
];
