// One error class for every failure nsjail-ts reports to a user, and the documented exit codes.

/** Exit codes of nsjail-ts's own failures (man/nsjail-ts.1, EXIT STATUS; helper-c/plan.h mirrors them). */
export const ExitCode = {
  Usage: 2,
  Internal: 70,
  Policy: 122,
  Timeout: 124,
  Setup: 125,
  NotExecutable: 126,
  NotFound: 127,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in the input a problem is: a file, a JSON pointer inside it, and its line:column. */
export interface Where {
  file?: string;
  pointer?: string;
  line?: number;
  column?: number;
}

export function formatWhere(w: Where): string {
  let s = w.file ?? "";
  if (w.line !== undefined) s += `:${w.line}:${w.column ?? 1}`;
  if (w.pointer !== undefined) s += `${s ? " " : ""}#${w.pointer}`;
  return s;
}

/** A failure with a user-facing one-line message and the exit code it maps to. */
export class NsjailError extends Error {
  readonly code: ExitCodeValue;
  readonly where: Where | undefined;
  readonly shortMessage: string;

  constructor(code: ExitCodeValue, shortMessage: string, opts: { where?: Where; cause?: unknown } = {}) {
    const prefix = opts.where ? formatWhere(opts.where) : "";
    super(prefix ? `${prefix}: ${shortMessage}` : shortMessage, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "NsjailError";
    this.code = code;
    this.where = opts.where;
    this.shortMessage = shortMessage;
  }
}

export const usageError = (msg: string): NsjailError => new NsjailError(ExitCode.Usage, msg);
export const policyError = (msg: string, where?: Where): NsjailError =>
  new NsjailError(ExitCode.Policy, msg, where ? { where } : {});
