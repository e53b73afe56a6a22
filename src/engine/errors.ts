// The one error type the library throws for bad input or configuration (a missing tree, an
// unparseable rule, a read-only file): the CLI turns it into one clear message and exit 2.
// It lives at the bottom so that every layer can throw it and none depends on the CLI.

/** Bad input or configuration: reported as one clear message, exit 2, nothing written. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
