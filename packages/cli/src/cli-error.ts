/** An error the CLI reports as one line (no stack) and turns into an exit code. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit code of a command whose machinery has not landed yet. */
export const EXIT_NOT_AVAILABLE = 2;

/** The command exists but what it needs does not yet; it says what is missing, and does nothing. */
export class NotAvailableError extends CliError {
  override readonly name = 'NotAvailableError';
  constructor(missing: string) {
    super(`not available yet: ${missing}`, EXIT_NOT_AVAILABLE);
  }
}
