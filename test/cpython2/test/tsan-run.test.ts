// pyglobal test --tsan on fake builds: which builds it accepts, the TSAN_OPTIONS every part gets,
// how the reports TSan wrote are read back, grouped, printed, and turn the run into a failure.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.ts';
import { main } from '../../../src/cli/main.ts';
import { openBuildDir } from '../../../src/cpython2/test/builddir.ts';
import { formatTestReport } from '../../../src/cpython2/test/report-text.ts';
import { runTests } from '../../../src/cpython2/test/run-tests.ts';
import { tsanTimeScale } from '../../../src/cpython2/test/tsan-run.ts';
import { makeFakeBuild } from './helpers/fake-build.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  delete process.env.FAKE_PLAN;
  delete process.env.FAKE_STATE;
  delete process.env.FAKE_TSAN_REPORT;
});

const sampleRace = `==================
WARNING: ThreadSanitizer: data race (pid=PID)
  Write of size 8 at 0x7b0400001000 by thread T2:
    #0 setlocale <null> (libc.so.6+0x3a4b1)
    #1 Py_InitializeEx Python/pythonrun.c:239 (pymt+0xefaf9)

  Previous write of size 8 at 0x7b0400001000 by thread T1:
    #0 setlocale <null> (libc.so.6+0x3a4b1)
    #1 Py_InitializeEx Python/pythonrun.c:239 (pymt+0xefaf9)

SUMMARY: ThreadSanitizer: data race (/lib/x86_64-linux-gnu/libc.so.6+0x3a4b1) in setlocale
==================
ThreadSanitizer: reported 1 warnings
`;

/**
 * A fake build whose pymt, like a TSan-instrumented one, writes to TSAN_OPTIONS' log_path:
 * FAKE_TSAN_REPORT, when set, as the report of every multi-interpreter process.
 */
function tsanFake(summary: object | undefined): string {
  const d = makeFakeBuild({ summary });
  dirs.push(d);
  fs.renameSync(path.join(d, 'pymt'), path.join(d, 'pymt-orig'));
  fs.writeFileSync(
    path.join(d, 'pymt'),
    `#!/usr/bin/env node
const fs = require('fs');
const o = process.env.TSAN_OPTIONS || '';
const log = /log_path="([^"]+)"/.exec(o);
if (log && process.argv.includes('--rounds')) {
  fs.writeFileSync(log[1] + '.' + process.pid, (process.env.FAKE_TSAN_REPORT || '').split('PID').join(String(process.pid)));
}
if (log) fs.appendFileSync(log[1] + '.' + process.pid, 'ThreadSanitizer: Matched 3 suppressions (pid=' + process.pid + '):\\n3 race_top:Py_ADDRESS_IN_RANGE\\n');
require(${JSON.stringify(path.join(d, 'pymt-orig'))});
`,
    { mode: 0o755 },
  );
  fs.mkdirSync(path.join(d, 'Python'));
  fs.writeFileSync(path.join(d, 'Python', 'pythonrun.c'), '');
  return d;
}

function rulesWith(dir: string, suppressions: object[]): string {
  const f = path.join(dir, 'tsan-rules.json');
  fs.writeFileSync(f, JSON.stringify({ suppressions }));
  return f;
}
const reason = 'reviewed for this test: harmless by construction';

describe('openBuildDir: sanitize', () => {
  it('takes it from pyglobal-build.json, or from a Makefile built some other way', () => {
    expect(openBuildDir(tsanFake({ variant: 'tls', status: 'ok', sanitize: 'thread' })).sanitize).toBe('thread');
    expect(openBuildDir(tsanFake({ variant: 'tls', status: 'ok', sanitize: null })).sanitize).toBe(null);
    expect(openBuildDir(tsanFake({ variant: 'tls', status: 'ok' })).sanitize).toBe(null);
    const plain = tsanFake(undefined);
    expect(openBuildDir(plain).sanitize).toBe(null);
    fs.writeFileSync(path.join(plain, 'Makefile'), 'OPT=\t\t-g -O1\nBASECFLAGS=\t-fwrapv -fsanitize=thread -g\n');
    expect(openBuildDir(plain).sanitize).toBe('thread');
    expect(() => openBuildDir(tsanFake({ variant: 'tls', status: 'ok', sanitize: 'address' }))).toThrow(/"sanitize" is "address"/);
  });
});

