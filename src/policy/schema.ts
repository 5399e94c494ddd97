// The compiled ajv validator of policies/schema.json, with policies/seccomp.schema.json plugged in
// under the URI that the policy schema's `seccomp` $ref resolves to.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Ajv2020 as Ajv2020Class } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import { ExitCode, NsjailError } from "../errors.js";
import { presetsDir } from "./presets.js";

type AnySchema = Record<string, unknown>;

/** The URI "seccomp.schema.json" means relative to the policy schema's $id. */
function seccompSchemaUri(policySchema: AnySchema): string {
  return new URL("seccomp.schema.json", String(policySchema.$id)).href;
}

function readSchema(name: string, optional: boolean): AnySchema | undefined {
  const file = join(presetsDir(), name);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new NsjailError(ExitCode.Internal, `cannot read the schema ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as AnySchema;
  } catch (err) {
    throw new NsjailError(ExitCode.Internal, `the schema ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** The policy schema as shipped (for documentation checks and tools). */
export function policySchema(): AnySchema {
  return readSchema("schema.json", false) as AnySchema;
}

let compiled: ValidateFunction | undefined;

/** Every object inside a $defs entry, mapped to that entry's name. */
const definitionOfObject = new WeakMap<object, string>();

function indexDefinitions(schema: AnySchema): void {
  const visit = (value: unknown, name: string): void => {
    if (value === null || typeof value !== "object") return;
    definitionOfObject.set(value, name);
    for (const child of Object.values(value)) visit(child, name);
  };
  for (const [name, def] of Object.entries((schema.$defs ?? {}) as Record<string, unknown>)) visit(def, name);
}

/** The $defs name whose schema contains this (sub)schema object, as found in ajv's error.parentSchema. */
export function definitionName(schemaObject: unknown): string | undefined {
  return schemaObject !== null && typeof schemaObject === "object" ? definitionOfObject.get(schemaObject) : undefined;
}

/** A validator of the policy schema; `strict` refuses schema mistakes (tests use it to catch them). */
export function buildPolicyValidator(strict: boolean): ValidateFunction {
  // Loaded on demand: a valid policy is settled by the precompiled validator without ajv at all.
  const Ajv2020 = (createRequire(import.meta.url)("ajv/dist/2020.js") as { default: typeof Ajv2020Class }).default;
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict,
    discriminator: true,
    logger: false,
    inlineRefs: false, // every $ref stays its own schema object, so errors' parentSchema finds its $defs name
  });
  const schema = policySchema();
  indexDefinitions(schema);
  const seccomp = readSchema("seccomp.schema.json", true) ?? { type: "object", description: "Any object until the seccomp schema ships." };
  // Registered under the URI the policy schema refers to, whatever $id the seccomp schema chose.
  ajv.addSchema({ ...seccomp, $id: seccompSchemaUri(schema) });
  return ajv.compile(schema);
}

/** The validator, compiled once. Until policies/seccomp.schema.json exists any object is a seccomp filter. */
export function policyValidator(): ValidateFunction {
  if (compiled) return compiled;
  try {
    compiled = buildPolicyValidator(true);
  } catch {
    // A strict-mode complaint (say, an unknown keyword in a schema) must not stop every policy from
    // loading; the schema test compiles strictly and reports it.
    try {
      compiled = buildPolicyValidator(false);
    } catch (err) {
      throw new NsjailError(ExitCode.Internal, `the policy schema does not compile: ${(err as Error).message}`, { cause: err });
    }
  }
  return compiled;
}

export type { ErrorObject };

/** ajv's standalone CommonJS module is the validate function itself; it carries the schema texts it was made from. */
type Precompiled = ((data: unknown) => boolean) & { schemaTexts: [string, string] };
let precompiled: Precompiled | null | undefined;

/**
 * The validator scripts/build-validator.mjs generated at build time, if it matches the shipped schemas:
 * true or false for a policy, undefined when there is none (then the runtime-compiled one decides).
 */
export function precompiledCheck(data: unknown): boolean | undefined {
  if (precompiled === undefined) {
    precompiled = null;
    const file = join(dirname(fileURLToPath(import.meta.url)), "validator.generated.cjs");
    if (existsSync(file)) {
      const texts = ["schema.json", "seccomp.schema.json"].map((n) => readFileSync(join(presetsDir(), n), "utf8"));
      // Loaded synchronously: the policy loader is synchronous, and the module is plain generated code.
      const mod = createRequire(import.meta.url)(file) as Precompiled;
      // The very texts, not a hash of them: comparing is cheaper than loading node:crypto on every start.
      if (mod.schemaTexts?.[0] === texts[0] && mod.schemaTexts[1] === texts[1]) precompiled = mod;
    }
  }
  return precompiled ? precompiled(data) : undefined;
}
