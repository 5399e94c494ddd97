#!/usr/bin/env node
// Build step: the default seccomp filter (policies/seccomp-default.json) compiled ahead for every arch, so
// that a run with the default filter does not compile it. The file records every input the program depends
// on (the preset's text, the kernel release its kernelBelow rules were decided for, the size of each
// compiler module); src/seccomp/precompiled.ts uses a program only while all of them still hold.
import { readFileSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const seccompDir = join(root, "dist/seccomp");
const { compileSeccomp } = await import(join(seccompDir, "compile.js"));
const { SECCOMP_ARCHES } = await import(join(seccompDir, "abi.js"));
const { compilerModuleSizes, PRECOMPILED_FILE } = await import(join(seccompDir, "precompiled.js"));

const programs = {};
for (const arch of SECCOMP_ARCHES) {
  const r = compileSeccomp({ preset: "default" }, { arch, pointer: "/seccomp", baseDir: root, usePrecompiled: false });
  // A program with warnings is compiled at run time, where the warnings name the user's own files.
  if (r.warnings.length === 0) programs[arch] = r.program.toString("base64");
}
const modules = compilerModuleSizes(seccompDir);
const out = {
  preset: readFileSync(join(root, "policies/seccomp-default.json"), "utf8"),
  kernel: release(),
  modules,
  programs,
};
writeFileSync(join(seccompDir, PRECOMPILED_FILE), `${JSON.stringify(out)}\n`);
