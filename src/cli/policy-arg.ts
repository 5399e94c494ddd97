// The --policy value: a file path, or the name of a preset in policies/.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { presetsDir } from "../policy/index.js";

export function policyPath(value: string): string {
  if (existsSync(value) || value.includes("/") || value.endsWith(".json")) return value;
  const preset = join(presetsDir(), `${value}.json`);
  return existsSync(preset) ? preset : value;
}
