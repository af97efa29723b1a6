// The harness's error catalogue and exit codes: one exit point maps each error to a code.

export const ExitCode = {
  ok: 0,
  harnessError: 1,
  badInput: 2,
  verificationFailed: 99,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad input: the message names the option or field, the value, and what was expected. */
export class InputError extends Error {
  override name = "InputError";
}

/** Something the harness needed did not work (a tool missing, a process that would not start). */
export class HarnessError extends Error {
  override name = "HarnessError";
}

/** The run was stopped by a signal (Ctrl-C). */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof InputError) return ExitCode.badInput;
  if (err instanceof InterruptedError) return ExitCode.interrupted;
  return ExitCode.harnessError;
}
