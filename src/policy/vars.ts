// Variables available in policy strings, and the caller's values for them.

import { userInfo } from "node:os";

/** The values ${HOME}, ${PWD}, ${USER}, ${UID}, ${GID}, ${XDG_RUNTIME_DIR} and ${env:NAME} expand to. */
export interface PolicyVars {
  HOME: string;
  PWD: string;
  USER: string;
  UID: number;
  GID: number;
  XDG_RUNTIME_DIR?: string;
  env: Record<string, string | undefined>;
}

export const BUILTIN_VARIABLES = ["HOME", "PWD", "USER", "UID", "GID", "XDG_RUNTIME_DIR"] as const;

/** The calling process's values: environment first, then the password database. */
export function callerVars(): PolicyVars {
  // The passwd entry only when the environment lacks HOME or USER: the lookup costs every run a little.
  let info: { username: string; homedir: string } = { username: "", homedir: "" };
  if (!process.env.HOME || !process.env.USER) {
    try {
      info = userInfo();
    } catch {
      // A uid without a passwd entry (common in containers): fall back to the environment and the uid.
    }
  }
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const vars: PolicyVars = {
    HOME: process.env.HOME || info.homedir || "/",
    PWD: process.cwd(),
    USER: process.env.USER || info.username || String(uid),
    UID: uid,
    GID: gid,
    env: { ...process.env },
  };
  if (process.env.XDG_RUNTIME_DIR) vars.XDG_RUNTIME_DIR = process.env.XDG_RUNTIME_DIR;
  return vars;
}
