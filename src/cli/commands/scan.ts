import type { Command } from './types.ts';
import { UsageError } from '../errors.ts';

export const scanCommand: Command = {
  command: 'scan',
  describe: '(not built yet)',
  builder: (y) => y,
  run: async () => {
    throw new UsageError('scan is not built yet');
  },
};
