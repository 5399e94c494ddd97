// Composition of policies (extends, command-line layers): the later layer wins, by documented rules.
// mounts append (base first); seccomp is replaced whole; other objects merge key by key;
// scalars and every other array replace. Nodes keep their origins, so the merged policy still
// knows where each value was written.

import type { JsonNode, ObjectEntry, ObjectNode } from "./json-node.js";

/** Keys whose value is replaced as a whole even though it is an object. */
const REPLACED_WHOLE = new Set(["seccomp"]);
/** Keys whose arrays are concatenated instead of replaced. */
const APPENDED = new Set(["mounts"]);

function mergeEntry(key: string, base: ObjectEntry, layer: ObjectEntry, depth: number): ObjectEntry {
  const b = base.node;
  const l = layer.node;
  if (depth === 0 && APPENDED.has(key) && b.kind === "array" && l.kind === "array") {
    return { keyAt: layer.keyAt, node: { kind: "array", items: [...b.items, ...l.items], at: l.at } };
  }
  if (!(depth === 0 && REPLACED_WHOLE.has(key)) && b.kind === "object" && l.kind === "object") {
    return { keyAt: layer.keyAt, node: mergeObjects(b, l, depth + 1) };
  }
  return layer;
}

/** `layer` applied over `base`; neither input is modified. */
export function mergeObjects(base: ObjectNode, layer: ObjectNode, depth = 0): ObjectNode {
  const entries = new Map(base.entries);
  for (const [key, entry] of layer.entries) {
    const earlier = entries.get(key);
    entries.set(key, earlier ? mergeEntry(key, earlier, entry, depth) : entry);
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
