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
