import type { Command } from './types.ts';
import { UsageError, exitCodes } from '../errors.ts';
import { logInfo, progress } from '../log.ts';
import { allParts, runTests, type Part } from '../../cpython24/test/run-tests.ts';
import { formatTestReport } from '../../cpython24/test/report-text.ts';

function parseParts(v: string | undefined): Part[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts)
    if (!allParts.includes(p as Part)) throw new UsageError(`--parts ${v}: unknown part "${p}"; use a, b, c (comma-separated)`);
  if (!parts.length) throw new UsageError('--parts: name at least one of a, b, c');
  return [...new Set(parts)] as Part[];
}

export const testCommand: Command = {
  command: 'test <build>',
  describe: 'run the regression suite in one interpreter (a), split over N concurrent interpreters (b), and a stress of N simultaneous lifecycles (c)',
  builder: (y) =>
    y
      .positional('build', { type: 'string', describe: 'a build directory (the --out of pyglobal build)' })
      .option('threads', { type: 'number', default: 2, describe: 'interpreters running at once in (b) and (c)' })
      .option('rounds', { type: 'number', default: 200, describe: 'stress rounds in (c)' })
      .option('parts', { type: 'string', describe: 'which parts to run, e.g. a or b,c (default a,b,c)' })
      .option('tests', { type: 'string', describe: 'only these regression tests in (a) and (b), comma-separated' })
      .option('reference', { type: 'string', describe: 'an earlier --json report whose part (a) is the reference for (b)' })
      .option('rules', { type: 'string', describe: 'process-wide test rules (default rules/process-wide-tests.json)' })
      .option('work-dir', { type: 'string', describe: 'where outputs and logs go (default: a new temporary folder)' })
      .option('scale', { type: 'number', default: 1, describe: 'workload size of each stress lifecycle' })
      .option('timeout', { type: 'number', describe: 'seconds: limit for (a) and each pymt of (b); no-progress limit in (c)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON on stdout' })
      .epilogue(
        [
          'The build is recognised by its pyglobal-build.json, or by ./python and a Makefile.',
          '(b) and (c) need pymt, which pyglobal build --variant tls links next to ./python.',
          'Tests that touch process-wide state run alone after the concurrent phase of (b);',
          'rules/process-wide-tests.json lists them, each with its reason.',
          'Exit codes: 0 every part passed · 1 a part failed (differences, crashes, wrong results) · 2 bad input.',
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
      onProgress: (m) => bar.update(m),
      onPartDone: (p, s) => bar.done(`part (${p}) ${s}`),
    });
    bar.done();
    if (args.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else process.stdout.write(formatTestReport(report));
    if (args.json) logInfo(`test: ${report.status} (outputs and logs in ${report.workDir})`);
    return report.status === 'ok' ? exitCodes.ok : exitCodes.findings;
  },
};
