import type { Argv } from 'yargs';

/** One subcommand: yargs wiring plus a run function that returns the exit code. */
export interface Command {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<any>;
  run: (args: any) => Promise<number>;
}
