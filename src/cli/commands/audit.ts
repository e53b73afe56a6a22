import type { Command } from './types.ts';
import { UsageError } from '../errors.ts';

export const auditCommand: Command = {
  command: 'audit',
  describe: '(not built yet)',
  builder: (y) => y,
  run: async () => {
    throw new UsageError('audit is not built yet');
  },
};
