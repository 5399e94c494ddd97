// bubblewrap flags nsjail-ts has no mechanism for: each is accepted by name so that the error can say
// exactly which flag and why, instead of "unknown option" or, worse, being ignored. (--json-status-fd
// is in lifecycle.ts, which writes status lines.)

import { existsSync, readFileSync } from "node:fs";
import { usageError } from "../../errors.js";
import type { FlagSpec } from "./types.js";

/** Whether SELinux is enabled here: its filesystem is mounted, or this process has a security context. */
function selinuxEnabled(): boolean {
  if (existsSync("/sys/fs/selinux/enforce")) return true;
  try {
    const ctx = readFileSync("/proc/self/attr/current", "utf8").replace(/\0/g, "").trim();
    return ctx !== "" && ctx !== "unconfined" && ctx.includes(":");
  } catch {
    return false;
  }
}

/** A label flag: without SELinux there is nothing to label with; with it, rootless nsjail-ts still sets no labels. */
function label(name: string, help: string): FlagSpec {
  return {
    names: [name],
    arity: 1,
    values: "LABEL",
    help: `${help} (not supported: SELinux labels are not set by nsjail-ts)`,
    apply: () => {
      const why = selinuxEnabled() ? "nsjail-ts sets no SELinux labels" : "SELinux is not enabled on this system, so there is nothing to label with";
      throw usageError(`${name} is not supported: ${why}`);
    },
  };
}

export const BWRAP_UNSUPPORTED_FLAGS: FlagSpec[] = [
  label("--exec-label", "SELinux label for the sandbox's processes"),
  label("--file-label", "SELinux label for the sandbox's files"),
];
