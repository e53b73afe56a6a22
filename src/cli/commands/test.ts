import type { Command } from './types.ts';
import { UsageError } from '../errors.ts';

export const testCommand: Command = {
  command: 'test',
  describe: '(not built yet)',
  builder: (y) => y,
  run: async () => {
    throw new UsageError('test is not built yet');
  },
};
