// The C library calls with static state: rules load strictly, every site is found with what it
// needs, apply routes the shim kind through PyGlobals_NAME, and check gates new calls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { libcHeader, libcIndex, libcSitesOf, loadLibcRules, loadReviewedSites } from '../../src/cpython2/libc.ts';
import { lineIndex } from '../../src/engine/lex.ts';
import { applyTree } from '../../src/cpython2/apply.ts';
import { checkTree } from '../../src/cpython2/check.ts';
import { defaultTree } from '../../src/cpython2/target/tree.ts';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));
const writeRules = (calls: unknown) => {
  const f = path.join(tmp('pyglobal-libc-rules-'), 'libc-calls.json');
  fs.writeFileSync(f, JSON.stringify({ id: 'libc-calls', calls }));
  return f;
};

describe('rules/libc-calls.json', () => {
  it('loads, every row with a kind and a reason, every shim with its prototype', () => {
    const rules = loadLibcRules();
    expect(rules.length).toBeGreaterThan(80);
    for (const name of ['localtime', 'gmtime', 'ctime', 'asctime', 'getpwnam', 'getpwuid', 'getgrnam', 'getgrgid', 'gethostbyname', 'setlocale', 'strerror', 'strtok']) {
      expect(rules.find((r) => r.name === name)?.kind, name).toBe('shim');
    }
    for (const r of rules) expect(r.reason.length, r.name).toBeGreaterThan(10);
    expect(loadReviewedSites().every((r) => r.reason.length > 10)).toBe(true);
  });

  it('refuses a row without a reason, an unknown kind, a shim without a prototype, and duplicates', () => {
    expect(() => loadLibcRules(writeRules([{ name: 'rand', kind: 'unsafe', reason: '' }]))).toThrow(/calls\[0\] \(rand\): field "reason"/);
    expect(() => loadLibcRules(writeRules([{ name: 'rand', kind: 'maybe', reason: 'one state per process' }]))).toThrow(/"kind" must be one of/);
    expect(() => loadLibcRules(writeRules([{ name: 'gmtime', kind: 'shim', reason: 'a static struct tm' }]))).toThrow(/a shim needs field "returns"/);
    const row = { name: 'rand', kind: 'unsafe', reason: 'one state per process' };
    expect(() => loadLibcRules(writeRules([row, row]))).toThrow(/listed twice/);
  });

  it('generates a header that is the C library itself in the stock build', () => {
    const h = libcHeader(loadLibcRules());
    expect(h).toContain('#if defined(PYGLOBAL_STOCK) || defined(_WIN32)');
    expect(h).toContain('#define PyGlobals_localtime localtime');
    expect(h).toContain('struct tm *PyGlobals_localtime(const time_t *t);');
    expect(h).toContain('struct passwd *PyGlobals_getpwuid(uid_t uid);');
  });
});

describe('call sites', () => {
  const ix = libcIndex();
  const of = (text: string, file = 'Modules/x.c') => libcSitesOf(file, text, lineIndex(text), ix).map((s) => `${s.spelled}:${s.status}`);
  it('marks each site with what it needs', () => {
    expect(of('void f(void) { gmtime(&t); PyGlobals_localtime(&t); readdir(d); rand(); }')).toEqual(['gmtime:bare', 'PyGlobals_localtime:routed', 'readdir:safe', 'rand:unreviewed']);
  });
  it('accepts reviewed sites of functions without a safe form', () => {
    expect(of('static PyObject *posix_system(PyObject *self) { sts = system(command); }', 'Modules/posixmodule.c')).toEqual(['system:reviewed']);
  });
  it('leaves the files pyglobal writes alone, and a file that defines its own', () => {
    expect(of('struct tm *PyGlobals_gmtime(const time_t *t) { return gmtime_r(t, &tm); }', 'Python/pyglobal_libc.c')).toEqual([]);
    expect(of('char *\nstrerror(int e)\n{\n\treturn "x";\n}\n')).toEqual(['strerror:own-definition']);
  });
});

describe('apply and check on the fixture', () => {
  it('routes every call (a function passed as a pointer too), and check then passes; a new call fails it', async () => {
    const out = path.join(tmp('pyglobal-libc-apply-'), 'tree');
    await applyTree(defaultTree, { out });
    const text = fs.readFileSync(path.join(out, 'Modules/timecheck.c'), 'latin1');
    expect(text).toContain('fields_match(PyGlobals_gmtime, t)');
    expect(text).toContain('PyGlobals_asctime(PyGlobals_gmtime(&t))');
    expect(text).toContain('PyGlobals_strtok(text, ",")');
    expect(text).not.toMatch(/[^_]\b(gmtime|strtok|asctime)\(/);
    expect(fs.existsSync(path.join(out, 'Include/pyglobal_libc.h'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'Include/pyport.h'), 'latin1')).toContain('#include "pyglobal_libc.h"');
    const clean = checkTree(out).report.findings.filter((f) => f.ruleId === 'unsafe-libc-call');
    expect(clean).toEqual([]);

    fs.appendFileSync(path.join(out, 'Modules/timecheck.c'), '\nint probe_year(time_t t) { return localtime(&t)->tm_year; }\n');
    const found = checkTree(out).report.findings.filter((f) => f.ruleId === 'unsafe-libc-call');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'Modules/timecheck.c', severity: 'error', name: 'localtime', function: 'probe_year' });
    expect(found[0].message).toMatch(/localtime\(\) is not thread-safe.*Use PyGlobals_localtime: localtime_r/);
  }, 60_000);

  it('the shims compile as C89 with every warning an error, in both builds', async () => {
    const out = path.join(tmp('pyglobal-libc-c89-'), 'tree');
    await applyTree(defaultTree, { out });
    for (const variant of [[], ['-DPYGLOBAL_STOCK']]) {
      const r = spawnSync('gcc', ['-std=c89', '-pedantic', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-Werror=declaration-after-statement', ...variant, '-IInclude', '-c', 'Python/pyglobal_libc.c', '-o', '/dev/null'], { cwd: out, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
  }, 60_000);
});

describe('libc rules by profile layer', () => {
  it("2.7's layer adds the shadow password calls and their C; 2.4's rules and source are the base alone", async () => {
    const { profileFor } = await import('../../src/cpython2/profile.ts');
    const { libcSource: source, loadLibcRules: load } = await import('../../src/cpython2/libc.ts');
    const p24 = profileFor('2.4.6')!;
    const p27 = profileFor('2.7.6')!;
    const names = (p: typeof p24) => load(p).map((r) => r.name);
    expect(names(p27)).toEqual(expect.arrayContaining(['getspnam', 'setspent', 'getspent', 'endspent', 'getpwnam']));
    expect(names(p24)).not.toContain('getspnam');
    const root = new URL('../..', import.meta.url).pathname;
    const base = (await import('node:fs')).readFileSync(`${root}src/c/pyglobal_libc.c`, 'latin1');
    expect(source(root, p24)).toBe(base);
    expect(source(root, p27).startsWith(base)).toBe(true);
    expect(source(root, p27)).toContain('PyGlobals_getspnam(const char *name)');
  });
});
