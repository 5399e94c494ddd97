// Hand the terminal over to the helper: put the plan in a memfd and execve, so no Node stays resident;
// or, under the front end (helper-c/front.c), write the plan to the pipe it gave and let it run the plan.

import { closeSync, fstatSync, writeSync } from "node:fs";
import { NsjailError, ExitCode } from "../errors.js";
import type { Sys } from "../ffi/sys.js";
import { fdsNamedBy } from "../plan/fds.js";
import { helperPath } from "./paths.js";

/** Set by the front end when it runs the compiler as its child: the fd to write the plan to. */
export const PLAN_FD_ENV = "NSJAIL_TS_PLAN_FD";

/** Read and remove the front end's plan fd, so neither the policy nor the command ever sees it. */
export function takePlanFd(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[PLAN_FD_ENV];
  delete env[PLAN_FD_ENV];
  return value !== undefined && /^\d{1,9}$/.test(value) && Number(value) > 2 ? Number(value) : undefined;
}

function fdMissing(fd: number): NsjailError {
  return new NsjailError(ExitCode.Usage, `file descriptor ${fd}, which the sandbox is to use, is not open`);
}

/** Give `plan` to the front end through `fd`; it runs the plan once the pipe closes. `namedFds`: the
 * inherited fds the plan names, when the caller knows them from its ops (else read from the plan). */
export function sendPlan(fd: number, plan: Buffer, namedFds: readonly number[] = fdsNamedBy(plan)): void {
  for (const named of namedFds) {
    try {
      if (named === fd) throw new Error("the plan's own pipe"); // the front end had no such fd: it made this one
      fstatSync(named); // the front end, whose fds these are too, must have it open
    } catch {
      throw fdMissing(named);
    }
  }
  for (let off = 0; off < plan.length; ) off += writeSync(fd, plan, off);
  closeSync(fd);
}

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
      throw fdMissing(named);
    }
  }
  const helper = helperPath();
  const envList = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const errno = sys.execve(helper, ["nsjail-ts-helper", "--plan-fd", String(fd), ...(command.length ? ["--", ...command] : [])], envList);
  throw new NsjailError(ExitCode.Setup, `cannot start the helper ${helper}: ${sys.strerror(errno)} (was the package built? run npm ci)`);
}
