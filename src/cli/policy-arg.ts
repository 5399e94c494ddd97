// The --policy value: a file path, or the name of a preset in policies/.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { presetsDir } from "../policy/index.js";

/** Whether a --policy value names a file as written; otherwise it is first looked up as a preset name. */
export function namesFile(value: string): boolean {
  return existsSync(value) || value.includes("/") || value.endsWith(".json");
}

export function policyPath(value: string): string {
  if (namesFile(value)) return value;
  const preset = join(presetsDir(), `${value}.json`);
  return existsSync(preset) ? preset : value;
}
