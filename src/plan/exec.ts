// The command: its environment, working directory, session, ids and the final execve.

import { insideIds, mapsFromOutside } from "./user.js";
import { unshares, type CompileContext } from "./context.js";
import { ENV_CLEAR, EXEC_AS_PID1, op, OpType, type Op } from "./ops.js";
import type { Policy } from "../policy/types.js";

/**
 * The command's environment as a recipe (helper-c/plan.h, OP_ENV) that the helper applies to its own
 * environment at exec time, so a plan holds no value of the caller's it was not told to set and stays
 * valid when the caller's environment changes: keep ("+NAME", with clear), unset ("-NAME"), then set.
 */
export function envRecipe(policy: Policy): { clear: boolean; items: string[] } {
  const e = policy.env ?? {};
  const items = [
    ...(e.clear ? (e.keep ?? []).map((n) => `+${n}`) : []),
    ...(e.unset ?? []).map((n) => `-${n}`),
    ...Object.entries(e.set ?? {}).map(([k, v]) => `${k}=${v}`),
  ];
  return { clear: e.clear === true, items };
}

/** The recipe applied to an environment, as the helper applies it: what the command will see. */
export function applyEnvRecipe(recipe: { clear: boolean; items: string[] }, from: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  if (!recipe.clear) for (const [k, v] of Object.entries(from)) if (v !== undefined) out[k] = v;
  for (const item of recipe.items) {
    const name = item.startsWith("+") || item.startsWith("-") ? item.slice(1) : item.slice(0, item.indexOf("="));
    const value = item.startsWith("+") ? from[name] : item.startsWith("-") ? undefined : item.slice(name.length + 1);
    if (item.startsWith("+") && value === undefined) continue;
    delete out[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The command's environment for this caller (a preview: the helper builds it from its own at exec time). */
export function commandEnv(ctx: CompileContext): Record<string, string> {
  return applyEnvRecipe(envRecipe(ctx.policy), ctx.caller.env);
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
  // disableUserns needs the nested namespace too: the command must not live where the limit was set.
  const origin = ctx.originOf(keepsCaps ? "/capabilities" : "/disableUserns");
  return (keepsCaps || ctx.policy.disableUserns) && unshares(ctx, "mount") && unshares(ctx, "user") ? [op(OpType.LockMounts, origin)] : [];
}

export function compileSetIds(ctx: CompileContext): Op[] {
  // Maps nsjail-ts did not write decide the ids, as with bwrap, which then changes no id either.
  if (!unshares(ctx, "user") || mapsFromOutside(ctx)) return [];
  const { uid, gid } = insideIds(ctx);
  return [op(OpType.SetIds, ctx.originOf("/uid"), [BigInt(uid), BigInt(gid)])];
}

export function compileCloseFds(ctx: CompileContext): Op[] {
  return [op(OpType.CloseFds, ctx.originOf(""))];
}

export function compileNoNewPrivs(ctx: CompileContext): Op[] {
  return [op(OpType.NoNewPrivs, ctx.originOf(""))];
}

/** The environment recipe, argv[0] when it differs from the program, and the exec (as PID 1 itself with asPid1). */
export function compileExec(ctx: CompileContext): Op[] {
  const recipe = envRecipe(ctx.policy);
  const argv0 = ctx.policy.argv0 !== undefined ? [op(OpType.Argv0, ctx.originOf("/argv0"), [ctx.policy.argv0])] : [];
  return [
    op(OpType.Env, ctx.originOf("/env"), recipe.items, recipe.clear ? ENV_CLEAR : 0),
    ...argv0,
    op(OpType.Exec, "command line", ctx.command, ctx.policy.asPid1 ? EXEC_AS_PID1 : 0),
  ];
}
