// The code the rewrite adds at fixed places (rules/hooks/): entry calls, fini functions, exact
// replacements and appended code, on a small tree of our own that has the places they name.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../src/cpython2/scan.ts';
import { planRewrite, readTexts } from '../../src/cpython2/plan.ts';
import { openTree } from '../../src/cpython2/target/tree.ts';
import { applyTree } from '../../src/cpython2/apply.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-hooks-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const obmalloc = [
  '#include "Python.h"',
  'static unsigned int narenas = 0, maxarenas = 0, nfreepools = 0;',
  'static unsigned long *arenas = NULL;',
  'static void *freepools = NULL, *arenabase = NULL;',
  'void *PyObject_Malloc(size_t nbytes) { return (void *)malloc(nbytes); }',
  'void PyObject_Free(void *p)',
  '{',
  '\tfree(p);',
  '}',
  'void *PyObject_Realloc(void *p, size_t nbytes) { void *bp; if (nbytes) return realloc(p, nbytes); bp = realloc(p, 1); return bp; }',
  '',
].join('\n');

function tree(extra: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(tmp, 't-'));
  const files: Record<string, string> = {
    'Include/patchlevel.h': '#define PY_VERSION "2.4.6"\n',
    'Include/Python.h': '#include "pyport.h"\n#include "pymem.h"\n',
    'Include/pyport.h': '#ifndef Py_PYPORT_H\n#define Py_PYPORT_H\n#endif\n',
    'Include/pymem.h': '#define PyMem_MALLOC(n) (0 ? NULL \\\n\t: malloc((n) ? (n) : 1))\n#define PyMem_REALLOC(p, n) (0 ? NULL \\\n\t: realloc((p), (n) ? (n) : 1))\n',
    'Objects/obmalloc.c': obmalloc,
    'Modules/python.c': '#include "Python.h"\n\nint\nmain(int argc, char **argv)\n{\n\tint x;\n\treturn Py_Main(argc, argv);\n}\n',
    ...extra,
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

function plan(root: string) {
  const scan = scanTree(root);
  const texts = readTexts(root, scan.files.map((f) => f.path));
  return planRewrite(scan, texts, openTree(root).profile);
}

describe('rules/hooks', () => {
  it('calls PyGlobals_InitThread first in python.c main, after its declarations', async () => {
    const root = tree();
    await applyTree(root);
    const text = fs.readFileSync(path.join(root, 'Modules/python.c'), 'utf8');
    expect(text).toMatch(/\tint x;\n\tPyGlobals_InitThread\(\);/);
  });

  it('routes obmalloc and PyMem through the per-thread heap and releases it in FiniThread', async () => {
    const root = tree();
    await applyTree(root);
    const ob = fs.readFileSync(path.join(root, 'Objects/obmalloc.c'), 'utf8');
    expect(ob).toContain('return (void *)PyGlobals_MALLOC(nbytes);');
    expect(ob).toContain('\tPyGlobals_FREE(p);');
    expect(ob).toContain('return PyGlobals_REALLOC(p, nbytes);');
    expect(ob).toContain('void\n_PyGlobals_HeapRelease(void)');
    expect(ob).toContain('void _PyGlobals_Fini_Objects_obmalloc(void)');
    expect(fs.readFileSync(path.join(root, 'Include/pymem.h'), 'utf8')).toContain(': PyGlobals_MALLOC((n) ? (n) : 1))');
    const init = fs.readFileSync(path.join(root, 'Python/pyglobal_init.c'), 'utf8');
    expect(init).toMatch(/PyGlobals_FiniThread\(void\)\n\{\n\t_PyGlobals_Fini_Objects_obmalloc\(\);\n#if !defined\(PYGLOBAL_STOCK\)/);
    expect(init).toContain('\t_PyGlobals_HeapRelease();');
    const h = fs.readFileSync(path.join(root, 'Include/pyglobal.h'), 'utf8');
    expect(h).toMatch(/#\s*define PyGlobals_MALLOC malloc/);
    // idempotent: nothing more on a second run
    const again = await applyTree(root);
    expect(again.files.filter((f) => f.outcome === 'written')).toEqual([]);
  });

  it('refuses a replacement whose text occurs twice, naming the hook', () => {
    const root = tree({ 'Objects/obmalloc.c': obmalloc + 'void *g(size_t nbytes) { return (void *)malloc(nbytes); }\n' });
    const p = plan(root);
    expect(p.findings.some((f) => f.ruleId === 'hook-target-missing' && /obmalloc-heap\.json/.test(f.message))).toBe(true);
  });

  it('leaves a file alone when it has none of a hook\'s texts (another tree\'s allocator)', () => {
    const root = tree({ 'Objects/obmalloc.c': '#include "Python.h"\nstatic int narenas, maxarenas, nfreepools; static unsigned long *arenas; static void *freepools, *arenabase;\n' });
    const p = plan(root);
    expect(p.findings.filter((f) => /obmalloc-heap/.test(f.message))).toEqual([]);
    expect(p.generated.find((g) => g.path === 'Python/pyglobal_init.c')!.text).not.toContain('HeapRelease');
  });

  describe('the per-thread heap (obmalloc-heap.json) as C', () => {
    const gccOk = spawnSync('gcc', ['--version']).status === 0;
    /** The block the hook appends to obmalloc.c, as apply writes it. */
    const heapCode = async () => {
      const root = tree();
      await applyTree(root);
      const ob = fs.readFileSync(path.join(root, 'Objects/obmalloc.c'), 'utf8');
      const at = ob.indexOf('/* pyglobal: generated from rules/hooks/obmalloc-heap.json.');
      expect(at).toBeGreaterThan(0);
      const end = ob.indexOf('\n#endif\n', at); // the fini hook follows it
      expect(end).toBeGreaterThan(at);
      return ob.slice(at, end + '\n#endif\n'.length);
    };
    // What obmalloc.c defines before the appended block: uptr (Py_uintptr_t) and, through
    // pyglobal.h, PYGLOBAL.
    const prelude = '#include <stdlib.h>\n#include <stddef.h>\ntypedef size_t uptr;\n#define PYGLOBAL __thread\n';
    const sanitizerWorks = (flag: string, dir: string) =>
      gccOk &&
      (fs.writeFileSync(path.join(dir, 'probe.c'), 'int main(void) { return 0; }\n'),
      spawnSync('gcc', [flag, path.join(dir, 'probe.c'), '-o', path.join(dir, 'probe')]).status === 0) &&
      spawnSync(path.join(dir, 'probe')).status === 0;

    it('reads no tag before the pointer, and its comment does not claim that would be safe', async () => {
      const code = await heapCode();
      expect(code).not.toMatch(/\)\s*p\s*-\s*1\b/); // no (header *)p - 1
      expect(code).not.toMatch(/reading it is always safe/);
      expect(code).toContain('void\n_PyGlobals_HeapRelease(void)');
      expect(code).not.toMatch(/\/\//);
    });

    it.skipIf(!gccOk)('is C89: no // comments, no declarations after statements, no compound literals', async () => {
      const dir = fs.mkdtempSync(path.join(tmp, 'c89-'));
      const c = path.join(dir, 'heap.c');
      fs.writeFileSync(c, prelude.replace('__thread', '') + (await heapCode()));
      const r = spawnSync('gcc', ['-std=c89', '-pedantic', '-Wall', '-Wextra', '-Wdeclaration-after-statement', '-Werror', '-O2', '-c', c, '-o', path.join(dir, 'heap.o')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });

    // Blocks of this thread's heap and of the C library, freed and reallocated in a shuffled
    // order through the heap's entry points; 3 rounds, each released at the end. Under
    // AddressSanitizer a read of the bytes before a C-library block is a heap-buffer-overflow
    // (the tag the first version read), and LeakSanitizer sees anything HeapRelease missed.
    const harness = String.raw`
#include <stdio.h>
#include <string.h>
#include <pthread.h>
static void *work(void *arg)
{
	enum { N = 20000 };
	static __thread void *ours[N];
	static __thread size_t sizes[N];
	void *theirs[64];
	unsigned long seed = (unsigned long)(size_t)arg;
	int i, round;
#define RND() (seed = seed * 1103515245UL + 12345UL, (seed >> 8) & 0xffffff)
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++) {
			sizes[i] = 1 + RND() % 600;
			ours[i] = _PyGlobals_HeapMalloc(sizes[i]);
			if (ours[i] == NULL) return "malloc failed";
			memset(ours[i], i & 0xff, sizes[i]);
		}
		for (i = 0; i < 64; i++) theirs[i] = malloc(8 + i);
		for (i = 0; i < N; i++) {
			int k = (int)(RND() % N);
			void *t = ours[k]; size_t s = sizes[k];
			ours[k] = ours[i]; sizes[k] = sizes[i]; ours[i] = t; sizes[i] = s;
		}
		for (i = 0; i < N; i++) {
			if (i % 3 != 0) { _PyGlobals_HeapFree(ours[i]); continue; }
			if (((unsigned char *)ours[i])[0] != ((unsigned char *)ours[i])[sizes[i] - 1]) return "block overwritten";
			ours[i] = _PyGlobals_HeapRealloc(ours[i], sizes[i] * 3);
			if (ours[i] == NULL) return "realloc failed";
		}
		for (i = 0; i < 64; i += 2) _PyGlobals_HeapFree(theirs[i]);
		for (i = 1; i < 64; i += 2) { theirs[i] = _PyGlobals_HeapRealloc(theirs[i], 4000); free(theirs[i]); }
		if (_pyglobal_heap_used != (N + 2) / 3) return "wrong count of live blocks";
		_PyGlobals_HeapFree(NULL);
		if (_PyGlobals_HeapRealloc(NULL, 0) == NULL || _PyGlobals_HeapMalloc(0) == NULL) return "zero-size block";
		_PyGlobals_HeapRelease();
		if (_pyglobal_heap != NULL || _pyglobal_heap_used != 0) return "not released";
	}
	return NULL;
}
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, i, bad = 0;
	pthread_t t[8];
	for (i = 0; i < n; i++) pthread_create(&t[i], NULL, work, (void *)(size_t)(12345 + i));
	for (i = 0; i < n; i++) { void *r; pthread_join(t[i], &r); if (r) { printf("thread %d: %s\n", i, (char *)r); bad = 1; } }
	if (!bad) printf("ok\n");
	return bad;
}
`;
    const runHarness = async (flag: string, threads: number) => {
      const dir = fs.mkdtempSync(path.join(tmp, 'heap-'));
      const c = path.join(dir, 'h.c');
      fs.writeFileSync(c, prelude + (await heapCode()) + harness);
      const exe = path.join(dir, 'h');
      const cc = spawnSync('gcc', ['-g', '-O1', flag, '-pthread', c, '-o', exe], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      return spawnSync(exe, [String(threads)], { encoding: 'utf8', env: { ...process.env, TSAN_OPTIONS: 'exitcode=66', ASAN_OPTIONS: 'detect_leaks=1' } });
    };

    it.skipIf(!sanitizerWorks('-fsanitize=address', tmp))('never reads outside an allocation and releases every block (AddressSanitizer)', async () => {
      const r = await runHarness('-fsanitize=address', 1);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('ok\n');
      expect(r.status).toBe(0);
    }, 60_000);

    it.skipIf(!sanitizerWorks('-fsanitize=thread', tmp))('two threads, each with its own heap: no ThreadSanitizer report', async () => {
      const r = await runHarness('-fsanitize=thread', 2);
      expect(r.stderr).not.toMatch(/ThreadSanitizer/);
      expect(r.stdout).toBe('ok\n');
      expect(r.status).toBe(0);
    }, 60_000);
  });
});

