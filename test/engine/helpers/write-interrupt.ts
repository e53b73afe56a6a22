// Child process for the signal test of writeFilesAtomic: writes N files, pauses at one step,
// says PAUSED on stdout and waits for the parent's signal. Prints the results as JSON.
// Usage: node --import tsx write-interrupt.ts <root> <count> <prepared|renamed> <pauseAfterIndex>
import { writeFilesAtomic, WriteInterruptedError, type WriteStep } from '../../../src/engine/write.ts';

const [root, countArg, step, pauseArg] = process.argv.slice(2);
const count = Number(countArg);
const pauseAt = Number(pauseArg);
const changes = Array.from({ length: count }, (_, i) => ({ path: `f${i}.c`, text: `new ${i}\n` }));
let seen = 0;

try {
  const results = await writeFilesAtomic(root, changes, {
    dryRun: false,
    onStep: async (s: WriteStep) => {
      if (s !== step) return;
      if (seen++ !== pauseAt) return;
      // Signal listeners don't keep the event loop alive; the timer does (and bounds the wait).
      let timer: NodeJS.Timeout | undefined;
      const got = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 20_000);
        process.once('SIGINT', () => resolve());
      });
      process.stdout.write('PAUSED\n');
      await got;
      clearTimeout(timer);
    },
  });
  process.stdout.write(JSON.stringify({ completed: true, results }) + '\n');
  process.exitCode = 0;
} catch (err) {
  if (err instanceof WriteInterruptedError) {
    process.stdout.write(JSON.stringify({ interrupted: err.signal, results: err.results }) + '\n');
    process.exitCode = 130;
  } else {
    process.stderr.write(String((err as Error).stack) + '\n');
    process.exitCode = 2;
  }
}
