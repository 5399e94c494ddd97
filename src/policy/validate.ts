// Schema validation of one parsed policy file: ajv finds every problem, and the first one in the
// file becomes a single line naming where it is, what was expected, the bad value and a suggestion.

import { policyError } from "../errors.js";
import { describeValue, nodeAt, quote, toPlain, type JsonNode, type Origin } from "./json-node.js";
import { whereOf } from "./origin.js";
import { definitionName, policyValidator, precompiledCheck, type ErrorObject } from "./schema.js";
import { didYouMean } from "./suggest.js";
import { MOUNT_TYPES } from "./types.js";

/** What a value of each shared definition looks like, for messages. */
const EXPECTED: Record<string, string> = {
  size: 'a size like "64M" (a number of bytes, or digits followed by K, M, G or T)',
  mode: 'a mode as an octal string like "0755" or "1777", or a number from 0 to 4095',
  rlimit: 'a non-negative whole number, a size like "64M", or "unlimited"',
  absolutePath: 'an absolute path (starting with "/", or with a variable such as "${PWD}")',
  envName: 'an environment variable name (letters, digits and "_", not starting with a digit)',
  extendsEntry: "a preset name or a policy file path",
  hostname: 'a host name (letters, digits, "." and "-", starting with a letter or digit, at most 63 characters)',
};

/** Readable names of the object definitions, for "in a bind mount". */
const OBJECT_NAMES: Record<string, string> = {
  bindMount: "a bind mount",
  tmpfsMount: "a tmpfs mount",
  procMount: "a proc mount",
  devMount: "a dev mount",
  mqueueMount: "an mqueue mount",
  dirMount: "a dir entry",
  symlinkMount: "a symlink entry",
  fileMount: "a file entry",
  remountRo: "a remount-ro entry",
  overlayMount: "an overlay mount",
};


/** For a mistyped size, the size that was probably meant ("64MB" -> "64M"). */
function sizeHint(value: unknown): string {
  if (typeof value !== "string") return "";
  const m = /^\s*([0-9]+)\s*([KMGTkmgt])?(i?[Bb]|[Bb]ytes)?\s*$/.exec(value);
  if (!m || !m[1]) return "";
  return `; did you mean "${m[1]}${(m[2] ?? "").toUpperCase()}"?`;
}

function modeHint(value: unknown): string {
  if (typeof value === "string" && /^0o[0-7]{3,4}$/.test(value)) return `; did you mean "${value.slice(2)}"?`;
  return "";
}

interface Located {
  error: ErrorObject;
  at: Origin;
  rank: number;
}

/** Where an error points: the offending key for unknown keys, else the value. */
function locate(root: JsonNode, error: ErrorObject): Origin {
  const extra = error.keyword === "additionalProperties" ? (error.params as { additionalProperty: string }).additionalProperty : undefined;
  const propertyName = (error as { propertyName?: string }).propertyName ?? (error.params as { propertyName?: string }).propertyName;
  const key = extra ?? propertyName;
  if (key !== undefined) {
    const found = nodeAt(root, `${error.instancePath}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`);
    if (found?.keyAt) return found.keyAt;
  }
  return nodeAt(root, error.instancePath)?.node.at ?? root.at;
}

/** Lower is more useful at the same position: specific keywords before composite ones. */
function rankOf(error: ErrorObject): number {
  const order = ["additionalProperties", "propertyNames", "discriminator", "required", "dependentRequired", "enum", "const", "pattern", "type"];
  const i = order.indexOf(error.keyword);
  return i === -1 ? (["oneOf", "anyOf", "if", "not"].includes(error.keyword) ? 99 : order.length) : i;
}

function allowedKeys(error: ErrorObject): string[] {
  const props = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

function listOf(values: readonly unknown[]): string {
  const shown = values.slice(0, 12).map((v) => JSON.stringify(v));
  return shown.join(", ") + (values.length > 12 ? ", ..." : "");
}

/** One error as a message, without the location prefix. */
export function describeError(error: ErrorObject): string {
  const def = definitionName(error.parentSchema);
  const badName = (error as { propertyName?: string }).propertyName;
  if (badName !== undefined) return `invalid variable name ${quote(badName)}: expected ${EXPECTED.envName}`;
  const where = def && OBJECT_NAMES[def] ? ` in ${OBJECT_NAMES[def]}` : "";
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(error);
      const hint = didYouMean(key, allowed);
      return `unknown key ${quote(key)}${where}${hint || `; allowed keys: ${allowed.join(", ")}`}`;
    }
    case "propertyNames":
    case "required":
      if (error.keyword === "required") return `missing required key "${String(params.missingProperty)}"${where}`;
      return `invalid variable name ${quote(String(params.propertyName))}: expected ${EXPECTED.envName}`;
    case "dependentRequired":
      return `"${String(params.property)}" needs "${String(params.missingProperty)}" too${where}`;
    case "discriminator": {
      const names = MOUNT_TYPES;
      if (params.error === "mapping") {
        return `unknown mount type ${describeValue(params.tagValue)}${didYouMean(String(params.tagValue), names) || `; expected one of ${listOf(names)}`}`;
      }
      const what = params.tagValue === undefined ? 'missing key "type"' : '"type" must be a string';
      return `${what}: expected the mount type, one of ${listOf(names)}`;
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      if (def && EXPECTED[def]) return `expected ${EXPECTED[def]}, got ${describeValue(error.data)}`;
      const hint = didYouMean(String(error.data), allowed.map(String));
      return `unknown value ${describeValue(error.data)}${hint || `; expected one of ${listOf(allowed)}`}`;
    }
    case "const":
      return `expected ${JSON.stringify(params.allowedValue)}, got ${describeValue(error.data)}`;
  }
  if (def && EXPECTED[def]) {
    const hint = def === "size" ? sizeHint(error.data) : def === "mode" ? modeHint(error.data) : "";
    return `expected ${EXPECTED[def]}, got ${describeValue(error.data)}${hint}`;
  }
  switch (error.keyword) {
    case "type":
      return `expected ${String(params.type).replace(",", " or ")}, got ${describeValue(error.data)}`;
    case "pattern":
      return `${describeValue(error.data)} does not have the expected form (pattern ${String(params.pattern)})`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `expected a number ${String(params.comparison)} ${String(params.limit)}, got ${describeValue(error.data)}`;
    case "minItems":
      return `expected at least ${String(params.limit)} item(s), got ${describeValue(error.data)}`;
    case "minLength":
      return `expected a non-empty string, got ${describeValue(error.data)}`;
    case "uniqueItems":
      return `duplicate items ${String(params.j)} and ${String(params.i)} in the list`;
    case "oneOf":
      if (error.instancePath === "/extends") return `expected a preset name or path, or a list of them, got ${describeValue(error.data)}`;
  }
  return `${error.message ?? "is invalid"}, got ${describeValue(error.data)}`;
}

/** Validate one parsed policy file (after variable expansion); throws the first problem in the file. */
export function validatePolicyNode(root: JsonNode): void {
  const plain = toPlain(root);
  // Valid policies (the usual case) are settled by the precompiled validator; only a policy that fails
  // it pays for compiling the verbose one that explains the error.
  if (precompiledCheck(plain) === true) return;
  const validate = policyValidator();
  if (validate(plain)) return;
  const found: Located[] = (validate.errors ?? []).map((error) => ({ error, at: locate(root, error), rank: rankOf(error) }));
  found.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column || a.rank - b.rank);
  const first = found[0];
  if (!first) throw policyError("does not match the policy schema", whereOf(root.at));
  const { at, error } = first;
  throw policyError(describeError(error), whereOf(at));
}
