import type { Command } from './types.ts';
import { UsageError } from '../errors.ts';

export const checkCommand: Command = {
  command: 'check',
  describe: '(not built yet)',
  builder: (y) => y,
  run: async () => {
    throw new UsageError('check is not built yet');
  },
};
