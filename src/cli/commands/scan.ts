import type { Command } from './types.ts';
import { scanOpened } from '../../cpython2/scan.ts';
import { openTarget, isExtension } from '../../cpython2/target/index.ts';
import { describeExtension, extensionView } from '../../cpython2/target/extension.ts';
import { pristineStatus, describeTree } from '../../cpython2/pristine.ts';
import { formatScanText } from '../../report/scan-text.ts';
import { progress, logInfo } from '../log.ts';
import { writeReport } from '../output.ts';

export const scanCommand: Command = {
  builder: (y) =>
    y
      .positional('src', { type: 'string', describe: 'CPython 2.4 source tree (default: the bundled fixture fixtures/minipy)' })
      .option('python', { type: 'string', describe: 'src is a folder of extension sources; this is the rewritten CPython tree it builds against' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the full result as JSON on stdout (logs go to stderr)' })
      .option('output', { alias: 'o', type: 'string', describe: 'Write the report to this file instead of stdout' })
      .option('platforms', { type: 'boolean', default: false, describe: 'Also scan PC/, Mac/ and RISCOS/' })
      .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Show each global\'s type and the reason for its classification' })
      .example('$0 scan ~/src/Python-2.4.6', 'globals grouped by file, with totals')
      .example('$0 scan ~/src/Python-2.4.6 --json > scan.json', 'the data for audit, apply and check')
      .example('$0 scan ./mymodule --python /tmp/py24-tls', 'an extension folder, against a tree rewritten by apply')
      .epilogue(
        [
          'Finds file-scope variables (static or not; defined, tentative or extern), function-local statics, and',
          'variables hidden in macros: docstring macros, staticforward, PyAPI_DATA, statics inside the bodies of the',
          "file's own macros (one per use), names built by ## pasting, data defined in headers one .c includes.",
          'Macro meanings and reviewed shared globals come from the version profile of the tree (rules/cpython-X.Y/profile.json).',
          'Regions tree-sitter cannot parse are reported as parse-error findings with file:line, never skipped silently.',
          'Also lists every use of a C library function that keeps static state (rules/libc-calls.json), whether',
          'it is routed through its PyGlobals_ form, safe, reviewed, or not thread-safe yet (-v: the reason).',
          '',
          'Classification: thread-local (each interpreter gets its own copy; the default for mutable state),',
          'shared-immutable (never written: const, docstrings, reviewed tables), shared-process (state of the',
          'process itself, or defined outside the tree).',
        ].join('\n'),
      ),
  run: async (args) => {
    const tree = openTarget(args.src, { python: args.python });
    logInfo(isExtension(tree) ? describeExtension(tree) : describeTree(tree, pristineStatus(tree)));
    const p = progress('scan');
    const full = scanOpened(tree, { platforms: args.platforms, onProgress: (i, n, f) => p.update(`${i}/${n} ${f}`) });
    const result = isExtension(tree) ? extensionView(full) : full;
    p.done(`${result.totals.globals} globals in ${result.totals.files} files`);
    const text = args.json ? JSON.stringify(result, null, 1) + '\n' : formatScanText(result, { color: !args.output && process.stdout.isTTY, verbose: args.verbose });
    await writeReport(text, args.output);
    return 0;
  },
};
