// The manifest: what a compiled plan depended on, recorded in the plan (OP_MANIFEST) so the front end
// (helper-c/manifest.c, which documents the records) can tell a still-valid cached plan from a stale one.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { op, OpType, type Op } from "../plan/ops.js";

/** Files changed this close to the start of compilation are not trusted: a coarse clock tick is far below it. */
const SETTLE_NS = 20_000_000n;

export interface ManifestInputs {
  /** Files the compiler read (policies, presets, seccomp profiles). */
  files: readonly string[];
  /** Paths whose absence the compiler relied on. */
  absent: readonly string[];
  /** Environment variables the compiler read, with the values it saw (undefined: unset). */
  env: Record<string, string | undefined>;
  uid: number;
  gid: number;
  cwd: string;
  helper: string;
  compiler: string;
  /** Wall-clock time (ns) when compilation started. */
  startedNs: bigint;
}

/** The records, or the reason the plan must not be cached (a dependency changed while it was compiled). */
export type ManifestResult = { ok: true; records: string[] } | { ok: false; why: string };

function fileRecord(path: string, startedNs: bigint): string | { why: string } {
  try {
    const before = statSync(path, { bigint: true });
    const hash = createHash("sha256").update(readFileSync(path)).digest("hex");
    const after = statSync(path, { bigint: true });
    const same = before.ctimeNs === after.ctimeNs && before.ino === after.ino && before.size === after.size;
    if (!same || after.ctimeNs > startedNs - SETTLE_NS || after.mtimeNs > startedNs - SETTLE_NS) {
      return { why: `${path} changed while the plan was compiled` };
    }
    return `file ${after.dev} ${after.ino} ${after.size} ${after.mtimeNs} ${after.ctimeNs} ${hash} ${path}`;
  } catch (e) {
    return { why: `${path}: ${(e as Error).message}` };
  }
}

export function manifestRecords(m: ManifestInputs): ManifestResult {
  const records = [`compiler ${m.compiler}`, `helper ${m.helper}`, `uid ${m.uid}`, `gid ${m.gid}`, `cwd ${m.cwd}`, `time ${m.startedNs}`];
  for (const file of [...new Set(m.files.map((f) => resolve(f)))]) {
    const r = fileRecord(file, m.startedNs);
    if (typeof r !== "string") return { ok: false, why: r.why };
    records.push(r);
  }
  for (const path of [...new Set(m.absent.map((p) => resolve(p)))]) {
    if (existsSync(path)) return { ok: false, why: `${path} appeared while the plan was compiled` };
    records.push(`absent ${path}`);
  }
  for (const [name, value] of Object.entries(m.env).sort(([a], [b]) => (a < b ? -1 : 1))) {
    records.push(value === undefined ? `noenv ${name}` : `env ${name}=${value}`);
  }
  return { ok: true, records };
}

/** The plan's ops with the manifest op placed just before the final exec op. */
export function withManifest(ops: readonly Op[], records: string[]): Op[] {
  const manifest = op(OpType.Manifest, "manifest", records);
  const last = ops.length - 1;
  return ops[last]?.type === OpType.Exec ? [...ops.slice(0, last), manifest, ops[last]!] : [...ops, manifest];
}
