import type { Command } from './types.ts';
import { runFixturePipeline } from '../../cpython2/fixture-run.ts';
import { logInfo } from '../log.ts';
import { writeReport } from '../output.ts';
import { exitCodes } from '../errors.ts';

export const demoCommand: Command = {
  builder: (y) =>
    y
      .positional('src', { type: 'string', describe: 'a fixture tree with a Makefile and driver/threads.c (default: fixtures/minipy)' })
      .option('threads', { alias: 'n', type: 'number', default: 4, describe: 'interpreters to run at once' })
      .option('iterations', { type: 'number', default: 200, describe: 'workload size per interpreter' })
      .option('tsan', { type: 'boolean', default: true, describe: 'also run under ThreadSanitizer (the rewritten tree and its unrewritten twin)' })
      .option('work', { type: 'string', describe: 'keep the rewritten tree and builds here (default: a temp dir)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout' })
      .epilogue('Exit 0 when the rewritten fixture runs N threads with correct checksums and no ThreadSanitizer report, and the check gate is clean.'),
  run: async (args) => {
    const r = await runFixturePipeline({ src: args.src, work: args.work, threads: args.threads, iterations: args.iterations, tsan: args.tsan, stock: true, onStep: (m) => logInfo(`» ${m}`) });
    const ok = r.rewritten.status === 0 && r.checkErrors === 0 && (!r.tsan || (r.tsan.status === 0 && r.tsan.races === 0));
    if (args.json) {
      await writeReport(JSON.stringify(r, null, 1) + '\n');
    } else {
      const line = (label: string, o?: { status: number | null; signal: string | null; stdout: string; races: number }) =>
        o && `  ${label.padEnd(34)} ${o.status === 0 ? 'ok  ' : 'FAIL'} exit ${o.status ?? o.signal}${o.races ? `, ${o.races} ThreadSanitizer reports` : ''}  ${o.stdout.trim().split('\n').pop() ?? ''}`;
      const out = [
        `scan: ${r.scan.globals} globals (${r.scan['thread-local'] ?? 0} thread-local, ${r.scan['shared-immutable'] ?? 0} shared-immutable, ${r.scan['shared-process'] ?? 0} shared-process)`,
        `apply: ${r.apply.edits} edits in ${r.apply.files} files, ${r.apply.moved} initializers moved`,
        `check on the rewritten tree: ${r.checkErrors} errors`,
        line(`rewritten, ${args.threads} threads`, r.rewritten),
        line(`rewritten under TSan`, r.tsan),
        line(`unrewritten, ${args.threads} threads`, r.stock) + '   (shared globals: may crash, hang or give wrong checksums)',
        line(`unrewritten under TSan`, r.tsanStock) + '   (expected: reports)',
        `work dir: ${r.work}`,
        ok ? 'PASS: every thread owned its interpreter' : 'FAIL',
      ].filter(Boolean);
      await writeReport(out.join('\n') + '\n');
    }
    return ok ? exitCodes.ok : exitCodes.findings;
  },
};
