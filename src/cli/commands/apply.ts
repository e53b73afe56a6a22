import type { Command } from './types.ts';
import { openTarget, isExtension } from '../../cpython2/target/index.ts';
import { cxxNotice } from '../../cpython2/target/extension.ts';
import { applyTree } from '../../cpython2/apply.ts';
import { progress, logInfo, logError, logWarn } from '../log.ts';
import { writeReport } from '../output.ts';
import { exitCodes } from '../errors.ts';
import { WriteInterruptedError } from '../../engine/write.ts';
import { constants as osc } from 'node:os';

export const applyCommand: Command = {
  builder: (y) =>
    y
      .positional('src', { type: 'string', describe: 'CPython 2.4 source tree to rewrite in place (default: the bundled fixture)' })
      .option('python', { type: 'string', describe: 'src is a folder of extension sources; this is the rewritten CPython tree it builds against (rewritten in place or --out)' })
      .option('out', { type: 'string', describe: 'Copy the tree here and rewrite the copy; the source stays untouched' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print a unified diff of every change and write nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON summary on stdout' })
      .example('$0 apply ~/src/Python-2.4.6 --out /tmp/py24-tls', 'rewrite a copy')
      .example('$0 apply ~/src/py24 --dry-run > pyglobal.patch', 'review first; the patch applies with patch -p1')
      .example('$0 apply ./mymodule --python /tmp/py24-tls', 'rewrite an extension folder in place; the tree is only read')
      .epilogue(
        [
          'What it changes:',
          '  - PYGLOBAL before every thread-local global and before every declaration of it: PyAPI_DATA(...) lines,',
          '    extern lines, tentative and staticforward declarations, function-local statics, macro bodies;',
          '  - an initializer that names thread-local data (&PyType_Type, Py_None, its own address) is no longer a',
          '    constant: it moves, text unchanged, into a generated function right after the variable, chained per file;',
          '  - Include/pyglobal.h and Python/pyglobal_init.c (PyGlobals_InitThread / PyGlobals_FiniThread) are generated;',
          '    pyport.h includes pyglobal.h; Makefile.pre.in builds the init; extension modules run their own moved',
          '    initializers at the top of init<module>().',
          'Every other byte stays as it was (latin1, tabs). Each file is written through a temp file and a rename; a',
          'second apply changes nothing. Exit 1 when something cannot be rewritten (listed with file:line), nothing written.',
          'SIGINT, SIGTERM or SIGHUP while writing: the temp files are removed, each file is left old or new, exit',
          '128+signal (130 for SIGINT). A run killed outright (SIGKILL) leaves temp files; the next apply removes them.',
        ].join('\n'),
      ),
  run: async (args) => {
    if (args.python !== undefined) {
      const t = openTarget(args.src, { python: args.python });
      const notice = isExtension(t) ? cxxNotice(t) : undefined;
      if (notice) logInfo(notice);
    }
    const p = progress('apply');
    let r: Awaited<ReturnType<typeof applyTree>>;
    try {
      r = await applyTree(args.src, {
        python: args.python,
        out: args.out,
        dryRun: args.dryRun,
        onProgress: (m) => p.update(m),
        onLog: (m) => {
          p.done();
          logInfo(m);
        },
      });
    } catch (err) {
      if (!(err instanceof WriteInterruptedError)) throw err;
      p.done();
      const written = err.results.filter((f) => f.outcome === 'written').length;
      logError(
        `apply interrupted by ${err.signal}: ` +
          (written === 0
            ? `nothing was changed`
            : `${written} of ${err.results.length} files replaced, the other ${err.results.length - written} left as they were ` +
              `(each file is whole, old or new); run apply again to finish`) +
          `; temp files removed`,
      );
      // The shell's convention for "stopped by a signal": 130 for SIGINT, 143 for SIGTERM.
      return 128 + (osc.signals[err.signal] ?? 0);
    }
    p.done();
    const written = r.files.filter((f) => f.outcome === 'written').length;
    if (args.json) await writeReport(JSON.stringify({ ...r, diff: undefined }, null, 1) + '\n');
    else if (args.dryRun) await writeReport(r.diff ?? '');
    for (const f of r.findings) (f.severity === 'error' ? logError : logWarn)(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.ruleId}]`);
    if (r.findings.some((f) => f.severity === 'error')) {
      logError(`apply refused: ${r.findings.filter((f) => f.severity === 'error').length} findings block the rewrite; nothing was written`);
      return exitCodes.findings;
    }
    logInfo(
      `${args.dryRun ? 'would write' : 'wrote'} ${written} files (${r.bytesWritten} bytes); ${r.plan.edits} edits; ` +
        `${r.plan.moved.length} initializers moved; ${r.plan.coreInits.length} core files in PyGlobals_InitThread; tree ${r.root}`,
    );
    return exitCodes.ok;
  },
};
