// Composition of policies (extends, command-line layers): the later layer wins, by documented rules.
// mounts and env.unset append (base first); seccomp is replaced whole; other objects merge key by key;
// scalars and every other array replace. Nodes keep their origins, so the merged policy still
// knows where each value was written.

import type { JsonNode, ObjectEntry, ObjectNode } from "./json-node.js";

/** Keys whose value is replaced as a whole even though it is an object. */
const REPLACED_WHOLE = new Set(["seccomp"]);
/**
 * Arrays (by their path) concatenated instead of replaced, and whether each value is kept once. env.unset
 * is one: a later layer that unsets one variable (say --unsetenv FOO) must not bring back the ones an
 * earlier layer removed; env.set, applied after unset, still gives a variable back.
 */
const APPENDED = new Map([
  ["mounts", { once: false }],
  ["env.unset", { once: true }],
]);

function mergeEntry(path: string, base: ObjectEntry, layer: ObjectEntry): ObjectEntry {
  const b = base.node;
  const l = layer.node;
  const appended = APPENDED.get(path);
  if (appended && b.kind === "array" && l.kind === "array") {
    const seen = new Set<unknown>();
    const first = (n: JsonNode): boolean => n.kind !== "scalar" || (!seen.has(n.value) && seen.add(n.value) !== undefined);
    const items = [...b.items, ...l.items].filter((n) => !appended.once || first(n));
    return { keyAt: layer.keyAt, node: { kind: "array", items, at: l.at } };
  }
  if (!REPLACED_WHOLE.has(path) && b.kind === "object" && l.kind === "object") {
    return { keyAt: layer.keyAt, node: mergeObjects(b, l, `${path}.`) };
  }
  return layer;
}

/** `layer` applied over `base`; neither input is modified. `prefix`: the dotted path of these objects. */
export function mergeObjects(base: ObjectNode, layer: ObjectNode, prefix = ""): ObjectNode {
  const entries = new Map(base.entries);
  for (const [key, entry] of layer.entries) {
    const earlier = entries.get(key);
    entries.set(key, earlier ? mergeEntry(`${prefix}${key}`, earlier, entry) : entry);
  }
  return { kind: "object", entries, at: layer.at };
}

/** The same object without one top-level key. */
export function withoutKey(node: ObjectNode, key: string): ObjectNode {
  const entries = new Map(node.entries);
  entries.delete(key);
  return { ...node, entries };
}

/** An empty policy object, for starting a merge. */
export function emptyObject(at: JsonNode["at"]): ObjectNode {
  return { kind: "object", entries: new Map(), at };
}
