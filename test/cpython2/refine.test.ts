// The second look at classification, on small trees of our own: what may stay shared, and what
// the code proves must be per thread (written, escaping, or holding a thread-local address).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../src/cpython2/scan.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-refine-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(tmp, 't-'));
  const all = { 'Include/patchlevel.h': '#define PY_VERSION "2.4.0+test"\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}
const cls = (root: string, name: string) => scanTree(root).globals.find((g) => g.name === name)!;

describe('refined classification', () => {
  it('shares a table that is only indexed, and keeps per-thread one that is assigned', () => {
    const root = tree({
      'Objects/t.c': [
        'static unsigned char lookup[] = {1, 2, 3, 4};',
        'static unsigned char counts[] = {0, 0, 0, 0};',
        '#define LOOK(i) lookup[(i) & 3]',
        'int f(int i) { counts[i & 3] += 1; return LOOK(i) + lookup[0]; }',
        '',
      ].join('\n'),
    });
    expect(cls(root, 'lookup').classification).toBe('shared-immutable');
    expect(cls(root, 'lookup').reasonSource).toBe('analysis:read-only-table');
    expect(cls(root, 'counts').classification).toBe('thread-local');
  });

  it('keeps per-thread a table whose address escapes, or that a macro writes', () => {
    const root = tree({
      'Objects/t.c': [
        'static int a[] = {1, 2};',
        'static int b[] = {1, 2};',
        '#define BUMP(i) (b[i]++)',
        'extern void use(int *p);',
        'int f(int i) { use(a); return BUMP(i); }',
        '',
      ].join('\n'),
    });
    expect(cls(root, 'a').classification).toBe('thread-local');
    expect(cls(root, 'b').classification).toBe('thread-local');
  });

  it('keeps per-thread a table that holds addresses (writes can go through them)', () => {
    const root = tree({
      'Objects/t.c': [
        'static int *self[] = {0, 0};',
        'static int x;',
        'static int *ptrs[] = {&x, &x};',
        'int f(int i) { return *ptrs[i & 1] + (self[0] != 0); }',
        '',
      ].join('\n'),
    });
    expect(cls(root, 'ptrs').classification).toBe('thread-local');
  });

  it('sees uses in the files that include a header-defined table', () => {
    const root = tree({
      'Modules/db.h': 'static unsigned short idx[] = {5, 6, 7};\nstatic unsigned short idx2[] = {5, 6, 7};\n',
      'Modules/m.c': '#include "db.h"\nint g(int i) { idx2[1] = 0; return idx[i % 3] + idx2[0]; }\n',
    });
    expect(cls(root, 'idx').classification).toBe('shared-immutable');
    expect(cls(root, 'idx2').classification).toBe('thread-local');
  });

  it('shares a string array spelled with macros, and keeps per-thread one that is written', () => {
    const root = tree({
      'Modules/m.c': [
        '#define PyDoc_STR(s) s',
        '#define _STR(x) #x',
        '#define _MODULE_STRING _STR(spam)',
        'static char new__doc__[] = "new(): a new " _MODULE_STRING " object";',
        'static char delta_doc[] = PyDoc_STR("Difference between two datetime values.");',
        'static char scratch[] = "xxxx" _MODULE_STRING;',
        'void f(char *buf) { scratch[0] = buf[0]; }',
        'char *docs[] = { new__doc__, delta_doc };', // the addresses escape, as into a method table
        '',
      ].join('\n'),
    });
    expect(cls(root, 'new__doc__').classification).toBe('shared-immutable');
    expect(cls(root, 'new__doc__').reasonSource).toBe('analysis:unwritten-string');
    expect(cls(root, 'delta_doc').classification).toBe('shared-immutable');
    expect(cls(root, 'delta_doc').reasonSource).toBe('analysis:unwritten-string');
    expect(cls(root, 'scratch').classification).toBe('thread-local');
  });

  it('shares a string array inside a function that nothing writes (f2c\'s format strings), not one that is written', () => {
    const root = tree({
      'Modules/f.c': [
        'int report(void)',
        '{',
        '    static char fmt_9999[] = "(\\002 ** On entry \\002)";',
        '    static char scratch[] = "........";',
        '    static cilist io = { 0, 6, 0, fmt_9999, 0 };',
        '    scratch[0] = \'x\';',
        '    return s_wsfe(&io);',
        '}',
      ].join('\n'),
    });
    expect(cls(root, 'fmt_9999').classification).toBe('shared-immutable');
    expect(cls(root, 'fmt_9999').reasonSource).toBe('analysis:unwritten-string');
    expect(cls(root, 'scratch').classification).toBe('thread-local');
    // Its initializer names only a shared string now: it stays a constant of a thread-local.
    expect(cls(root, 'io').classification).toBe('thread-local');
  });

  it('makes a shared docstring per-thread when code writes it', () => {
    const root = tree({
      'Objects/t.c': 'PyDoc_STRVAR(doc_a, "a");\nPyDoc_STRVAR(doc_b, "b");\nvoid f(void) { doc_b[0] = \'B\'; }\n',
    });
    expect(cls(root, 'doc_a').classification).toBe('shared-immutable');
    expect(cls(root, 'doc_b').classification).toBe('thread-local');
    expect(cls(root, 'doc_b').reason).toMatch(/written at Objects\/t\.c:3/);
  });

  it('makes a shared variable per-thread when its initializer holds a thread-local address', () => {
    const root = tree({
      'Objects/t.c': 'static int state;\nstatic const int *const view = &state;\nint f(void) { state++; return *view; }\n',
    });
    expect(cls(root, 'state').classification).toBe('thread-local');
    expect(cls(root, 'view').classification).toBe('thread-local');
    expect(cls(root, 'view').reasonSource).toBe('analysis:initializer');
  });

  it('shares a method table by its reviewed element type, unless it holds a thread-local address', () => {
    const root = tree({
      'Objects/t.c': [
        'typedef struct { char *ml_name; void *ml_meth; int ml_flags; char *ml_doc; } PyMethodDef;',
        'PyDoc_STRVAR(a_doc, "a");',
        'PyDoc_STRVAR(b_doc, "b");',
        'static void *fa(void) { return 0; }',
        'static PyMethodDef plain[] = { {"a", (void *)fa, 0, a_doc}, {0} };',
        'static PyMethodDef holder[] = { {"b", (void *)fa, 0, b_doc}, {0} };',
        'void init(void) { b_doc[0] = \'B\'; }',
        '',
      ].join('\n'),
    });
    expect(cls(root, 'plain').classification).toBe('shared-immutable');
    expect(cls(root, 'plain').reasonSource).toBe('rules/cpython-2/reviewed-types.json');
    expect(cls(root, 'holder').classification).toBe('thread-local');
    expect(cls(root, 'holder').reasonSource).toBe('analysis:initializer');
  });
});
