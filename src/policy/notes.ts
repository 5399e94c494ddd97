// Notes for readers ("$comment" anywhere, "description" inside maps) are dropped from the resolved
// policy, so the compiler can treat every key of a map (rlimits, namespaces...) as meaningful.

import type { JsonNode, ObjectNode } from "./json-node.js";

/** Objects whose keys are all settings; a "description" there is a note (env.set is not one: its keys are variables). */
const MAPS = new Set(["/namespaces", "/env", "/limits", "/limits/rlimits", "/limits/cgroup", "/capabilities"]);

function strip(node: JsonNode, pointer: string): JsonNode {
  if (node.kind === "array") return { ...node, items: node.items.map((item, i) => strip(item, `${pointer}/${i}`)) };
  if (node.kind !== "object") return node;
  const entries: ObjectNode["entries"] = new Map();
  for (const [key, entry] of node.entries) {
    if (key === "$comment" || (key === "description" && MAPS.has(pointer))) continue;
    entries.set(key, { keyAt: entry.keyAt, node: strip(entry.node, `${pointer}/${key}`) });
  }
  return { ...node, entries };
}

/** The policy without reader notes; top-level and per-mount descriptions stay (explanations use them). */
export function withoutNotes(policy: ObjectNode): ObjectNode {
  return strip(policy, "") as ObjectNode;
}
