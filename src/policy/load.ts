// Loading a policy: read, parse with positions, expand variables, validate, resolve `extends`
// depth-first (each file once, cycles refused), merge, then check paths.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { policyError } from "../errors.js";
import { expandNode, type EnvRead } from "./expand.js";
import { collectOrigins, toPlain, type JsonNode, type ObjectNode, type Origin } from "./json-node.js";
import { parseJson } from "./json-parse.js";
import { emptyObject, mergeObjects, withoutKey } from "./merge.js";
import { displayFile, whereOf } from "./origin.js";
import { withoutNotes } from "./notes.js";
import { finalisePaths } from "./paths.js";
import { extendsTarget, isPresetName, presetsDir } from "./presets.js";
import { didYouMean } from "./suggest.js";
import type { Policy } from "./types.js";
import { validatePolicyNode } from "./validate.js";
import type { PolicyVars } from "./vars.js";

export interface ResolvedPolicy {
  /** Merged, variables expanded, paths normalised, bind dst filled; other defaults are not filled. */
  policy: Policy;
  /** Where the value at a pointer of the merged policy was written (nearest known ancestor for deeper pointers). */
  origin(pointer: string): Origin | undefined;
  /** Every policy file read (absolute). */
  files: string[];
  /** Every environment variable read through ${env:NAME}, with its value. */
  envRead: Record<string, string | undefined>;
  /** One line each, starting with FILE:LINE:COL. */
  warnings: string[];
}

interface LoadState {
  vars: PolicyVars;
  envRead: EnvRead;
  files: string[];
}

/** What each resolved policy was built from, so layers can be added later. */
const trees = new WeakMap<ResolvedPolicy, { tree: ObjectNode; files: string[]; envRead: EnvRead; warnings: string[] }>();

/** "No such file or directory" from a Node fs error. */
function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(e.message ?? "");
  const text = m?.[1] ?? e.message ?? String(err);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function readText(file: string, via: Origin | undefined): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const msg = `cannot read policy file ${displayFile(file)}: ${code === "EISDIR" ? "Is a directory" : errnoText(err)}`;
    throw policyError(msg, via ? whereOf(via) : undefined);
  }
}

function knownPresets(): string[] {
  try {
    return readdirSync(presetsDir())
      .filter((f) => f.endsWith(".json") && !f.includes("schema") && !f.startsWith("seccomp"))
      .map((f) => f.slice(0, -5));
  } catch {
    return []; // only used for a suggestion
  }
}

/** The `extends` entries of a validated file: each name with where it was written. */
function extendsEntries(root: ObjectNode): { name: string; at: Origin }[] {
  const node = root.entries.get("extends")?.node;
  if (!node) return [];
  const items = node.kind === "array" ? node.items : [node];
  return items.flatMap((item) => (item.kind === "scalar" && typeof item.value === "string" ? [{ name: item.value, at: item.at }] : []));
}

function resolveTree(root: JsonNode, file: string, state: LoadState, stack: string[]): ObjectNode {
  const expanded = expandNode(root, state.vars, state.envRead);
  validatePolicyNode(expanded);
  if (expanded.kind !== "object") throw policyError("a policy must be a JSON object", whereOf(expanded.at));
  let base = emptyObject(expanded.at);
  for (const { name, at } of extendsEntries(expanded)) {
    const target = extendsTarget(name, file);
    if (isPresetName(name) && !existsSync(target)) {
      const presets = knownPresets();
      throw policyError(`unknown preset "${name}"${didYouMean(name, presets) || `; presets: ${presets.join(", ")}`}`, whereOf(at));
    }
    if (stack.includes(target)) {
      const chain = [...stack.slice(stack.indexOf(target)), target].map(displayFile).join(" -> ");
      throw policyError(`extends cycle: ${chain}`, whereOf(at));
    }
    // A file reached twice through different branches is applied once, at its first place.
    if (state.files.includes(target)) continue;
    base = mergeObjects(base, loadFileTree(target, state, [...stack, target], at));
  }
  return mergeObjects(base, withoutKey(expanded, "extends"));
}

function loadFileTree(file: string, state: LoadState, stack: string[], via?: Origin): ObjectNode {
  const text = readText(file, via);
  state.files.push(file);
  return resolveTree(parseJson(text, file), file, state, stack);
}

function finish(merged: ObjectNode, files: string[], envRead: EnvRead, earlierWarnings: string[]): ResolvedPolicy {
  const { tree, warnings } = finalisePaths(withoutNotes(merged));
  const origins = collectOrigins(tree);
  const allWarnings = [...earlierWarnings, ...warnings.filter((w) => !earlierWarnings.includes(w))];
  const resolved: ResolvedPolicy = {
    policy: toPlain(tree) as Policy,
    origin(pointer: string): Origin | undefined {
      for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
        const o = origins.get(p);
        if (o || p === "") return o;
      }
    },
    files: [...files],
    envRead: { ...envRead },
    warnings: allWarnings,
  };
  trees.set(resolved, { tree, files, envRead, warnings: allWarnings });
  return resolved;
}

/** Load a policy file (default: policies/default.json) with its extends, variables and checks. */
export function loadPolicy(opts: { file?: string; vars: PolicyVars }): ResolvedPolicy {
  const file = resolve(opts.file ?? join(presetsDir(), "default.json"));
  const state: LoadState = { vars: opts.vars, envRead: {}, files: [] };
  return finish(loadFileTree(file, state, [file]), state.files, state.envRead, []);
}

/** Like loadPolicy, for text already in memory; `file` names it in messages and anchors relative extends. */
export function loadPolicyText(text: string, opts: { file: string; vars: PolicyVars }): ResolvedPolicy {
  const file = resolve(opts.file);
  const state: LoadState = { vars: opts.vars, envRead: {}, files: [] };
  return finish(resolveTree(parseJson(text, file), file, state, [file]), state.files, state.envRead, []);
}

/** Merge a fragment (built from command-line flags) over a resolved policy with the same rules. */
export function addLayer(base: ResolvedPolicy, layer: Policy, label: string): ResolvedPolicy {
  const built = trees.get(base);
  if (!built) throw policyError("addLayer: the base policy was not produced by loadPolicy");
  const node = layerNode(layer, label);
  validatePolicyNode(node);
  if (node.kind !== "object") throw policyError("a policy layer must be an object", { file: label });
  if (node.entries.has("extends")) throw policyError('"extends" is only allowed in policy files', whereOf(node.at));
  return finish(mergeObjects(built.tree, node), built.files, built.envRead, built.warnings);
}

/** A plain value as a tree whose origins name the layer (no line numbers: it was not written as text). */
function layerNode(value: unknown, file: string, pointer = ""): JsonNode {
  const at: Origin = { file, pointer, line: 0, column: 0 };
  if (Array.isArray(value)) return { kind: "array", items: value.map((v, i) => layerNode(v, file, `${pointer}/${i}`)), at };
  if (value !== null && typeof value === "object") {
    const entries = new Map<string, { keyAt: Origin; node: JsonNode }>();
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const p = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      entries.set(key, { keyAt: { file, pointer: p, line: 0, column: 0 }, node: layerNode(v, file, p) });
    }
    return { kind: "object", entries, at };
  }
  if (value === null || typeof value === "boolean" || typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) {
    return { kind: "scalar", value, at };
  }
  throw policyError(`not a JSON value: ${typeof value}`, { file, pointer });
}
