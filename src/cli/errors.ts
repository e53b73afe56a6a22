export { UsageError } from '../engine/errors.ts';

export const exitCodes = { ok: 0, findings: 1, badInput: 2 } as const;
