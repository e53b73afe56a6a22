// The code the rewrite adds at fixed places (rules/hooks/): entry calls, fini functions, exact
// replacements and appended code, on a small tree of our own that has the places they name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../src/cpython24/scan.ts';
import { planRewrite, readTexts } from '../../src/cpython24/plan.ts';
import { applyTree } from '../../src/cpython24/apply.ts';

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
  return planRewrite(scan, texts);
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
});
