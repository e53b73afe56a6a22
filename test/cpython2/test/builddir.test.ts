import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.ts';
import { main } from '../../../src/cli/main.ts';
import { openBuildDir } from '../../../src/cpython2/test/builddir.ts';
import { listRegressionTests } from '../../../src/cpython2/test/testlist.ts';
import { makeFakeBuild } from './helpers/fake-build.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function fake(opts: Parameters<typeof makeFakeBuild>[0] = {}): string {
  const d = makeFakeBuild(opts);
  dirs.push(d);
  return d;
}

describe('openBuildDir', () => {
  it('takes the variant from pyglobal-build.json, or calls a plain build unknown', () => {
    expect(openBuildDir(fake({ summary: { variant: 'tls', status: 'ok' } }))).toMatchObject({ variant: 'tls', source: 'pyglobal-build.json', threads: false });
    const plain = openBuildDir(fake({ pymt: false }));
    expect(plain).toMatchObject({ variant: 'unknown', source: 'python+Makefile', pymt: null });
  });
  it("reads the built tree's version profile, whose test lists apply", () => {
    expect(openBuildDir(fake()).profile.id).toBe('cpython-2.4');
    expect(openBuildDir(fake({ version: '2.7.6' })).profile.id).toBe('cpython-2.7');
    expect(() => openBuildDir(fake({ version: '2.6.9' }))).toThrow(/2\.6\.9.*profiles for/);
  });
  it('refuses what is not a finished build, with the reason', () => {
    expect(() => openBuildDir(fake({ summary: { variant: 'tls', status: 'failed' } }))).toThrow(/did not finish/);
    expect(() => openBuildDir(fake({ summary: { variant: 'fast' } }))).toThrow(/"variant" is "fast"/);
    const d = fake();
    fs.rmSync(path.join(d, 'Makefile'));
    expect(() => openBuildDir(d)).toThrow(/not a build directory/);
    const e = fake();
    fs.rmSync(path.join(e, 'python'));
    expect(() => openBuildDir(e)).toThrow(UsageError);
    expect(() => openBuildDir(path.join(e, 'nope'))).toThrow(/no such directory/);
  });
});

describe('listRegressionTests', () => {
  it('puts regrtest STDTESTS first and leaves NOTTESTS out, like findtests', () => {
    const d = fake({ tests: ['test_b', 'test_a', 'test_support', 'test_future1', 'test_types', 'test_grammar'] });
    expect(listRegressionTests(d)).toEqual(['test_grammar', 'test_types', 'test_a', 'test_b']);
  });
});

describe('pyglobal test (CLI) on a fake build', () => {
  it('exits 2 and says why when parts (b) or (c) need a pymt the build lacks', async () => {
    const d = fake({ pymt: false });
    let err = '';
    const orig = process.stderr.write.bind(process.stderr);
    (process.stderr as any).write = (s: string) => ((err += s), true);
    try {
      expect(await main(['test', d, '--parts', 'c'])).toBe(2);
    } finally {
      (process.stderr as any).write = orig;
    }
    expect(err).toMatch(/pymt: missing, so part \(c\) cannot run/);
  });
  it('runs part (a), prints JSON on stdout, and exits 0', async () => {
    const d = fake();
    process.env.FAKE_REGRTEST_OUTPUT = ['test_grammar', 'test_a', 'test_b', 'test_b skipped -- no', '2 tests OK.', '1 test skipped:', '    test_b', ''].join('\n');
    let out = '';
    const origOut = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    (process.stdout as any).write = (s: string) => ((out += s), true);
    (process.stderr as any).write = () => true;
    try {
      expect(await main(['test', d, '--parts', 'a', '--json', '--work-dir', path.join(d, 'work')])).toBe(0);
    } finally {
      (process.stdout as any).write = origOut;
      (process.stderr as any).write = origErr;
      delete process.env.FAKE_REGRTEST_OUTPUT;
    }
    const report = JSON.parse(out);
    expect(report.status).toBe('ok');
    expect(report.a).toMatchObject({ status: 'ok', ok: ['test_a', 'test_grammar'], skipped: ['test_b'], counts: { ok: 2, failed: 0, skipped: 1 } });
  });
  it('fails part (a) when regrtest never printed its summary', async () => {
    const d = fake();
    process.env.FAKE_REGRTEST_OUTPUT = 'test_grammar\ntest_a\n';
    let out = '';
    const origOut = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    (process.stdout as any).write = (s: string) => ((out += s), true);
    (process.stderr as any).write = () => true;
    try {
      expect(await main(['test', d, '--parts', 'a', '--work-dir', path.join(d, 'work')])).toBe(1);
    } finally {
      (process.stdout as any).write = origOut;
      (process.stderr as any).write = origErr;
      delete process.env.FAKE_REGRTEST_OUTPUT;
    }
    expect(out).toMatch(/problem: no summary: regrtest did not finish \(last test started: test_a\)/);
    expect(out).toMatch(/result: failed/);
  });
});

describe("the regression tests, in the order of the tree's own regrtest", () => {
  it("reads STDTESTS and NOTTESTS from its regrtest.py: 2.4's list brackets, 2.7's set braces", async () => {
    const { regrtestList } = await import('../../../src/cpython2/test/testlist.ts');
    const v24 = "STDTESTS = [\n    'test_grammar',\n    'test_types',\n    ]\nNOTTESTS = [\n    'test_support',\n    'test_future3',\n    ]\n";
    const v27 = "STDTESTS = [\n    'test_grammar',\n    'test_unittest', # runs first\n]\n\nNOTTESTS = {\n    'test_support',\n    'test_future1',\n}\n";
    expect(regrtestList(v24, 'NOTTESTS')).toEqual(['test_support', 'test_future3']);
    expect(regrtestList(v27, 'NOTTESTS')).toEqual(['test_support', 'test_future1']);
    expect(regrtestList(v27, 'STDTESTS')).toEqual(['test_grammar', 'test_unittest']);
    expect(regrtestList('x = 1\n', 'STDTESTS')).toBeUndefined();
    const d = fake({ tests: ['test_grammar', 'test_a', 'test_future3', 'test_unittest'] });
    fs.writeFileSync(path.join(d, 'Lib', 'test', 'regrtest.py'), v27);
    expect(listRegressionTests(d)).toEqual(['test_grammar', 'test_unittest', 'test_a', 'test_future3']);
  });
});
