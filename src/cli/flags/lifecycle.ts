// Lifecycle flags: a name for the sandbox and where its status lines go. Not policy: kept in req.runtime.

import { fstatSync } from "node:fs";
import { resolve } from "node:path";
import { usageError } from "../../errors.js";
import type { FlagSpec } from "./types.js";

/** Names are one path component in the registry: letters, digits, ".", "_" and "-", up to 64. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkName(flag: string, name: string): string {
  if (!NAME_RE.test(name)) throw usageError(`${flag} ${JSON.stringify(name)}: a name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return name;
}

export const LIFECYCLE_FLAGS: FlagSpec[] = [
  {
    names: ["--name"], arity: 1, values: "NAME",
    help: "name the sandbox (unique per user while it runs) for nsjail-ts ps, exec and kill",
    apply: (r, [v]) => void (r.runtime.name = checkName("--name", v!)),
  },
  {
    names: ["--json-status-fd"], arity: 1, values: "FD",
    help: "write JSON status lines (started, exited) to this file descriptor",
    apply: (r, [v]) => {
      const fd = /^\d+$/.test(v!) ? Number(v) : NaN;
      if (!Number.isSafeInteger(fd) || fd > 2147483647) throw usageError(`--json-status-fd ${JSON.stringify(v)}: expected a file descriptor number`);
      try {
        fstatSync(fd);
      } catch {
        throw usageError(`--json-status-fd ${fd}: file descriptor ${fd} is not open`);
      }
      r.runtime["json-status-fd"] = fd;
    },
  },
  {
    names: ["--status-file"], arity: 1, values: "PATH",
    help: "write JSON status lines (started, exited) to this file",
    apply: (r, [v]) => {
      if (!v) throw usageError("--status-file needs a path");
      r.runtime["status-file"] = resolve(v);
    },
  },
];
