// The compiled ajv validator of policies/schema.json, with policies/seccomp.schema.json plugged in
// under the URI that the policy schema's `seccomp` $ref resolves to.

import { existsSync, readFileSync, statSync } from "node:fs";
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

/** ajv's standalone CommonJS module is the validate function itself; it carries stamps of the schema files it was made from. */
type Precompiled = ((data: unknown) => boolean) & { schemaStamps?: string[] };
let precompiled: Precompiled | null | undefined;

/** Beside the generated validator: the texts of the schema files it was made from. */
export const VALIDATOR_TEXTS = "validator.texts.json";

/** The shipped schema files, in the order the validator records them. */
export const schemaFiles = (): string[] => ["schema.json", "seccomp.schema.json"].map((n) => join(presetsDir(), n));

/** What changes whenever a file's content can have: inode, size, mtime and ctime. */
export function fileStamp(file: string): string {
  const st = statSync(file, { bigint: true });
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** Whether the shipped schemas are the ones the validator was generated from: their files untouched since, or the same texts. */
function madeFromShippedSchemas(mod: Precompiled, dir: string): boolean {
  const files = schemaFiles();
  try {
    if (mod.schemaStamps?.length === files.length && files.every((f, i) => fileStamp(f) === mod.schemaStamps![i])) return true;
    // Copied or installed elsewhere: compare the texts (not a hash: loading node:crypto costs more).
    const texts = JSON.parse(readFileSync(join(dir, VALIDATOR_TEXTS), "utf8")) as string[];
    return files.every((f, i) => readFileSync(f, "utf8") === texts[i]);
  } catch {
    return false; // a schema or the texts file missing: compile at run time, which reports what is missing
  }
}

/**
 * The validator scripts/build-validator.mjs generated at build time, if it matches the shipped schemas:
 * true or false for a policy, undefined when there is none (then the runtime-compiled one decides).
 */
export function precompiledCheck(data: unknown): boolean | undefined {
  if (precompiled === undefined) {
    precompiled = null;
    const dir = dirname(fileURLToPath(import.meta.url));
    const file = join(dir, "validator.generated.cjs");
    if (existsSync(file)) {
      // Loaded synchronously: the policy loader is synchronous, and the module is plain generated code.
      const mod = createRequire(import.meta.url)(file) as Precompiled;
      if (madeFromShippedSchemas(mod, dir)) precompiled = mod;
    }
  }
  return precompiled ? precompiled(data) : undefined;
}
