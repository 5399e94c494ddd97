// The command: its environment, working directory, session, ids and the final execve.

import { insideIds } from "./user.js";
import { unshares, type CompileContext } from "./context.js";
import { op, OpType, type Op } from "./ops.js";

/** The command's environment: the caller's (or nothing, with env.clear), minus unset, plus set. */
export function commandEnv(ctx: CompileContext): Record<string, string> {
  const policyEnv = ctx.policy.env ?? {};
  const out: Record<string, string> = {};
  if (policyEnv.clear) {
    for (const name of policyEnv.keep ?? []) {
      const v = ctx.caller.env[name];
      if (v !== undefined) out[name] = v;
    }
  } else {
    for (const [k, v] of Object.entries(ctx.caller.env)) if (v !== undefined) out[k] = v;
  }
  for (const name of policyEnv.unset ?? []) delete out[name];
  Object.assign(out, policyEnv.set ?? {});
  return out;
}

export function compileSession(ctx: CompileContext): Op[] {
  return ctx.policy.newSession ? [op(OpType.Setsid, ctx.originOf("/newSession"))] : [];
}

export function compileChdir(ctx: CompileContext): Op[] {
  return [op(OpType.Chdir, ctx.originOf("/cwd"), [ctx.policy.cwd ?? "/"])];
}

/**
 * A command that keeps capabilities could remount a read-only bind read-write in the sandbox's own
 * mount namespace. One more user + mount namespace after setup makes the kernel lock every mount and
 * its flags. Without capabilities there is nothing to lock against (and a new user namespace the
 * command makes itself gets locked copies), so the extra namespace is only made when caps are kept.
 */
export function compileLockMounts(ctx: CompileContext): Op[] {
  const keepsCaps = (ctx.policy.capabilities?.keep ?? []).length > 0;
  return keepsCaps && unshares(ctx, "mount") && unshares(ctx, "user") ? [op(OpType.LockMounts, ctx.originOf("/capabilities"))] : [];
}

export function compileSetIds(ctx: CompileContext): Op[] {
  if (!unshares(ctx, "user")) return [];
  const { uid, gid } = insideIds(ctx);
  return [op(OpType.SetIds, ctx.originOf("/uid"), [BigInt(uid), BigInt(gid)])];
}

export function compileCloseFds(ctx: CompileContext): Op[] {
  return [op(OpType.CloseFds, ctx.originOf(""))];
}

export function compileNoNewPrivs(ctx: CompileContext): Op[] {
  return [op(OpType.NoNewPrivs, ctx.originOf(""))];
}

export function compileSeccompLoad(ctx: CompileContext): Op[] {
  return ctx.seccompProgram.length ? [op(OpType.Seccomp, ctx.originOf("/seccomp"), [ctx.seccompProgram])] : [];
}

export function compileExec(ctx: CompileContext): Op[] {
  const env = Object.entries(commandEnv(ctx)).map(([k, v]) => `${k}=${v}`);
  return [op(OpType.Env, ctx.originOf("/env"), env), op(OpType.Exec, "command line", ctx.command)];
}
