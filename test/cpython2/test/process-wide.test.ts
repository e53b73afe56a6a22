import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.ts';
import { loadProcessWideRules, staleRows, validateProcessWideRules } from '../../../src/cpython2/test/process-wide.ts';
import { listRegressionTests } from '../../../src/cpython2/test/testlist.ts';

const row = { test: 'test_x', mode: 'alone', state: ['cwd'], reason: 'calls os.chdir, which is process-wide' };

describe('process-wide test rules', () => {
  it('ships a valid rules file in which every row has a state and a reason', () => {
    const rules = loadProcessWideRules();
    expect(rules.tests.length).toBeGreaterThan(10);
    for (const r of rules.tests) {
      expect(r.reason.length).toBeGreaterThan(30);
      expect(r.state.length).toBeGreaterThan(0);
    }
    // The tests that change the working directory, signals, environment and locale are there.
    const names = rules.tests.map((r) => r.test);
    for (const t of ['test_posixpath', 'test_signal', 'test_os', 'test__locale', 'test_resource', 'test_time'])
      expect(names).toContain(t);
  });
  it('rejects rows without a reason, with an unknown state or mode, and duplicates, naming the row', () => {
    const bad = (tests: unknown[]) => () => validateProcessWideRules({ tests }, 'r.json');
    expect(bad([{ ...row, reason: '' }])).toThrow(/r\.json: tests\[0\] \(test_x\)\.reason/);
    expect(bad([{ ...row, state: ['moon'] }])).toThrow(/unknown state "moon"/);
    expect(bad([{ ...row, mode: 'sometimes' }])).toThrow(/mode/);
    expect(bad([row, row])).toThrow(/test_x is listed twice/);
    expect(bad([{ ...row, extra: 1 }])).toThrow(/unknown field "extra"/);
    expect(bad([{ ...row, test: 'os' }])).toThrow(UsageError);
  });
  it('reports rows naming tests the tree does not have', () => {
    const rules = validateProcessWideRules({ tests: [row, { ...row, test: 'test_y' }] }, 'r.json');
    expect(staleRows(rules, ['test_y']).map((r) => r.test)).toEqual(['test_x']);
  });
});

const src = process.env.CPYTHON24_SRC;
if (!src) console.log('process-wide rules vs the real Lib/test skipped: set CPYTHON24_SRC to a CPython 2.4.6 tree');
describe.skipIf(!src)('process-wide rules against the real tree', () => {
  it('names only tests that exist, and lists every test that calls chdir, setlocale, tzset, setrlimit, umask, putenv, signal or fork', () => {
    const tests = listRegressionTests(src!);
    const rules = loadProcessWideRules();
    expect(staleRows(rules, tests)).toEqual([]);
    const listed = new Set(rules.tests.map((r) => r.test));
    const pattern =
      /\bos\.chdir\(|\bposix\.chdir\(|setlocale\(|\btzset\(|setrlimit\(|\bumask\(|os\.environ\.clear\(|os\.environ\[[^\]]+\]\s*=[^=]|del os\.environ|putenv\(|signal\.alarm\(|signal\.signal\(|os\.fork\(|pty\.fork\(/;
    const touching = tests.filter((t) => pattern.test(fs.readFileSync(path.join(src!, 'Lib', 'test', `${t}.py`), 'latin1')));
    expect(touching.length).toBeGreaterThan(5);
    expect(touching.filter((t) => !listed.has(t))).toEqual([]);
  });
});
