// Expansion of ${...} variables in every string value of a parsed policy file.

import { policyError } from "../errors.js";
import { quote, type JsonNode, type ObjectEntry, type Origin } from "./json-node.js";
import { whereOf } from "./origin.js";
import { didYouMean } from "./suggest.js";
import { BUILTIN_VARIABLES, type PolicyVars } from "./vars.js";

/** Collects every environment variable read through ${env:NAME}, with the value seen. */
export type EnvRead = Record<string, string | undefined>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function fail(at: Origin, message: string): never {
  throw policyError(message, whereOf(at));
}

function lookup(name: string, vars: PolicyVars, envRead: EnvRead, at: Origin): string {
  if (name.startsWith("env:")) {
    const body = name.slice(4);
    const sep = body.indexOf(":-");
    const envName = sep === -1 ? body : body.slice(0, sep);
    if (!ENV_NAME.test(envName)) fail(at, `invalid environment variable name ${quote(envName)} in ${quote(`\${${name}}`)}`);
    const value = Object.prototype.hasOwnProperty.call(vars.env, envName) ? vars.env[envName] : undefined;
    envRead[envName] = value;
    // Like the shell's ${NAME:-default}: the default applies when the variable is unset or empty.
    if (value !== undefined && value !== "") return value;
    if (sep !== -1) return body.slice(sep + 2);
    return value ?? fail(at, `undefined variable \${env:${envName}}: the environment variable ${envName} is not set (write \${env:${envName}:-DEFAULT} for a default)`);
  }
  switch (name) {
    case "HOME":
    case "PWD":
    case "USER":
      return vars[name];
    case "UID":
    case "GID":
      return String(vars[name]);
    case "XDG_RUNTIME_DIR":
      return vars.XDG_RUNTIME_DIR ?? fail(at, "undefined variable ${XDG_RUNTIME_DIR}: XDG_RUNTIME_DIR is not set for the caller");
  }
  const hint = didYouMean(name, [...BUILTIN_VARIABLES]);
  return fail(at, `unknown variable ${quote(`\${${name}}`)}${hint || `; expected one of ${BUILTIN_VARIABLES.join(", ")} or env:NAME`}`);
}

/** One string with ${...} expanded and $$ turned into $; any other "$" stays as written. */
export function expandString(text: string, vars: PolicyVars, envRead: EnvRead, at: Origin): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar === -1 || dollar === text.length - 1) return out + text.slice(i);
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const close = text.indexOf("}", dollar + 2);
      if (close === -1) fail(at, `unterminated variable ${quote(text.slice(dollar), 20)}: expected "}" (write $$ for a literal $)`);
      out += lookup(text.slice(dollar + 2, close), vars, envRead, at);
      i = close + 1;
    } else {
      out += "$";
      i = dollar + 1;
    }
  }
  return out;
}

/** Prose for readers, never expanded (outside env.set, where these are variable names). */
const NOT_EXPANDED = new Set(["description", "$comment", "$schema"]);

/** A copy of the tree with every string value expanded; keys and prose are left as written. */
export function expandNode(node: JsonNode, vars: PolicyVars, envRead: EnvRead): JsonNode {
  if (node.kind === "scalar") {
    return typeof node.value === "string" ? { ...node, value: expandString(node.value, vars, envRead, node.at) } : node;
  }
  if (node.kind === "array") return { ...node, items: node.items.map((item) => expandNode(item, vars, envRead)) };
  const isEnvSet = /\/env\/set$/.test(node.at.pointer);
  const entries = new Map<string, ObjectEntry>();
  for (const [key, entry] of node.entries) {
    const keep = NOT_EXPANDED.has(key) && !(isEnvSet && key === "description");
    entries.set(key, { keyAt: entry.keyAt, node: keep ? entry.node : expandNode(entry.node, vars, envRead) });
  }
  return { ...node, entries };
}
