// Run a plan as a supervised child process: the library's way, which leaves the caller running.

import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { constants } from "node:os";
import { NsjailError, ExitCode } from "../errors.js";
import { helperPath } from "./paths.js";

export interface SetupFailure {
  /** Exit code the helper chose (125 for a failed setup step, 122 for an invalid plan...). */
  exitCode: number;
  /** Index of the failing op in the plan. */
  opIndex: number;
  errno: number;
  message: string;
  /** The failed setup step and where the policy asked for it, e.g. "Bind (build.json:12:5#/mounts/3)". */
  step?: string;
}

export interface RunResult {
  /** The command's exit code, or 128+N when it died of signal N (as the shell reports it). */
  exitCode: number;
  /** The signal that ended the helper itself, if any. */
  signal: NodeJS.Signals | null;
  /** Set when the sandbox could not be set up: which step failed and why. */
  setupError?: SetupFailure;
}

export interface SpawnOptions {
  stdio?: "inherit" | "pipe" | "ignore";
  env?: NodeJS.ProcessEnv;
  onSpawn?: (pid: number, child: ChildProcess) => void;
}

/** Parse the helper's error line `E <exit> <op> <errno> <message>`. */
export function parseErrorRecord(text: string): SetupFailure | undefined {
  const m = /^E (\d+) (\d+) (-?\d+) (.*)$/m.exec(text);
  if (!m) return undefined;
  return { exitCode: Number(m[1]), opIndex: Number(m[2]), errno: Number(m[3]), message: m[4]! };
}

export function spawnPlan(plan: Buffer, opts: SpawnOptions = {}): Promise<RunResult> {
  const std = opts.stdio ?? "inherit";
  const stdio: StdioOptions = [std, std, std, "pipe", "pipe"];
  const child = spawn(helperPath(), ["--plan-fd", "3", "--error-fd", "4"], { stdio, env: opts.env ?? process.env });
  opts.onSpawn?.(child.pid ?? -1, child);
  const planPipe = child.stdio[3] as NodeJS.WritableStream;
  const errPipe = child.stdio[4] as NodeJS.ReadableStream;
  planPipe.on("error", () => {
    /* the helper exits early on a bad plan; its error record says why */
  });
  planPipe.end(plan);
  let errText = "";
  errPipe.on("data", (d: Buffer) => (errText += d.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", (e) =>
      reject(new NsjailError(ExitCode.Setup, `cannot start the helper ${helperPath()}: ${e.message} (was the package built? run npm ci)`, { cause: e })),
    );
    child.on("close", (code, signal) => {
      const setupError = parseErrorRecord(errText);
      const exitCode = code ?? 128 + (signal ? signalNumber(signal) : 0);
      resolve(setupError ? { exitCode, signal, setupError } : { exitCode, signal });
    });
  });
}

function signalNumber(sig: NodeJS.Signals): number {
  return constants.signals[sig] ?? 0;
}
