// apply gives a CPython tree (it has Modules/Setup.dist) the interpqueue module, built in, and
// the process-wide queues under it; the same apply again changes nothing. A tree without
// Setup.dist (the fixture) gets none of it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';
import { checkTree } from '../../src/cpython2/check.ts';
import { defaultTree } from '../../src/cpython2/target/tree.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-queue-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(): string {
  const root = fs.mkdtempSync(path.join(tmp, 't-'));
  const files: Record<string, string> = {
    'Include/patchlevel.h': '#define PY_VERSION "2.4.6"\n',
    'Include/pyport.h': '#ifndef Py_PYPORT_H\n#define Py_PYPORT_H\ntypedef int Py_int;\n#endif\n',
    'Include/Python.h': '#include "pyport.h"\n',
    'Python/a.c': '#include "Python.h"\nstatic int counter;\nint bump(void) { return ++counter; }\n',
    'Makefile.pre.in': 'PYTHON_OBJS=\t\\\n\t\tPython/a.o\n',
    'Modules/Setup.dist': '# builtins\nposix posixmodule.c\nzipimport zipimport.c\n\n# the rest\n',
  };
  for (const [f, t] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), t);
  }
  return root;
}
const read = (root: string, f: string) => fs.readFileSync(path.join(root, f), 'latin1');

describe('interpqueue in a rewritten tree', () => {
  it('adds the module to Setup.dist, the queues to PYTHON_OBJS and pyglobal.h; again, nothing', async () => {
    const root = tree();
    await applyTree(root);
    expect(read(root, 'Modules/Setup.dist')).toBe('# builtins\nposix posixmodule.c\nzipimport zipimport.c\n\n# pyglobal: queues between the interpreters of one process (Python/pyglobal_queue.c).\ninterpqueue interpqueuemodule.c\n\n# the rest\n');
    expect(read(root, 'Makefile.pre.in')).toContain('\t\tPython/pyglobal_queue.o \\\n');
    expect(read(root, 'Include/pyglobal.h')).toContain('#include "pyglobal_queue.h"');
    for (const f of ['Include/pyglobal_queue.h', 'Python/pyglobal_queue.c', 'Modules/interpqueuemodule.c']) expect(fs.existsSync(path.join(root, f)), f).toBe(true);
    const again = await applyTree(root);
    expect(again.files.filter((f) => f.outcome === 'written')).toEqual([]);
    // The queues' registry is process-wide by review; the module's type and exceptions are per interpreter.
    const errors = checkTree(root).report.findings.filter((f) => f.severity === 'error' && /queue/.test(f.file));
    expect(errors).toEqual([]);
  });

  it('on Windows the module table is PC/config.c: interpqueue is listed there, and the table is thread-local as import.c says', async () => {
    const root = tree();
    const pc = '#include "Python.h"\nextern void initnt(void);\n/* -- ADDMODULE MARKER 1 -- */\n\nstruct _inittab _PyImport_Inittab[] = {\n\t{"nt", initnt},\n/* -- ADDMODULE MARKER 2 -- */\n\t{0, 0}\n};\n';
    fs.mkdirSync(path.join(root, 'PC'));
    fs.writeFileSync(path.join(root, 'PC/config.c'), pc);
    await applyTree(root);
    const text = read(root, 'PC/config.c');
    expect(text).toContain('PYGLOBAL struct _inittab _PyImport_Inittab[] = {');
    expect(text).toContain('extern void initinterpqueue(void); /* pyglobal: rules/hooks/pc-config-interpqueue.json */\n/* -- ADDMODULE MARKER 1 -- */');
    expect(text).toContain('{"interpqueue", initinterpqueue}, /* pyglobal: queues between interpreters */\n/* -- ADDMODULE MARKER 2 -- */');
    expect(read(root, 'Python/pyglobal_init.c')).not.toContain('PC_config');
  });

  it('leaves a tree without Modules/Setup.dist alone', async () => {
    const out = path.join(tmp, 'minipy');
    await applyTree(defaultTree, { out });
    expect(fs.existsSync(path.join(out, 'Python/pyglobal_queue.c'))).toBe(false);
    expect(read(out, 'Include/pyglobal.h')).not.toContain('pyglobal_queue.h');
  });
});
