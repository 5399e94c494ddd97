// Named sandboxes: the per-user registry the outer helper process keeps an entry in while its sandbox runs.
//
// The helper creates, locks and removes the entries (helper-c/status.c), so a name works with no Node
// resident. An entry is the file NAME: line 1 is the helper's "started" status object, line 2 our info.
// An entry whose helper is gone (it was SIGKILLed) is stale: listed by nobody, and reused by the next taker.

import { lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NsjailError, ExitCode } from "../errors.js";

/** What the front end stores for ps and exec. */
export interface EntryInfo {
  command: string[];
  /** The sandbox's cgroup, if it has one: exec joins it too. */
  cgroup?: string;
  /** The command's final setup ops (ids, capabilities, seccomp, env...), as an encoded plan, base64. */
  tail: string;
}

export interface Entry {
  name: string;
  /** Host pid of the sandbox's init. */
  pid: number;
  /** Host pid of the outer helper process, whose namespaces and root exec enters. */
  helper: number;
  /** When the sandbox started, ms since the epoch. */
  timeMs: number;
  ns: Record<string, number>;
  info: EntryInfo;
}

function ownedDir(p: string, uid: number): boolean {
  try {
    const st = lstatSync(p);
    return st.isDirectory() && st.uid === uid;
  } catch {
    return false;
  }
}

/** $XDG_RUNTIME_DIR/nsjail-ts, else /run/user/UID/nsjail-ts, else a 0700 directory of ours in the temp dir. */
export function registryDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid!(), runUser = "/run/user"): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && ownedDir(xdg, uid)) return join(xdg, "nsjail-ts");
  const run = join(runUser, String(uid));
  if (ownedDir(run, uid)) return join(run, "nsjail-ts");
  return join(tmpdir(), `nsjail-ts-${uid}`);
}

/** Create the registry if needed; refuse one that is not ours alone (someone could plant entries). */
export function ensureRegistry(dir: string, uid = process.getuid!()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new NsjailError(ExitCode.Setup, `registry ${dir} must be a directory owned by uid ${uid} with mode 0700`);
  }
  return dir;
}

const statusField = (pid: number, key: string): string | undefined => {
  try {
    return new RegExp(`^${key}:\\s*(\\S+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
};

/** The entry's helper still runs, is ours, and is still init's parent (pids are reused). */
function alive(e: Entry, uid: number): boolean {
  return statusField(e.helper, "Uid") === String(uid) && statusField(e.pid, "PPid") === String(e.helper);
}

/** Parse one entry file; undefined when it is incomplete (being written) or not ours. */
export function parseEntry(name: string, text: string): Entry | undefined {
  const [first, second] = text.split("\n");
  try {
    const started = JSON.parse(first ?? "") as { event?: string; pid?: number; helper?: number; time_ms?: number; ns?: Record<string, number> };
    const info = JSON.parse(second ?? "") as EntryInfo;
    if (started.event !== "started" || !started.pid || !started.helper || !Array.isArray(info.command)) return undefined;
    return { name, pid: started.pid, helper: started.helper, timeMs: started.time_ms ?? 0, ns: started.ns ?? {}, info };
  } catch {
    return undefined;
  }
}

/** The caller's running named sandboxes, by name. */
export function listEntries(dir: string, uid = process.getuid!()): Entry[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: Entry[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), "utf8");
    } catch {
      continue; /* removed while we listed */
    }
    const e = parseEntry(name, text);
    if (e && alive(e, uid)) out.push(e);
  }
  return out;
}

export function findEntry(dir: string, name: string, uid = process.getuid!()): Entry {
  const e = listEntries(dir, uid).find((x) => x.name === name);
  if (!e) throw new NsjailError(ExitCode.Usage, `no running sandbox named "${name}" (see nsjail-ts ps)`);
  return e;
}
