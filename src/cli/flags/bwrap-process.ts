// bubblewrap's process flags: --args, the environment, --chdir, session, parent death, capabilities.

import { usageError } from "../../errors.js";
import { CAPABILITIES, type Policy } from "../../policy/types.js";
import { parseRunArgs } from "../args.js";
import type { FlagSpec, RunRequest } from "./types.js";
import { bwrapFlag, bwrapState, destination, envName, layer, readFd } from "./bwrap-state.js";

/** --args may name an fd whose arguments hold another --args; bwrap bounds that too. */
const MAX_ARGS_DEPTH = 16;
const argsDepth = new WeakMap<RunRequest, number>();

/** Read NUL-separated options from an fd and apply them right here, as if written in place of --args FD. */
function applyArgsFd(req: RunRequest, fd: string): void {
  const depth = argsDepth.get(req) ?? 0;
  if (depth >= MAX_ARGS_DEPTH) throw usageError(`--args: more than ${MAX_ARGS_DEPTH} nested --args`);
  const text = readFd("--args", fd).toString("utf8");
  const words = text.split("\0");
  if (words.at(-1) === "") words.pop();
  const before = req.command;
  argsDepth.set(req, depth + 1);
  try {
    parseRunArgs(words, req);
  } finally {
    argsDepth.set(req, depth);
  }
  if (req.command.length > 0) {
    throw usageError(`--args ${fd}: the arguments read from file descriptor ${fd} contain a command (${JSON.stringify(req.command[0])}); only options may come from --args, the command goes on the command line`);
  }
  req.command = before;
}

/** The one environment layer: bwrap edits its environment flag by flag, so a later flag undoes an earlier one. */
function envLayer(req: RunRequest): NonNullable<Policy["env"]> {
  const s = bwrapState(req);
  if (!s.env) {
    s.env = { set: {}, unset: [] };
    layer(req, "--setenv/--unsetenv/--clearenv", [], { env: s.env });
  }
  return s.env;
}

function setEnv(req: RunRequest, name: string, value: string): void {
  const env = envLayer(req);
  env.unset = (env.unset ?? []).filter((n) => n !== name);
  env.set = { ...env.set, [name]: value };
}

function unsetEnv(req: RunRequest, name: string): void {
  const env = envLayer(req);
  const set = { ...env.set };
  delete set[name];
  env.set = set;
  if (!env.unset?.includes(name)) env.unset = [...(env.unset ?? []), name];
}

function clearEnv(req: RunRequest): void {
  const env = envLayer(req);
  env.clear = true;
  env.keep = [];
  env.set = {};
  env.unset = [];
}

/** "net_admin", "CAP_NET_ADMIN" or "ALL", as bwrap takes them. */
function capNames(flag: string, value: string): string[] {
  const upper = value.toUpperCase();
  if (upper === "ALL") return [...CAPABILITIES];
  const name = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!(CAPABILITIES as readonly string[]).includes(name)) throw usageError(`${flag}: unknown capability ${JSON.stringify(value)}`);
  return [name];
}

/** A capability list after edits, in the kernel's order. */
function editCaps(base: readonly string[], edits: readonly { add: boolean; names: string[] }[]): string[] {
  let kept = [...base];
  for (const e of edits) kept = e.add ? [...new Set([...kept, ...e.names])] : kept.filter((c) => !e.names.includes(c));
  return CAPABILITIES.filter((c) => kept.includes(c));
}

/**
 * bwrap starts from no capabilities and applies --cap-add/--cap-drop in order; outside bwrap mode they
 * edit the policy's own keep list instead, so --cap-add CAP_X adds to what the policy keeps.
 */
function changeCaps(req: RunRequest, flag: string, value: string, add: boolean): void {
  const s = bwrapState(req);
  const names = capNames(flag, value);
  if (!req.bwrapMode) {
    if (!s.capEdits) {
      const edits: { add: boolean; names: string[] }[] = [];
      s.capEdits = edits;
      req.layers.push({
        policy: {},
        label: "command line --cap-add/--cap-drop",
        over: (merged) => ({ capabilities: { keep: editCaps(merged.capabilities?.keep ?? [], edits) } }),
      });
    }
    s.capEdits.push({ add, names });
    return;
  }
  if (!s.caps) {
    s.caps = [];
    layer(req, "--cap-add/--cap-drop", [], { capabilities: { keep: s.caps } });
  }
  const kept = add ? [...new Set([...s.caps, ...names])] : s.caps.filter((c) => !names.includes(c));
  s.caps.splice(0, s.caps.length, ...CAPABILITIES.filter((c) => kept.includes(c)));
}

export const BWRAP_PROCESS_FLAGS: FlagSpec[] = [
  bwrapFlag({
    names: ["--args"],
    arity: 1,
    values: "FD",
    help: "read more options from file descriptor FD, separated by NUL bytes, and apply them here",
    apply: (r, [fd]) => applyArgsFd(r, fd!),
  }),
  bwrapFlag({
    names: ["--chdir"],
    arity: 1,
    values: "DIR",
    help: "the working directory inside (bwrap mode: else the current directory if it exists inside, else $HOME, else /)",
    apply: (r, [dir]) => {
      const cwd = destination("--chdir", dir!);
      bwrapState(r).chdir = cwd;
      layer(r, "--chdir", [dir!], { cwd });
    },
  }),
  bwrapFlag({
    names: ["--setenv"],
    arity: 2,
    values: "VAR VALUE",
    help: "set an environment variable for the command",
    apply: (r, [name, value]) => setEnv(r, envName("--setenv", name!), value!),
  }),
  bwrapFlag({
    names: ["--unsetenv"],
    arity: 1,
    values: "VAR",
    help: "remove an environment variable",
    apply: (r, [name]) => unsetEnv(r, envName("--unsetenv", name!)),
  }),
  bwrapFlag({
    names: ["--clearenv"],
    arity: 0,
    help: "remove every environment variable but PWD; later --setenv flags still apply",
    apply: (r) => clearEnv(r),
  }),
  bwrapFlag({
    names: ["--new-session"],
    arity: 0,
    help: "run the command in a new session (setsid), away from the terminal, so it cannot push input into it",
    apply: (r) => layer(r, "--new-session", [], { newSession: true }),
  }),
  bwrapFlag({
    names: ["--die-with-parent"],
    arity: 0,
    help: "kill the sandbox when nsjail-ts's parent dies (the default outside bwrap mode)",
    apply: (r) => layer(r, "--die-with-parent", [], { dieWithParent: true }),
  }),
  bwrapFlag({
    names: ["--cap-add"],
    arity: 1,
    values: "CAP",
    help: "keep capability CAP (or ALL) inside the sandbox, besides the policy's; in order (bwrap mode: starting from none)",
    apply: (r, [cap]) => changeCaps(r, "--cap-add", cap!, true),
  }),
  bwrapFlag({
    names: ["--cap-drop"],
    arity: 1,
    values: "CAP",
    help: "drop capability CAP (or ALL), also one the policy keeps",
    apply: (r, [cap]) => changeCaps(r, "--cap-drop", cap!, false),
  }),
];
