import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithReference, driverSource, parseDriverOutput } from '../../../src/cpython2/test/split.ts';

describe('parseDriverOutput', () => {
  it('reads results, the failure line of a failed test, and the test an interpreter died in', () => {
    const text = [
      'PYMT-START test_a 1',
      'PYMT-RESULT test_a ok 0.120',
      'PYMT-START test_b 1',
      'test test_b failed -- AssertionError: x',
      'PYMT-RESULT test_b failed 1.5',
      'PYMT-START test_c 1',
      'test_c skipped -- no module',
      'PYMT-RESULT test_c skipped 0.001',
      'PYMT-START test_d 1',
      'half a line',
    ].join('\n');
    const r = parseDriverOutput(text, 1);
    expect(r.results).toEqual([
      { test: 'test_a', outcome: 'ok', seconds: 0.12, interp: 1 },
      { test: 'test_b', outcome: 'failed', seconds: 1.5, interp: 1, detail: 'test test_b failed -- AssertionError: x' },
      { test: 'test_c', outcome: 'skipped', seconds: 0.001, interp: 1 },
    ]);
    expect(r.interrupted).toEqual(['test_d']);
    expect(r.done).toBe(false);
    expect(parseDriverOutput('PYMT-DONE 0\n', 0).done).toBe(true);
  });
});

describe('compareWithReference', () => {
  const ref = { ok: ['test_a', 'test_b', 'test_c', 'test_x'], failed: ['test_f'], skipped: ['test_s'] };
  it('is empty when (b) has the same OK set minus the exclusions', () => {
    const results = [
      { test: 'test_a', outcome: 'ok' as const, seconds: 1, interp: 0 },
      { test: 'test_b', outcome: 'ok' as const, seconds: 1, interp: 1 },
      { test: 'test_c', outcome: 'ok' as const, seconds: 1, interp: 0 },
      { test: 'test_f', outcome: 'failed' as const, seconds: 1, interp: 0 },
    ];
    expect(compareWithReference(ref, results, [], new Set(['test_x']))).toEqual([]);
  });
  it('names each test that lost or gained OK, and how', () => {
    const results = [
      { test: 'test_a', outcome: 'failed' as const, seconds: 1, interp: 1, detail: 'test test_a failed -- boom' },
      { test: 'test_f', outcome: 'ok' as const, seconds: 1, interp: 0 },
      { test: 'test_new', outcome: 'ok' as const, seconds: 1, interp: 0 },
    ];
    expect(compareWithReference(ref, results, ['test_b'], new Set())).toEqual([
      { test: 'test_a', a: 'ok', b: 'failed', interp: 1, detail: 'test test_a failed -- boom' },
      { test: 'test_b', a: 'ok', b: 'crashed', interp: undefined, detail: undefined },
      { test: 'test_c', a: 'ok', b: 'not run', interp: undefined, detail: undefined },
      { test: 'test_f', a: 'failed', b: 'ok', interp: 0 },
      { test: 'test_new', a: 'absent', b: 'ok', interp: 0 },
      { test: 'test_x', a: 'ok', b: 'not run', interp: undefined, detail: undefined },
    ]);
  });
});

describe('driverSource', () => {
  it('embeds the queue, the tests and a per-interpreter TESTFN as Python literals', () => {
    const src = driverSource('/q/dir', ['test_a', 'test_b'], '@test_pymt%d');
    expect(src).toContain('QUEUE = "/q/dir"');
    expect(src).toContain('TESTS = ["test_a","test_b"]');
    expect(src).toContain('test_support.TESTFN = "@test_pymt%d" % pymt.index');
    // 2.4 has neither with-statements nor conditional expressions nor "except X as e".
    expect(src).not.toMatch(/\bwith\b|\bas e\b| if .* else /);
  });
});

