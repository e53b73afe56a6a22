import type { Command } from './types.ts';
import { UsageError } from '../errors.ts';

export const buildCommand: Command = {
  command: 'build',
  describe: '(not built yet)',
  builder: (y) => y,
  run: async () => {
    throw new UsageError('build is not built yet');
  },
};
