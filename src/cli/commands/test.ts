import type { Command } from './types.ts';
import { UsageError, exitCodes } from '../errors.ts';
import { logInfo, progress } from '../log.ts';
import { allParts, runTests, tsanParts, type Part } from '../../cpython2/test/run-tests.ts';
import { tsanTimeScale } from '../../cpython2/test/tsan-run.ts';
import { formatTestReport } from '../../cpython2/test/report-text.ts';

function parseParts(v: string | undefined): Part[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts)
    if (!allParts.includes(p as Part)) throw new UsageError(`--parts ${v}: unknown part "${p}"; use a, b, c (comma-separated)`);
  if (!parts.length) throw new UsageError('--parts: name at least one of a, b, c');
  return [...new Set(parts)] as Part[];
}

export const testCommand: Command = {
  builder: (y) =>
    y
      .positional('build', { type: 'string', describe: 'a build directory (the --out of pyglobal build)' })
      .option('threads', { type: 'number', default: 2, describe: 'interpreters running at once in (b) and (c)' })
      .option('rounds', { type: 'number', default: 200, describe: 'stress rounds in (c)' })
      .option('parts', { type: 'string', describe: `which parts to run, e.g. a or b,c (default ${allParts.join(',')}; with --tsan ${tsanParts.join(',')})` })
      .option('tests', { type: 'string', describe: 'only these regression tests in (a) and (b), comma-separated' })
      .option('reference', { type: 'string', describe: 'an earlier --json report whose part (a) is the reference for (b)' })
      .option('rules', { type: 'string', describe: "process-wide test rules (default: process-wide-tests.json of the built tree's profile, rules/cpython-X.Y/)" })
      .option('work-dir', { type: 'string', describe: 'where outputs and logs go (default: a new temporary folder)' })
      .option('scale', { type: 'number', default: 1, describe: 'workload size of each stress lifecycle' })
      .option('timeout', { type: 'number', describe: `seconds: limit for (a) and each pymt of (b); no-progress limit in (c) (defaults ×${tsanTimeScale} with --tsan)` })
      .option('tsan', {
        type: 'boolean',
        default: false,
        describe: 'run on a --sanitize thread build: TSan reports go to files, are grouped, and any report fails the run',
      })
      .option('tsan-rules', { type: 'string', describe: "reviewed TSan suppressions (default: tsan-suppressions.json of the built tree's profile)" })
      .example('pyglobal test out/tls --threads 2 --rounds 200', 'all three parts on a thread-local build')
      .example('pyglobal test out/tsan --tsan --threads 2', '(b) and (c) under ThreadSanitizer, on a build --sanitize thread')
      .example('pyglobal test out/tsan --tsan --parts a,b,c --threads 4', 'the same with (a) as the reference for (b), 4 interpreters')
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON on stdout' })
      .epilogue(
        [
          'The build is recognised by its pyglobal-build.json, or by ./python and a Makefile.',
          '(b) and (c) need pymt, which pyglobal build --variant tls links next to ./python.',
          'Tests that touch process-wide state run alone after the concurrent phase of (b);',
          "process-wide-tests.json of the built tree's version profile (rules/cpython-X.Y/) lists them,",
          'each with its reason; thread-tests.json, the tests a build without threads leaves out.',
          '--tsan needs a build made with pyglobal build --sanitize thread (exit 2 otherwise; a TSan',
          'build needs --tsan). It runs (b) and (c) unless --parts says otherwise; (b) is compared with',
          '(a) only when a or --reference is given. TSAN_OPTIONS sends each process\'s reports to',
          '<work-dir>/tsan/<part>/tsan.<pid>, with exitcode=0 (a test\'s or pymt\'s exit status keeps',
          'its meaning), handle_segv=0 and the like (a crash stays a signal: TSan\'s handlers would',
          'exit with that same exitcode), halt_on_error=0, allocator_may_return_null=1 (a huge malloc gives NULL, MemoryError, as without TSan), history_size=4, print_suppressions=1, and',
          "the suppressions of the profile's tsan-suppressions.json (every row has a reason). Reports are",
          'grouped by kind and the first frame in the build\'s own code (function, file:line; frames',
          'TSan left unnamed in extension modules are named with addr2line) and counted; any report',
          'fails the run.',
          'Suppressions that matched nothing are reported as stale.',
          `Under TSan the default time limits are ${tsanTimeScale}x longer (TSan runs the interpreter 14-24x slower here).`,
          'Exit codes: 0 every part passed · 1 a part failed (differences, crashes, wrong results, TSan reports) · 2 bad input.',
        ].join('\n'),
      ),
  run: async (args) => {
    const bar = progress('test');
    const report = await runTests({
      build: args.build,
      threads: args.threads,
      rounds: args.rounds,
      parts: parseParts(args.parts),
      tests: args.tests ? String(args.tests).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined,
      reference: args.reference,
      rulesFile: args.rules,
      workDir: args.workDir,
      scale: args.scale,
      timeoutSeconds: args.timeout,
      tsan: args.tsan,
      tsanRulesFile: args.tsanRules,
      onProgress: (m) => bar.update(m),
      onPartDone: (p, s, note) => bar.done(`part (${p}) ${s}${note ?? ''}`),
    });
    bar.done();
    if (args.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else process.stdout.write(formatTestReport(report));
    if (args.json) logInfo(`test: ${report.status} (outputs and logs in ${report.workDir})`);
    return report.status === 'ok' ? exitCodes.ok : exitCodes.findings;
  },
};
