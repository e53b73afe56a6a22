// The CLI is a thin layer: parse arguments, call the library, map the outcome to an exit code.
// Only bin/pyglobal.js sets process.exitCode.
import { yargs } from './yargs.ts';
import { UsageError, exitCodes } from './errors.ts';
import { commands } from './commands/index.ts';
import { logError } from './log.ts';

/** makeParser is yargs itself in a test that holds the help screens to what stock yargs prints. */
export async function main(argv: string[], makeParser: typeof yargs = yargs): Promise<number> {
  let code: number = exitCodes.ok;
  const parser = makeParser(argv)
    .scriptName('pyglobal')
    .usage(
      [
        'pyglobal: make every global of a CPython 2.4 tree thread-local, so one process can run',
        'one isolated interpreter per thread, and prove that nothing was missed.',
        '',
        'Usage: pyglobal <command> [options]',
        '',
        'A typical run on a source checkout:',
        '  pyglobal scan  ~/src/Python-2.4.6 --json > scan.json   list every global and why',
        '  pyglobal build ~/src/Python-2.4.6 --variant stock --out /tmp/stock',
        '  pyglobal audit /tmp/stock --scan scan.json               prove the scan missed nothing',
      ].join('\n'),
    )
    .epilogue(
      [
        'Exit codes: 0 clean · 1 findings (check, audit misses) · 2 bad input, configuration or internal error.',
        'Without a tree, commands that take <src> use the bundled fixture fixtures/minipy.',
        'Extension modules: scan|apply|check <folder> --python <rewritten tree> rewrites your own in place;',
        'a package that generates C while it builds (numpy) goes through the compiler wrapper:',
        '  CC="pyglobal-cc gcc" /tmp/tls/python setup.py build      (pyglobal-cc --help)',
      ].join('\n'),
    )
    .strict()
    .exitProcess(false)
    .demandCommand(1, 'Name a command; see the list above.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err, y) => {
      if (!err && msg) {
        // A usage mistake: show the help, so the list of commands is right there.
        y.showHelp((s: string) => process.stderr.write(s + '\n'));
      }
      throw err ?? new UsageError(msg);
    });
  try {
    // Only the command being run is loaded; the others are listed by name, for the help and for
    // "did you mean". The top level takes no option with a value, so the first word that is not
    // an option names the command.
    const wanted = argv.find((a) => !a.startsWith('-'));
    for (const c of commands) {
      if (c.command.split(' ')[0] !== wanted) {
        parser.command(c.command, c.describe);
        continue;
      }
      const impl = await c.load();
      parser.command({
        command: c.command,
        describe: c.describe,
        builder: impl.builder,
        handler: async (args: any) => {
          code = await impl.run(args);
        },
      } as any);
    }
    await parser.parseAsync();
    return code;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    logError(err.message);
    if (err.hint) logError(err.hint);
    return exitCodes.badInput;
  }
  const e = err as Error;
  logError(`internal error: ${e?.stack ?? String(err)}`);
  return exitCodes.badInput;
}
