// Exit codes and the one-line error every bad input gets (never a stack trace).

export const EXIT_OK = 0;
/** A --check mismatch or an invariant violation. */
export const EXIT_MISMATCH = 1;
/** Bad input: a file, a flag, a preset name. */
export const EXIT_BAD_INPUT = 2;

/** An error whose message is already the one line the user should see. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_BAD_INPUT,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
