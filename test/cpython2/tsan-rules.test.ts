// rules/tsan-suppressions.json: every row has a reason, malformed rows are refused, and the
// suppressions file and TSAN_OPTIONS written from it say what TSan needs.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.ts';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knownProfiles, loadProfile, profileFile } from '../../src/cpython2/profile.ts';
import { loadTsanRules, preludeText, suppressionsText, tsanOptions, validateTsanRules } from '../../src/cpython2/tsan/rules.ts';

const reason = 'a deliberate read that is harmless, documented in the source';
const load = (suppressions: unknown[], extra: Record<string, unknown> = {}) =>
  validateTsanRules({ suppressions, ...extra }, 'rules/x.json');

describe('rules/tsan-suppressions.json', () => {
  it('loads: every row has a reason; obmalloc\'s address-in-range read is the one exempted', () => {
    const r = loadTsanRules();
    expect(r.uninstrumented.map((u) => u.function)).toEqual(['Py_ADDRESS_IN_RANGE']);
    expect(r.buildFlags.map((f) => f.flag)).toEqual(['-DPy_USING_MEMORY_DEBUGGER']);
    expect(r.linkLibraries.map((l) => l.library)).toEqual(['crypt']);
    for (const row of [...r.suppressions, ...r.buildFlags, ...r.uninstrumented, ...r.linkLibraries]) expect(row.reason.length).toBeGreaterThan(40);
    // Not for the C library's state: the shim fixes those, they are not to be silenced.
    const names = [...r.suppressions.map((s) => s.pattern), ...r.uninstrumented.map((u) => u.function)];
    expect(names.some((n) => /setlocale|tzset|readline/.test(n))).toBe(false);
  });

  it('the prelude declares each exempted function no_sanitize_thread, and gcc merges it with the definition', () => {
    const text = preludeText(loadTsanRules());
    expect(text).toContain('struct pool_header;\n');
    expect(text).toContain('int Py_ADDRESS_IN_RANGE(void *P, struct pool_header *pool) __attribute__((no_sanitize_thread));');
    if (spawnSync('gcc', ['--version']).status !== 0) return;
    // obmalloc.c's shape: a typedef'd pointer in its own declaration and definition.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-prelude-'));
    try {
      fs.writeFileSync(path.join(dir, 'prelude.h'), text);
      fs.writeFileSync(
        path.join(dir, 'ob.c'),
        'struct pool_header { unsigned int arenaindex; };\ntypedef struct pool_header *poolp;\n' +
          'int Py_ADDRESS_IN_RANGE(void *P, poolp pool);\nint\nPy_ADDRESS_IN_RANGE(void *P, poolp pool)\n{\n\treturn P != 0 && pool->arenaindex < 4;\n}\n',
      );
      const r = spawnSync('gcc', ['-fsanitize=thread', '-Wall', '-Wstrict-prototypes', '-Werror', '-include', path.join(dir, 'prelude.h'), '-S', '-o', '-', path.join(dir, 'ob.c')], { encoding: 'utf8' });
      if (/cannot find|unrecognized/.test(r.stderr)) return; // no TSan in this gcc
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/Py_ADDRESS_IN_RANGE:/);
      expect(r.stdout).not.toMatch(/__tsan_read/); // its read is not instrumented
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("2.7's rules: every profile has one; the same exemptions, each naming what 2.7.6's obmalloc.c and setup.py have", () => {
    const r = loadTsanRules(profileFile(loadProfile('cpython-2.7'), 'tsan-suppressions.json'));
    expect(r.file).toMatch(/rules\/cpython-2\.7\/tsan-suppressions\.json$/);
    expect(r.uninstrumented.map((u) => u.function)).toEqual(['Py_ADDRESS_IN_RANGE']);
    expect(r.buildFlags.map((f) => f.flag)).toEqual(['-DPy_USING_MEMORY_DEBUGGER']);
    expect(r.linkLibraries.map((l) => l.library)).toEqual(['crypt']);
    expect(r.suppressions).toEqual([]);
    for (const p of knownProfiles()) expect(() => loadTsanRules(profileFile(p, 'tsan-suppressions.json'))).not.toThrow();
    // With a 2.7.6 tree (CPYTHON27_SRC): the names the rows rely on are in its source.
    const src = process.env.CPYTHON27_SRC;
    if (!src) return;
    const ob = fs.readFileSync(path.join(src, 'Objects/obmalloc.c'), 'utf8');
    expect(ob).toMatch(/#ifdef Py_USING_MEMORY_DEBUGGER[\s\S]*^Py_ADDRESS_IN_RANGE\(void \*P, poolp pool\)$/m);
    expect(ob).toMatch(/typedef struct pool_header \*poolp;/);
    expect(fs.readFileSync(path.join(src, 'setup.py'), 'utf8')).toMatch(/Extension\('crypt', \['cryptmodule\.c'\], libraries=libs\)/);
  });

  it('the prelude is empty in assembly sources, which the same flags preprocess (2.7 libffi\'s unix64.S)', () => {
    const text = preludeText(loadTsanRules());
    expect(text).toContain('#if defined(__SANITIZE_THREAD__) && !defined(__ASSEMBLER__)');
    if (spawnSync('gcc', ['--version']).status !== 0) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-prelude-'));
    try {
      fs.writeFileSync(path.join(dir, 'prelude.h'), text);
      fs.writeFileSync(path.join(dir, 'f.S'), '\t.text\n\t.globl f\nf:\n\tret\n');
      const r = spawnSync('gcc', ['-fsanitize=thread', '-include', path.join(dir, 'prelude.h'), '-c', '-o', path.join(dir, 'f.o'), path.join(dir, 'f.S')], { encoding: 'utf8' });
      if (/cannot find|unrecognized/.test(r.stderr)) return;
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses rows without a reason, unknown kinds, blank or catch-all patterns, duplicates and unknown fields', () => {
    expect(() => load([{ kind: 'race', pattern: 'f' }])).toThrow(/suppressions\[0\]\.reason/);
    expect(() => load([{ kind: 'race', pattern: 'f', reason: 'ok' }])).toThrow(/reason/);
    expect(() => load([{ kind: 'data_race', pattern: 'f', reason }])).toThrow(/kind/);
    expect(() => load([{ kind: 'race', pattern: 'two words', reason }])).toThrow(/pattern/);
    expect(() => load([{ kind: 'race', pattern: '*', reason }])).toThrow(/pattern/);
    expect(() => load([{ kind: 'race', pattern: 'race:f', reason }])).toThrow(/pattern/);
    expect(() => load([{ kind: 'race', pattern: 'f', reason }, { kind: 'race', pattern: 'f', reason }])).toThrow(/twice/);
    expect(() => load([{ kind: 'race', pattern: 'f', reason, why: 'x' }])).toThrow(/unknown field "why"/);
    expect(() => load([], { buildFlags: [{ flag: '-DX' }] })).toThrow(/buildFlags\[0\]\.reason/);
    expect(() => load([], { buildFlags: [{ flag: '-D X', reason }] })).toThrow(/flag/);
    expect(() => load([], { uninstrumented: [{ function: 'f', prototype: 'int f(void)' }] })).toThrow(/uninstrumented\[0\]\.reason/);
    expect(() => load([], { uninstrumented: [{ function: 'f', prototype: 'int g(void)', reason }] })).toThrow(/prototype/);
    expect(() => load([], { uninstrumented: [{ function: 'f', prototype: 'int f(void) { return 0; }', reason }] })).toThrow(/prototype/);
    expect(load([], { uninstrumented: [{ function: 'f', prototype: 'int f(void *p, struct s *q)', reason }] }).uninstrumented).toHaveLength(1);
    expect(() => validateTsanRules({}, 'rules/x.json')).toThrow(UsageError);
    expect(() => load([], { linkLibraries: [{ library: '-lcrypt', reason }] })).toThrow(/library/);
    expect(() => load([], { linkLibraries: [{ library: 'crypt' }] })).toThrow(/linkLibraries\[0\]\.reason/);
    expect(load([{ kind: 'called_from_lib', pattern: 'libfoo.so', reason }]).suppressions).toHaveLength(1);
  });

  it('writes the suppressions file with each reason above its line', () => {
    const text = suppressionsText(load([{ kind: 'race_top', pattern: 'f*', reason: 'first\nline' + reason }]));
    expect(text.split('\n')).toEqual([
      '# generated by pyglobal from rules/x.json; edit that file, not this one',
      `# first line${reason}`,
      'race_top:f*',
      '',
    ]);
  });

  it('TSAN_OPTIONS: reports to files, every report, matched suppressions printed, the program\'s own exit status, crashes stay signals', () => {
    const o = tsanOptions({ logPrefix: '/w/tsan/b/tsan', suppressionsFile: '/w/tsan/s.txt', stripPrefix: '/b/' });
    expect(o).toBe(
      'log_path="/w/tsan/b/tsan" suppressions="/w/tsan/s.txt" print_suppressions=1 halt_on_error=0 exitcode=0 allocator_may_return_null=1 history_size=4 ' +
        'handle_segv=0 handle_sigbus=0 handle_sigfpe=0 handle_sigill=0 strip_path_prefix="/b/"',
    );
    expect(() => tsanOptions({ logPrefix: '/w/"x', suppressionsFile: '/s' })).toThrow(UsageError);
  });
});
