// The parsed form of a policy file: JSON values that remember where each one was written.

/** Where a value (or key) was written: file, JSON pointer inside that file, 1-based line and column. */
export interface Origin {
  file: string;
  pointer: string;
  line: number;
  column: number;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ScalarNode {
  kind: "scalar";
  value: null | boolean | number | string;
  at: Origin;
}
export interface ArrayNode {
  kind: "array";
  items: JsonNode[];
  at: Origin;
}
/** `keyAt` is where the key itself was written (unknown-key errors point there). */
export interface ObjectEntry {
  keyAt: Origin;
  node: JsonNode;
}
export interface ObjectNode {
  kind: "object";
  entries: Map<string, ObjectEntry>;
  at: Origin;
}
export type JsonNode = ScalarNode | ArrayNode | ObjectNode;

/** RFC 6901 escaping of one reference token. */
export const escapePointerToken = (token: string): string => token.replace(/~/g, "~0").replace(/\//g, "~1");
export const unescapePointerToken = (token: string): string => token.replace(/~1/g, "/").replace(/~0/g, "~");

export const childPointer = (parent: string, token: string | number): string =>
  `${parent}/${escapePointerToken(String(token))}`;

/** The plain JSON value; own properties are defined (not assigned) so a "__proto__" key stays data. */
export function toPlain(node: JsonNode): JsonValue {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "array") return node.items.map(toPlain);
  const out: { [key: string]: JsonValue } = {};
  for (const [key, entry] of node.entries) {
    Object.defineProperty(out, key, { value: toPlain(entry.node), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Every pointer of the tree (relative to `base`) mapped to where it was written. */
export function collectOrigins(node: JsonNode, base = "", into = new Map<string, Origin>()): Map<string, Origin> {
  into.set(base, node.at);
  if (node.kind === "array") node.items.forEach((item, i) => collectOrigins(item, childPointer(base, i), into));
  if (node.kind === "object") for (const [key, entry] of node.entries) collectOrigins(entry.node, childPointer(base, key), into);
  return into;
}

/** The node at a pointer of this tree, or undefined; `key` selects the key position of an object entry. */
export function nodeAt(root: JsonNode, pointer: string): { node: JsonNode; keyAt?: Origin } | undefined {
  if (pointer === "") return { node: root };
  let node: JsonNode = root;
  let keyAt: Origin | undefined;
  for (const raw of pointer.slice(1).split("/")) {
    const token = unescapePointerToken(raw);
    if (node.kind === "object") {
      const entry = node.entries.get(token);
      if (!entry) return undefined;
      node = entry.node;
      keyAt = entry.keyAt;
    } else if (node.kind === "array" && /^(0|[1-9][0-9]*)$/.test(token)) {
      const item = node.items[Number(token)];
      if (!item) return undefined;
      node = item;
      keyAt = undefined;
    } else {
      return undefined;
    }
  }
  return keyAt ? { node, keyAt } : { node };
}

/** A string for a one-line message: quoted, escaped, and cut to a readable length. */
export function quote(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 3)}...` : text);
}

/** A JSON pointer for a one-line message: control characters escaped, long tokens cut. */
export function showPointer(pointer: string): string {
  return pointer
    .split("/")
    .map((token) => JSON.stringify(token.length > 40 ? `${token.slice(0, 37)}...` : token).slice(1, -1))
    .join("/");
}

/** Display name of a JSON value's type for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return String(value);
}
