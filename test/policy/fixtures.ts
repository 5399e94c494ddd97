// Shared inputs of the policy tests: fixed variables and temporary policy files.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NsjailError } from "../../src/errors.js";
import { loadPolicyText, type PolicyVars, type ResolvedPolicy } from "../../src/policy/index.js";

export const vars: PolicyVars = {
  HOME: "/home/alice",
  PWD: "/home/alice/project",
  USER: "alice",
  UID: 1000,
  GID: 1000,
  XDG_RUNTIME_DIR: "/run/user/1000",
  env: { EDITOR: "vi", EMPTY: "" },
};

/** A fresh directory of policy files, removed when the process exits. */
export function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nsjail-ts-policy-test-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Load text as /p/test.json (so messages name "test.json" with an absolute path). */
export function load(text: string, file = "/p/test.json"): ResolvedPolicy {
  return loadPolicyText(text, { file, vars });
}

/** The NsjailError thrown by fn; fails loudly if fn returns or throws anything else. */
export function errorOf(fn: () => unknown): NsjailError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NsjailError) return err;
    throw err;
  }
  throw new Error("expected an NsjailError, but nothing was thrown");
}
