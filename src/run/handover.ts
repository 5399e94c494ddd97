// Hand the terminal over to the helper: put the plan in a memfd and execve, so no Node stays resident.

import { NsjailError, ExitCode } from "../errors.js";
import type { Sys } from "../ffi/sys.js";
import { fdsNamedBy } from "../plan/fds.js";
import { helperPath } from "./paths.js";

/** Flush and replace this process with the helper running `plan` (with `command`, the plan's is replaced). Returns only by throwing. */
export function execHelper(sys: Sys, plan: Buffer, env: NodeJS.ProcessEnv = process.env, command: string[] = []): never {
  const fd = sys.memfdCreate("nsjail-ts-plan");
  sys.writeAll(fd, plan);
  sys.rewind(fd);
  sys.keepAcrossExec(fd);
  // Node marks its own stdio close-on-exec; the command must inherit them, and the helper the fds the plan names.
  for (const std of [0, 1, 2]) sys.keepAcrossExec(std);
  for (const named of fdsNamedBy(plan)) {
    try {
      sys.keepAcrossExec(named);
    } catch {
      throw new NsjailError(ExitCode.Usage, `file descriptor ${named}, which the sandbox is to use, is not open`);
    }
  }
  const helper = helperPath();
  const envList = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const errno = sys.execve(helper, ["nsjail-ts-helper", "--plan-fd", String(fd), ...(command.length ? ["--", ...command] : [])], envList);
  throw new NsjailError(ExitCode.Setup, `cannot start the helper ${helper}: ${sys.strerror(errno)} (was the package built? run npm ci)`);
}
