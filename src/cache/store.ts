// The per-user plan cache on disk: its directory, trusted only when private, and atomic plan writes.

import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** $XDG_CACHE_HOME/nsjail-ts, or ~/.cache/nsjail-ts; undefined without an absolute home (helper-c/cache.c agrees). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg?.startsWith("/")) return join(xdg, "nsjail-ts");
  const home = env.HOME;
  return home?.startsWith("/") ? join(home, ".cache", "nsjail-ts") : undefined;
}

/** Why `path` may not be trusted as a cache directory or plan (ours, and nobody else may write), or undefined. */
export function untrusted(path: string, kind: "directory" | "plan"): string | undefined {
  const st = lstatSync(path);
  const uid = process.getuid?.() ?? 0;
  if (kind === "directory" ? !st.isDirectory() : !st.isFile()) return `${path} is not a ${kind === "directory" ? "directory" : "regular file"}`;
  if (st.uid !== uid) return `${path} is owned by another user`;
  if (st.mode & 0o022) return `${path} is writable by group or others`;
  return undefined;
}

/** Create the cache directory (0700, parents too); the reason it cannot be used, or undefined. */
export function ensureCacheDir(dir: string): string | undefined {
  try {
    mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    return untrusted(dir, "directory");
  } catch (e) {
    return (e as Error).message;
  }
}

/** Write `data` to `path` so that readers see the old file or the whole new one: a private temp file, then rename. */
export function writeAtomic(path: string, data: Buffer, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "wx", mode);
  try {
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}

/** Remove every cached plan (and leftover temp file); returns how many files went. */
export function clearCache(dir: string): number {
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw e;
  }
  for (const name of names) {
    if (!/^[0-9a-f]{64}\.plan$/.test(name) && !/^\.[0-9a-f]{64}\.plan\.\d+\.tmp$/.test(name)) continue;
    rmSync(join(dir, name), { force: true });
    n++;
  }
  return n;
}
