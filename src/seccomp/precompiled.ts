// The default filter as compiled at build time (scripts/build-seccomp.mjs), used only while every input
// it was compiled from still holds: the preset's text, the kernel release, the compiler's modules.
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { release } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SeccompArch } from "./abi.js";

export const PRECOMPILED_FILE = "default.generated.json";
/** `modules` of the copy the bundle carries: the compiler that runs is the bundle's, made by the same build. */
export const BUNDLED = "bundle";

interface Precompiled {
  preset: string;
  kernel: string;
  /** Compiler module (path under dist/seccomp) → size in bytes, or BUNDLED. */
  modules: Record<string, number> | typeof BUNDLED;
  /** Arch → the program, base64. */
  programs: Partial<Record<SeccompArch, string>>;
}

/** Every module of the seccomp compiler under `dir` (dist/seccomp), data tables included: path → size in bytes. */
export function compilerModuleSizes(dir: string): Record<string, number> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith(".js"))
      .map((e) => join(e.parentPath ?? e.path, e.name))
      .sort()
      .map((f) => [relative(dir, f).split(sep).join("/"), statSync(f).size]),
  );
}

/** Whether the compiler under `dir` is still the one whose module sizes were recorded. */
export function sameCompilerModules(dir: string, recorded: Record<string, number>): boolean {
  const now = compilerModuleSizes(dir);
  return Object.keys(now).length === Object.keys(recorded).length && Object.entries(now).every(([m, size]) => recorded[m] === size);
}

let loaded: Precompiled | null | undefined;

function load(): Precompiled | null {
  const dir = dirname(fileURLToPath(import.meta.url));
  let p: Precompiled;
  try {
    // Through require, so that the bundle can serve its own copy (scripts/build-bundle.mjs).
    p = createRequire(import.meta.url)(join(dir, PRECOMPILED_FILE)) as Precompiled;
  } catch {
    return null; // not built (or running from src/): compile
  }
  if (p.kernel !== release()) return null;
  if (p.modules === BUNDLED) return p;
  // The compiler as it was: same modules, same sizes (a recompiled compiler without this file rebuilt misses).
  if (!sameCompilerModules(dir, p.modules)) return null;
  return p;
}

/** The build's program for the default preset whose text is `presetText`, or undefined (then compile it). */
export function precompiledDefault(arch: SeccompArch, presetText: string): Buffer | undefined {
  if (loaded === undefined) loaded = load();
  const b64 = loaded && loaded.preset === presetText ? loaded.programs[arch] : undefined;
  return b64 === undefined ? undefined : Buffer.from(b64, "base64");
}
