export const exitCodes = { ok: 0, findings: 1, badInput: 2 } as const;

/** Bad input or configuration: reported as one clear message, exit 2, nothing written. */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
