import type { Command } from './types.ts';
import { UsageError } from '../errors.ts';

export const demoCommand: Command = {
  command: 'demo',
  describe: '(not built yet)',
  builder: (y) => y,
  run: async () => {
    throw new UsageError('demo is not built yet');
  },
};
