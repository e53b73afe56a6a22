import { describe, expect, it } from 'vitest';
import { outcomes, parseRegrtestOutput } from '../../../src/cpython2/test/regrtest-output.ts';

// Output shaped like 2.4's regrtest: test names as they start, skip and failure reports,
// then the summary with printlist()'s indented, wrapped name lists.
const complete = [
  'test_grammar',
  'test_alpha',
  'test_beta',
  'test_beta skipped -- No module named beta',
  'test_gamma',
  'test test_gamma failed -- Traceback (most recent call last):',
  '  File "x.py", line 1, in test_it',
  'AssertionError: 1 != 2',
  'test_delta',
  'some stderr noise of test_delta',
  'test_epsilon',
  'test_epsilon skipped -- needs a sound card',
  'test_zeta',
  'test test_zeta crashed -- exceptions.ImportError: No module named zeta',
  '3 tests OK.',
  '2 tests failed:',
  '    test_gamma',
  '    test_zeta',
  '2 tests skipped:',
  '    test_beta',
  '    test_epsilon',
  '1 skip unexpected on linux2:',
  '    test_epsilon',
  '',
].join('\n');

describe('parseRegrtestOutput', () => {
  it('derives the OK set from the started tests and checks it against the claimed count', () => {
    const r = parseRegrtestOutput(complete);
    expect(r.complete).toBe(true);
    expect(r.started).toEqual(['test_grammar', 'test_alpha', 'test_beta', 'test_gamma', 'test_delta', 'test_epsilon', 'test_zeta']);
    expect(r.ok).toEqual(['test_alpha', 'test_delta', 'test_grammar']);
    expect(r.failed).toEqual(['test_gamma', 'test_zeta']);
    expect(r.skipped).toEqual(['test_beta', 'test_epsilon']);
    expect(r.unexpectedSkips).toEqual(['test_epsilon']);
    expect(r.claimed).toEqual({ ok: 3, failed: 2, skipped: 2 });
    expect(r.failureLines.test_zeta).toMatch(/crashed -- .*ImportError/);
    expect(r.problems).toEqual([]);
    expect(outcomes(r).get('test_gamma')).toBe('failed');
    expect(outcomes(r).get('test_delta')).toBe('ok');
  });

  it("counts 2.7's tests that altered the environment as OK, as its summary lists them apart", () => {
    const text = ['test_alpha', 'test_site', 'test_gamma', 'test test_gamma failed -- boom', '1 test OK.', '1 test failed:', '    test_gamma', '1 test altered the execution environment:', '    test_site', ''].join('\n');
    const r = parseRegrtestOutput(text);
    expect(r.ok).toEqual(['test_alpha', 'test_site']);
    expect(r.failed).toEqual(['test_gamma']);
    expect(r.problems).toEqual([]);
  });

  it('reads wrapped lists with several names per line, "All N tests OK." and singulars', () => {
    const names = Array.from({ length: 9 }, (_, i) => `test_n${i}`);
    const text = [...names, 'All 9 tests OK.', ''].join('\n');
    const r = parseRegrtestOutput(text);
    expect(r.ok).toEqual([...names].sort());
    expect(r.problems).toEqual([]);

    const wrapped = [
      ...names,
      'test_n3 skipped -- x',
      'test_n4 skipped -- x',
      'test_n5 skipped -- x',
      '1 test OK.',
      '5 tests skipped:',
      '    test_n3 test_n4 test_n5',
      '    test_n6 test_n7',
      'Those skips are all expected on linux2.',
      '1 test failed:',
      '    test_n8',
      '',
    ];
    // regrtest prints "failed" before "skipped"; the parser must not depend on the order,
    // but the claimed counts must match the lists: here n0, n1, n2 ran and only 1 is claimed.
    const r2 = parseRegrtestOutput(wrapped.join('\n'));
    expect(r2.skipped).toEqual(['test_n3', 'test_n4', 'test_n5', 'test_n6', 'test_n7']);
    expect(r2.failed).toEqual(['test_n8']);
    expect(r2.ok).toEqual(['test_n0', 'test_n1', 'test_n2']);
    expect(r2.problems).toEqual(['regrtest says 1 tests OK, but 3 started tests neither failed nor skipped']);
  });

  it('reports a run that died: no summary, the last test started is the one it died in', () => {
    const text = ['test_a', 'test_b', 'test_b skipped -- nope', 'test_c', 'test test_c failed -- boom', 'test_d', 'partial out'].join('\n');
    const r = parseRegrtestOutput(text);
    expect(r.complete).toBe(false);
    expect(r.interrupted).toBe('test_d');
    expect(r.ok).toEqual(['test_a']);
    expect(r.failed).toEqual(['test_c']);
    expect(r.skipped).toEqual(['test_b']);
  });

  it('flags lists that disagree with their counts, and text that is not regrtest output', () => {
    const r = parseRegrtestOutput(['test_a', 'test_b', '1 test OK.', '2 tests failed:', '    test_b', ''].join('\n'));
    expect(r.problems).toContain('regrtest says 2 tests failed, but lists 1');
    expect(parseRegrtestOutput('hello\nworld\n').problems).toContain('no test was started (is this regrtest output?)');
  });

  it('ignores summary-looking lines in the middle of the run', () => {
    const r = parseRegrtestOutput(['test_a', '3 tests OK.', 'test_b', '2 tests OK.', ''].join('\n'));
    expect(r.ok).toEqual(['test_a', 'test_b']);
    expect(r.claimed.ok).toBe(2);
    expect(r.problems).toEqual([]);
  });
});
