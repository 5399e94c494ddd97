// A strict JSON (RFC 8259) parser that records the line:column of every value and key, so that
// every later error can name where it was written. Duplicate keys are an error, not last-wins.

import { policyError } from "../errors.js";
import { childPointer, quote, type ArrayNode, type JsonNode, type ObjectNode, type Origin } from "./json-node.js";

/** Nesting deeper than this is refused before it can exhaust the stack. */
const MAX_DEPTH = 200;

class Parser {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = this.lineStart = 1; // a UTF-8 byte order mark is not content
  }

  parseDocument(): JsonNode {
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail("expected a JSON value, got the end of the file (the file is empty)");
    const root = this.parseValue("", 0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`expected the end of the file after the top-level value, got ${this.shown()}`);
    return root;
  }

  private origin(pointer: string): Origin {
    return { file: this.file, pointer, line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private fail(message: string, at: Origin = this.origin("")): never {
    throw policyError(`invalid JSON: ${message}`, { file: at.file, line: at.line, column: at.column });
  }

  /** The character at the cursor, described for a message. */
  private shown(): string {
    if (this.pos >= this.text.length) return "the end of the file";
    const c = this.text[this.pos] as string;
    if (c === "\n") return "a line break";
    if (c < " ") return `control character U+${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    return JSON.stringify(c);
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === "\n") {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === " " || c === "\t" || c === "\r") {
        this.pos++;
      } else if (c === "/" && (this.text[this.pos + 1] === "/" || this.text[this.pos + 1] === "*")) {
        this.fail('comments are not JSON; write a "$comment" or "description" property instead');
      } else {
        return;
      }
    }
  }

  private parseValue(pointer: string, depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`values are nested more than ${MAX_DEPTH} deep`);
    const at = this.origin(pointer);
    const c = this.text[this.pos];
    if (c === "{") return this.parseObject(pointer, depth, at);
    if (c === "[") return this.parseArray(pointer, depth, at);
    if (c === '"') return { kind: "scalar", value: this.parseString(), at };
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return { kind: "scalar", value: this.parseNumber(), at };
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { kind: "scalar", value, at };
      }
    }
    if (c === "'") this.fail("expected a value, got \"'\" (JSON strings use double quotes)");
    return this.fail(`expected a value (object, array, string, number, true, false or null), got ${this.shown()}`);
  }

  private parseObject(pointer: string, depth: number, at: Origin): ObjectNode {
    const node: ObjectNode = { kind: "object", entries: new Map(), at };
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return node;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') {
        const hint = this.text[this.pos] === "}" ? " (a trailing comma is not allowed)" : " (keys need double quotes)";
        this.fail(`expected a property name in double quotes, got ${this.shown()}${hint}`);
      }
      const keyAt = this.origin(pointer);
      const key = this.parseString();
      keyAt.pointer = childPointer(pointer, key);
      const first = node.entries.get(key);
      if (first) this.fail(`duplicate key ${quote(key)} (first at line ${first.keyAt.line}:${first.keyAt.column})`, keyAt);
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail(`expected ":" after the property name ${quote(key)}, got ${this.shown()}`);
      this.pos++;
      this.skipSpace();
      const value = this.parseValue(childPointer(pointer, key), depth + 1);
      node.entries.set(key, { keyAt, node: value });
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "}") return node;
      if (c !== ",") {
        this.pos--;
        this.fail(`expected "," or "}" after the value of ${quote(key)}, got ${this.shown()}`);
      }
      this.skipSpace();
    }
  }

  private parseArray(pointer: string, depth: number, at: Origin): ArrayNode {
    const node: ArrayNode = { kind: "array", items: [], at };
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return node;
    }
    for (;;) {
      if (this.text[this.pos] === "]") this.fail('expected a value, got "]" (a trailing comma is not allowed)');
      node.items.push(this.parseValue(childPointer(pointer, node.items.length), depth + 1));
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "]") return node;
      if (c !== ",") {
        this.pos--;
        this.fail(`expected "," or "]" after an array element, got ${this.shown()}`);
      }
      this.skipSpace();
    }
  }

  private parseString(): string {
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail("unterminated string: expected a closing '\"', got the end of the file");
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c < " ") this.fail(`unescaped ${this.shown()} inside a string (write it as an escape such as \\n)`);
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.pos += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else {
        this.pos++;
        this.fail(`invalid escape "\\${e ?? ""}" in a string (expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`);
      }
    }
  }

  private parseNumber(): number {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    const token = /^[-+0-9A-Za-z.]*/.exec(this.text.slice(this.pos, this.pos + 40))?.[0] ?? "";
    if (!m || m[0].length !== token.length) {
      this.fail(`malformed number ${JSON.stringify(token)} (JSON numbers are decimal without leading zeros; write modes as strings like "0755")`);
    }
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/** Parse policy text; errors are NsjailError(ExitCode.Policy) with file:line:column. */
export function parseJson(text: string, file: string): JsonNode {
  return new Parser(text, file).parseDocument();
}
