import { describe, expect, it } from 'vitest';
import { formatTestReport } from '../../../src/cpython2/test/report-text.ts';
import type { TestReport } from '../../../src/cpython2/test/run-tests.ts';

const report: TestReport = {
  schema: 1,
  status: 'failed',
  build: { dir: 'B', variant: 'tls', source: 'pyglobal-build.json', pymt: 'B/pymt', threads: false },
  options: { threads: 2, rounds: 3, parts: ['a', 'b', 'c'], tests: 4, scale: 1 },
  workDir: 'W',
  a: {
    status: 'ok', seconds: 100, command: './python -E -tt Lib/test/regrtest.py', outputFile: 'W/a', exitCode: 1, signal: null,
    timedOut: false, counts: { ok: 2, failed: 1, skipped: 1 }, ok: ['test_a', 'test_b'], failed: ['test_zlib'], skipped: ['test_s'],
    unexpectedSkips: [], complete: true, failureLines: {}, problems: [],
  },
  b: {
    threads: 2,
    phases: [
      {
        name: 'concurrent', interpreters: 2, tests: ['test_a', 'test_b', 'test_zlib'], outputDir: 'W/b',
        processes: [{ end: 'killed by SIGSEGV in interpreter 1, round 1', exitCode: null, signal: 'SIGSEGV', seconds: 3, crashedIn: ['test_b'], failures: [] }],
      },
    ],
    results: [{ test: 'test_a', outcome: 'ok', seconds: 1, interp: 0 }],
    ok: ['test_a'], failed: [], skipped: [], crashed: ['test_b'], excluded: [], alone: [{ test: 'test_s', reason: 'r' }],
    differences: [{ test: 'test_b', a: 'ok', b: 'crashed' }], crashes: 1, seconds: 3, status: 'failed',
    reference: 'part (a) of this run', rulesFile: 'rules.json',
  },
  c: {
    threads: 2, rounds: 3, scale: 1, reference: { checksum: 'c0ffee', pythonChecksum: 'c0ffee', lifecycleSeconds: 0.1 },
    counts: { correct: 2, wrong: 0, error: 0, crash: 0, fatal: 1, hang: 0 },
    failures: [{ round: 3, status: 'fatal', detail: 'Fatal Python error: x' }], processes: 2, seconds: 4, status: 'failed',
  },
};

describe('formatTestReport', () => {
  it('says per part what ran, what differed and why, and the overall result', () => {
    const text = formatTestReport(report);
    expect(text).toContain('(variant tls, without threads, pymt present)');
    expect(text).toContain('(a) regression suite, one interpreter: 2 OK, 1 failed, 1 skipped in 100 s  [ok]\n    failed: test_zlib\n');
    expect(text).toContain('    concurrent pymt: killed by SIGSEGV in interpreter 1, round 1; it was running test_b\n');
    expect(text).toContain('      test_b: ok in (a), crashed in (b)\n');
    expect(text).toContain('    run alone (rules/process-wide-tests.json): test_s\n');
    expect(text).toContain('(c) stress, 3 rounds × 2 interpreters starting together: 2 correct, 0 crashes, 1 fatal errors, 0 wrong, 0 errors, 0 hangs; 2 pymt processes, 4 s  [failed]');
    expect(text).toContain('    single-thread checksum c0ffee, ./python agrees\n    round 3: fatal: Fatal Python error: x\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe('result: failed   (outputs and logs in W)');
  });
});
