// What bubblewrap-style flags carry from one flag to the next (--perms, --size, --overlay-src, the
// running environment and capability sets), and the value checks they share.

import { fstatSync, readFileSync } from "node:fs";
import { isAbsolute, posix, resolve } from "node:path";
import { usageError } from "../../errors.js";
import type { Policy } from "../../policy/types.js";
import { addLayer, type FlagSpec, type RunRequest } from "./types.js";

/** Per-request state of the bwrap flags; kept beside the request so RunRequest stays plain data. */
export interface BwrapState {
  /** --perms waiting for the flag it modifies, and the flag that set it. */
  perms?: number;
  /** --size waiting for the --tmpfs it modifies. */
  size?: number;
  /** --overlay-src directories waiting for an --overlay, --tmp-overlay or --ro-overlay (bottom first). */
  overlaySrc: string[];
  /** The single environment layer, changed in place: bwrap applies --setenv/--unsetenv/--clearenv in order. */
  env?: NonNullable<Policy["env"]>;
  /** The single capabilities layer in bwrap mode: --cap-add/--cap-drop in order, starting from none. */
  caps?: string[];
  /** Outside bwrap mode, the same flags as edits of the policy's own list, applied in order. */
  capEdits?: { add: boolean; names: string[] }[];
  /** Namespaces the flags turned on or off, last one wins. */
  ns: Partial<Record<string, boolean>>;
  hostname?: string;
  chdir?: string;
  /** The single layer of --add-seccomp-fd programs, and whether --seccomp was given (bwrap refuses both). */
  addedSeccomp?: string[];
  seccompFd?: boolean;
  /** The single layer of --lock-file paths. */
  lockFiles?: string[];
  asPid1?: boolean;
  disableUserns?: boolean;
  /** Which namespace fds were given (--userns, --userns2, --pidns, --userns-block-fd), and whether --info-fd was. */
  nsFds: { userns?: boolean; userns2?: boolean; pidns?: boolean; usernsBlock?: boolean };
  infoFd?: boolean;
  /** Set once finishBwrapFlags has run, so calling it twice is harmless. */
  finished: boolean;
}

const states = new WeakMap<RunRequest, BwrapState>();

export function bwrapState(req: RunRequest): BwrapState {
  let s = states.get(req);
  if (!s) {
    s = { overlaySrc: [], ns: {}, nsFds: {}, finished: false };
    states.set(req, s);
  }
  return s;
}

/** What a flag may consume of the pending modifiers. */
export interface Consumes {
  perms?: boolean;
  size?: boolean;
  overlaySrc?: boolean;
}

/** A pending --perms/--size/--overlay-src that the flag now applied cannot take is a usage error, as in bwrap. */
function checkPending(req: RunRequest, flag: string, takes: Consumes): void {
  const s = bwrapState(req);
  if (s.perms !== undefined && !takes.perms) throw usageError(`--perms must be followed by an option that creates a file (--tmpfs, --dir, --file, --bind-data, --ro-bind-data), not ${flag}`);
  if (s.size !== undefined && !takes.size) throw usageError(`--size must be followed by --tmpfs, not ${flag}`);
  if (s.overlaySrc.length > 0 && !takes.overlaySrc) throw usageError(`--overlay-src must be followed by --overlay, --tmp-overlay or --ro-overlay, not ${flag}`);
}

/** A flag table entry whose apply first checks the pending modifiers. */
export function bwrapFlag(spec: FlagSpec & { consumes?: Consumes }): FlagSpec {
  const { consumes = {}, apply, ...rest } = spec;
  const name = spec.names[0]!;
  return { ...rest, apply: (req, values) => (checkPending(req, name, consumes), apply(req, values)) };
}

/** A flag that has no mechanism in nsjail-ts: a usage error that names it and says why. */
export function unsupported(names: string[], arity: number, values: string | undefined, help: string, why: string): FlagSpec {
  return {
    names,
    arity,
    ...(values ? { values } : {}),
    help: `${help} (not supported: ${why})`,
    apply: () => {
      throw usageError(`${names[0]} is not supported: ${why}`);
    },
  };
}

/** Add a fragment labelled with the flag and its values, so `explain` can say which flag did what. */
export function layer(req: RunRequest, flag: string, values: string[], policy: Policy): void {
  const shown = values.map((v) => (/^[\w@%+=:,./-]+$/.test(v) ? v : JSON.stringify(v))).join(" ");
  addLayer(req, shown ? `${flag} ${shown}` : flag, policy);
}

/** A non-negative integer such as a uid or gid, checked the way bwrap checks it. */
export function wholeNumber(flag: string, what: string, value: string, max = 0xfffffffe): number {
  if (!/^\d+$/.test(value) || Number(value) > max) throw usageError(`${flag}: invalid ${what} ${JSON.stringify(value)} (expected a number from 0 to ${max})`);
  return Number(value);
}

/** An octal mode <= 07777. */
export function octalMode(flag: string, value: string): number {
  if (!/^[0-7]{1,5}$/.test(value) || parseInt(value, 8) > 0o7777) throw usageError(`${flag} takes an octal mode <= 07777, got ${JSON.stringify(value)}`);
  return parseInt(value, 8);
}

/** An inherited file descriptor number. */
export function fdNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0x7fffffff) throw usageError(`${flag}: invalid file descriptor ${JSON.stringify(value)}`);
  return Number(value);
}

/** An inherited fd that is open now: the sandbox uses it later, so a typo must fail here. */
export function openFd(flag: string, value: string): number {
  const fd = fdNumber(flag, value);
  try {
    fstatSync(fd);
  } catch {
    throw usageError(`${flag}: file descriptor ${fd} is not open`);
  }
  return fd;
}

/** bwrap --level-prefix: nsjail-ts's own lines then start with a syslog level (set while parsing, so it covers later usage errors too). */
const diagnostics = { levelPrefix: false };
export function setLevelPrefix(): void {
  diagnostics.levelPrefix = true;
}
/** "<3>" for an error, "<4>" for a warning, or "" without --level-prefix. */
export function levelTag(level: 3 | 4): string {
  return diagnostics.levelPrefix ? `<${level}>` : "";
}

/** Everything readable from an inherited fd, as bwrap reads it at setup; a bad fd is a usage error. */
export function readFd(flag: string, value: string): Buffer {
  const fd = fdNumber(flag, value);
  try {
    return readFileSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EBADF" ? "it is not open" : code === "EISDIR" ? "it is a directory" : (e as Error).message;
    throw usageError(`${flag}: cannot read file descriptor ${fd}: ${why}`);
  }
}

/** A destination inside the sandbox: bwrap takes DEST relative to the new root, so "etc/x" is "/etc/x". */
export function destination(flag: string, value: string): string {
  if (value === "") throw usageError(`${flag}: the destination must not be empty`);
  if (value.split("/").includes("..")) throw usageError(`${flag}: the destination ${JSON.stringify(value)} must not contain ".."`);
  return posix.normalize(value.startsWith("/") ? value : `/${value}`).replace(/(.)\/$/, "$1");
}

/** A host path: bwrap resolves a relative SRC against the current directory. */
export function hostPath(flag: string, value: string): string {
  if (value === "") throw usageError(`${flag}: the source path must not be empty`);
  return isAbsolute(value) ? posix.normalize(value) : resolve(process.cwd(), value);
}

/** An environment variable name that setenv(3) accepts and a policy can hold. */
export function envName(flag: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw usageError(`${flag}: invalid environment variable name ${JSON.stringify(value)}`);
  return value;
}
