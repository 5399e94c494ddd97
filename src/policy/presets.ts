// Where the shipped presets and schemas live, and how an `extends` entry names a policy file.

import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of policies/ (this file is in src/policy or dist/policy). */
export function presetsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../policies");
}

/** A preset is named by a bare word; anything with a "/" or a ".json" suffix is a path. */
export const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function isPresetName(entry: string): boolean {
  return PRESET_NAME.test(entry) && !entry.endsWith(".json");
}

/** The absolute file an `extends` entry refers to, from the directory of the extending file. */
export function extendsTarget(entry: string, fromFile: string): string {
  if (isPresetName(entry)) return resolve(presetsDir(), `${entry}.json`);
  return isAbsolute(entry) ? resolve(entry) : resolve(dirname(fromFile), entry);
}