describe('runTests --tsan', () => {
  it('refuses a build that is not a TSan build, and a TSan build without --tsan (exit 2)', async () => {
    const plain = tsanFake({ variant: 'tls', status: 'ok', sanitize: null });
    await expect(runTests({ build: plain, threads: 2, rounds: 1, tsan: true })).rejects.toThrow(/not a ThreadSanitizer build/);
    const t = tsanFake({ variant: 'tls', status: 'ok', sanitize: 'thread' });
    await expect(runTests({ build: t, threads: 2, rounds: 1, parts: ['c'] })).rejects.toThrow(UsageError);
    await expect(runTests({ build: t, threads: 2, rounds: 1, parts: ['c'] })).rejects.toThrow(/test it with --tsan/);
    let err = '';
    const orig = process.stderr.write.bind(process.stderr);
    (process.stderr as any).write = (s: string) => ((err += s), true);
    try {
      expect(await main(['test', plain, '--tsan', '--parts', 'c'])).toBe(2);
    } finally {
      (process.stderr as any).write = orig;
    }
    expect(err).toMatch(/not a ThreadSanitizer build \(its pyglobal-build.json says sanitize: null\)/);
  });

  it('passes each part its TSAN_OPTIONS, reads the reports back, groups them and fails the run', async () => {
    const d = tsanFake({ variant: 'tls', status: 'ok', sanitize: 'thread' });
    process.env.FAKE_PLAN = JSON.stringify([['ok', 'ok']]);
    process.env.FAKE_STATE = path.join(d, 'state');
    process.env.FAKE_TSAN_REPORT = sampleRace + sampleRace;
    const rules = rulesWith(d, [
      { kind: 'race_top', pattern: 'Py_ADDRESS_IN_RANGE', reason },
      { kind: 'race', pattern: 'never_matches', reason },
    ]);
    const r = await runTests({ build: d, threads: 2, rounds: 2, tsan: true, parts: ['c'], workDir: path.join(d, 'work'), tsanRulesFile: rules });
    expect(r.c?.status).toBe('ok'); // the rounds themselves were right
    expect(r.status).toBe('failed'); // but TSan reported
    const t = r.tsan!;
    expect(t.status).toBe('failed');
    expect(t.options.c).toMatch(/^log_path="[^"]+\/tsan\/c\/tsan" suppressions="[^"]+\/tsan\/suppressions.txt" print_suppressions=1 halt_on_error=0 exitcode=0 allocator_may_return_null=1 history_size=4 handle_segv=0 .* strip_path_prefix="/);
    expect(t.total.reports).toBe(2);
    expect(t.total.groups.map((g) => [g.key, g.count])).toEqual([['data race in Py_InitializeEx Python/pythonrun.c:239', 2]]);
    expect(t.parts.c?.reports).toBe(2);
    // the reference run (-n 1) and the stress run both said which suppressions matched
    expect(t.total.suppressions).toEqual([
      { key: 'race_top:Py_ADDRESS_IN_RANGE', count: 6 },
      { key: 'race:never_matches', count: 0 },
    ]);
    expect(t.total.stale).toEqual(['race:never_matches']);
    expect(t.warnings.join('\n')).toMatch(/race:never_matches matched nothing/);
    expect(fs.readFileSync(t.suppressionsFile, 'utf8')).toContain('race_top:Py_ADDRESS_IN_RANGE\n');

    const text = formatTestReport(r);
    expect(text).toContain('ThreadSanitizer: 2 reports in 1 group [(c) 2], from 2 process logs  [failed]');
    expect(text).toContain('      2× data race in Py_InitializeEx Python/pythonrun.c:239  (c 2)');
    expect(text).toContain('  suppression race:never_matches: matched 0× (stale)');
    expect(text).toMatch(/result: failed/);
  });

  it('passes with no report; (b) without a reference is run and not compared; defaults are the concurrent parts', async () => {
    const d = tsanFake({ variant: 'tls', status: 'ok', sanitize: 'thread' });
    process.env.FAKE_PLAN = JSON.stringify([[], ['ok']]);
    process.env.FAKE_STATE = path.join(d, 'state');
    const rules = rulesWith(d, [{ kind: 'race_top', pattern: 'Py_ADDRESS_IN_RANGE', reason }]);
    const processWide = path.join(d, 'process-wide.json');
    fs.writeFileSync(processWide, JSON.stringify({ tests: [] }));
    const r = await runTests({ build: d, threads: 2, rounds: 1, tsan: true, tests: ['test_a'], rulesFile: processWide, workDir: path.join(d, 'work'), tsanRulesFile: rules });
    expect(r.options.parts).toEqual(['b', 'c']);
    expect(r.b).toMatchObject({ compared: false, reference: 'none', differences: [] });
    expect(r.tsan).toMatchObject({ status: 'ok', problems: [] });
    expect(r.tsan!.total.stale).toEqual([]);
    expect(formatTestReport(r)).toContain('outcomes not compared: no reference');
    expect(tsanTimeScale).toBeGreaterThanOrEqual(10);
  });
});
