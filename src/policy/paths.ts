// Path rules of a merged policy (after variables): destinations and cwd are absolute and normalised
// with no ".." (a ".." inside the new root could climb out of what the policy meant to build);
// bind dst defaults to src; a mount exactly on an earlier destination is a warning, and an error
// when a writable mount hides a read-only one (a read-only promise silently broken).

import { posix } from "node:path";
import { policyError } from "../errors.js";
import type { JsonNode, ObjectNode, Origin, ScalarNode } from "./json-node.js";
import { formatOrigin, whereOf } from "./origin.js";

function fail(at: Origin, message: string): never {
  throw policyError(message, whereOf(at));
}

/** "/a//b/./c/" -> "/a/b/c"; ".." is refused rather than resolved. */
export function normaliseDestination(path: string, at: Origin, what: string): string {
  if (!path.startsWith("/")) fail(at, `${what} must be an absolute path, got ${JSON.stringify(path)}`);
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) fail(at, `${what} must not contain "..", got ${JSON.stringify(path)}`);
  return `/${parts.join("/")}`;
}

/** Host paths may contain ".." (they name what the caller can already reach); they are resolved. */
export function normaliseHostPath(path: string, at: Origin, what: string): string {
  if (!path.startsWith("/")) fail(at, `${what} must be an absolute path, got ${JSON.stringify(path)} (write "\${PWD}/${path}" for a path under the current directory)`);
  const out = posix.normalize(path);
  return out.length > 1 && out.endsWith("/") ? out.slice(0, -1) : out;
}

function scalar(obj: ObjectNode, key: string): ScalarNode | undefined {
  const node = obj.entries.get(key)?.node;
  return node?.kind === "scalar" ? node : undefined;
}

function setString(obj: ObjectNode, key: string, value: string, like: ScalarNode): void {
  const entry = obj.entries.get(key);
  obj.entries.set(key, { keyAt: entry?.keyAt ?? like.at, node: { ...like, value } });
}

const flag = (m: ObjectNode, key: string): boolean => scalar(m, key)?.value === true;

interface Covering {
  kind: string;
  at: Origin;
  readOnly: boolean;
}

/** Does this mount keep the command from writing at its destination? */
function isReadOnly(kind: string, m: ObjectNode): boolean {
  if (kind === "bind" || kind === "bind-fd") return !flag(m, "rw");
  if (kind === "tmpfs" || kind === "file") return flag(m, "ro");
  if (kind === "overlay") return !m.entries.has("upper") && !flag(m, "tmp");
  return false;
}

function isWritable(kind: string, m: ObjectNode): boolean {
  if (kind === "dev" || kind === "mqueue") return true;
  if (kind === "bind" || kind === "bind-fd" || kind === "tmpfs" || kind === "file" || kind === "overlay") return !isReadOnly(kind, m);
  return false;
}

function describeMount(kind: string): string {
  return kind === "bind" || kind === "bind-fd" || kind === "overlay" || kind === "tmpfs" ? `${kind} mount` : `${kind} entry`;
}

/** Normalise the paths of one mount in place (it is a private copy). */
function normaliseMount(m: ObjectNode, kind: string): void {
  const src = scalar(m, "src");
  if (kind === "bind" && src && typeof src.value === "string") {
    setString(m, "src", normaliseHostPath(src.value, src.at, "bind src"), src);
    if (!m.entries.has("dst")) setString(m, "dst", scalar(m, "src")?.value as string, src);
  }
  const dst = scalar(m, "dst");
  if (dst && typeof dst.value === "string") setString(m, "dst", normaliseDestination(dst.value, dst.at, `${kind} dst`), dst);
  for (const key of ["upper", "work"]) {
    const node = scalar(m, key);
    if (node && typeof node.value === "string") setString(m, key, normaliseHostPath(node.value, node.at, `overlay ${key}`), node);
  }
  const lower = m.entries.get("lower");
  if (lower?.node.kind === "array") {
    const items = lower.node.items.map((item) =>
      item.kind === "scalar" && typeof item.value === "string" ? { ...item, value: normaliseHostPath(item.value, item.at, "overlay lower") } : item,
    );
    m.entries.set("lower", { keyAt: lower.keyAt, node: { ...lower.node, items } });
  }
  if (kind === "overlay" && flag(m, "tmp") && m.entries.has("upper")) {
    fail(m.entries.get("upper")?.keyAt ?? m.at, 'an overlay with "tmp": true writes to a tmpfs; it cannot also have "upper" and "work"');
  }
}

/** Check and normalise mounts; returns warnings. Mounts are copied before being changed. */
function checkMounts(policy: ObjectNode, warnings: string[]): void {
  const entry = policy.entries.get("mounts");
  if (entry?.node.kind !== "array") return;
  const byDst = new Map<string, Covering>();
  const items: JsonNode[] = [];
  for (const item of entry.node.items) {
    if (item.kind !== "object") {
      items.push(item);
      continue;
    }
    const m: ObjectNode = { ...item, entries: new Map(item.entries) };
    items.push(m);
    const kind = String(scalar(m, "type")?.value);
    normaliseMount(m, kind);
    const dst = scalar(m, "dst")?.value;
    if (typeof dst !== "string") continue;
    const earlier = byDst.get(dst);
    if (kind === "remount-ro") {
      if (earlier) earlier.readOnly = true;
      continue;
    }
    if (kind === "dir" || kind === "chmod") continue; // over an existing mount these change no mount
    if (earlier) {
      const what = `${describeMount(kind)} on ${JSON.stringify(dst)}`;
      const hidden = `the ${earlier.readOnly ? "read-only " : ""}${describeMount(earlier.kind)} at ${formatOrigin(earlier.at)}`;
      if (earlier.readOnly && isWritable(kind, m)) {
        fail(m.at, `writable ${what} hides ${hidden}; remove one of them or make this one read-only`);
      }
      warnings.push(`${formatOrigin(m.at)}: ${what} covers ${hidden}, which is no longer visible`);
    }
    byDst.set(dst, { kind, at: m.at, readOnly: isReadOnly(kind, m) });
  }
  policy.entries.set("mounts", { keyAt: entry.keyAt, node: { ...entry.node, items } });
}

/** The merged policy with paths checked and normalised, plus warnings (one line each). */
export function finalisePaths(merged: ObjectNode): { tree: ObjectNode; warnings: string[] } {
  const tree: ObjectNode = { ...merged, entries: new Map(merged.entries) };
  const warnings: string[] = [];
  const cwd = scalar(tree, "cwd");
  if (cwd && typeof cwd.value === "string") setString(tree, "cwd", normaliseDestination(cwd.value, cwd.at, "cwd"), cwd);
  const root = scalar(tree, "root");
  if (root && typeof root.value === "string") setString(tree, "root", normaliseHostPath(root.value, root.at, "root"), root);
  checkMounts(tree, warnings);
  return { tree, warnings };
}
