import type { Argv } from 'yargs';

/** One subcommand's implementation: yargs wiring plus a run function that returns the exit code. */
export interface Command {
  builder: (y: Argv) => Argv<any>;
  run: (args: any) => Promise<number>;
}

/** A subcommand as the top level lists it; load() brings in its options and implementation. */
export interface CommandEntry {
  command: string;
  describe: string;
  load: () => Promise<Command>;
}
