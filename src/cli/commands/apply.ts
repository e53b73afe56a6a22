import type { Command } from './types.ts';
import { UsageError } from '../errors.ts';

export const applyCommand: Command = {
  command: 'apply',
  describe: '(not built yet)',
  builder: (y) => y,
  run: async () => {
    throw new UsageError('apply is not built yet');
  },
};