describe('driverSource with hide-thread tests', () => {
  it('hides thread and threading around those tests only, and puts them back', () => {
    const src = driverSource('/q', ['test_a', 'test_decimal'], '@t%d', ['test_decimal']);
    expect(src).toContain('HIDE_THREAD = ["test_decimal"]');
    expect(src).toMatch(/if test in HIDE_THREAD:[\s\S]*sys\.modules\[name\] = None[\s\S]*regrtest\.runtest[\s\S]*del sys\.modules\[name\]/);
    expect(driverSource('/q', ['test_a'], '@t%d')).toContain('HIDE_THREAD = []');
  });
});

// The driver itself, run by a Python 2 (PYGLOBAL_STOCK_BUILD's ./python, or python2 on PATH)
// against a stand-in regrtest: 2.4's runtest returns a number, 2.7's (result, seconds), with
// other numbers; each test's verdict must be read the same way part (a) reads regrtest's summary.
const python2 = (() => {
  const cands = [process.env.PYGLOBAL_STOCK_BUILD && path.join(process.env.PYGLOBAL_STOCK_BUILD, 'python'), 'python2', 'python2.7'];
  for (const c of cands) {
    if (!c) continue;
    const r = spawnSync(c, ['-S', '-c', 'import sys; print sys.version_info[0]'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '2') return c;
  }
  return undefined;
})();
if (!python2) console.log('split: no Python 2 (PYGLOBAL_STOCK_BUILD unset, no python2 on PATH), skipping the driver run under Python 2');

describe.skipIf(!python2)('the driver under Python 2, with 2.4\'s and 2.7\'s runtest', () => {
  const run = (results: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-driver-'));
    try {
      fs.mkdirSync(path.join(dir, 'lib', 'test'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'queue'));
      fs.writeFileSync(path.join(dir, 'lib', 'pymt.py'), 'index = 0\n');
      fs.writeFileSync(path.join(dir, 'lib', 'test', '__init__.py'), '');
      fs.writeFileSync(path.join(dir, 'lib', 'test', 'test_support.py'), 'TESTFN = "@test"\nverbose = 1\nuse_resources = None\ndef record_original_stdout(f): pass\ndef unload(name): pass\n');
      fs.writeFileSync(
        path.join(dir, 'lib', 'test', 'regrtest.py'),
        `RESULTS = {${Object.entries(results).map(([t, v]) => `${JSON.stringify(t)}: ${v}`).join(', ')}}\ndef runtest(test, verbose, quiet, huntrleaks=False):\n    return RESULTS[test]\n`,
      );
      const tests = Object.keys(results);
      fs.writeFileSync(path.join(dir, 'driver.py'), driverSource(path.join(dir, 'queue'), tests, '@t%d'));
      const r = spawnSync(python2!, ['-S', path.join(dir, 'driver.py')], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(dir, 'lib') } });
      expect(r.stderr).toBe('');
      const out = parseDriverOutput(r.stdout, 0);
      expect(out.done).toBe(true);
      return Object.fromEntries(out.results.map((x) => [x.test, x.outcome]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it("2.4: 1 passed, 0 failed, -1 skipped, -2 resource denied", () => {
    expect(run({ test_a: '1', test_b: '0', test_c: '-1', test_d: '-2', test_e: '7' })).toEqual({
      test_a: 'ok', test_b: 'failed', test_c: 'skipped', test_d: 'skipped', test_e: 'failed',
    });
  });

  it("2.7: (result, seconds); -1 is ENV_CHANGED (its cases passed: OK, as part (a) counts it), -2 skipped, -3 resource denied, -4 interrupted", () => {
    expect(run({ test_a: '(1, 0.5)', test_b: '(0, 0.1)', test_c: '(-1, 0.2)', test_d: '(-2, 0.0)', test_e: '(-3, 0.0)', test_f: '(-4, 0.0)' })).toEqual({
      test_a: 'ok', test_b: 'failed', test_c: 'ok', test_d: 'skipped', test_e: 'skipped', test_f: 'failed',
    });
  });
});
