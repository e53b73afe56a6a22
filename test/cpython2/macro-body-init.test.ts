// A file's own macro that defines a variable whose initializer names thread-local data (2.7's
// SimpleExtendsException: a type object whose tp_base is &_PyExc_<base>, one per use). The
// initializer must leave the #define and run per thread after each use, or gcc refuses the
// thread-local build ("initializer element is not constant"). A tree of our own, applied,
// compiled and run in two threads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-macro-init-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const files: Record<string, string> = {
  'Include/patchlevel.h': '#define PY_VERSION "2.4.0+minipy"\n',
  'Include/Python.h': [
    '#ifndef Py_PYTHON_H',
    '#define Py_PYTHON_H',
    '#include <string.h> /* as Python.h does: moved initializers copy with memcpy */',
    'typedef struct _typeobject { const char *tp_name; struct _typeobject *tp_base; int tp_flags; } PyTypeObject;',
    'typedef struct { int ob_refcnt; } PyObject;',
    '#endif',
    '',
  ].join('\n'),
  'Modules/excmodule.c': [
    '#include "Python.h"',
    '',
    'static PyTypeObject Base_Type = { "base", 0, 0 };',
    '',
    '/* like 2.7\'s exceptions.c: the macro leaves the last semicolon to its use */',
    '#define DERIVED(BASE, NAME) \\',
    'static PyTypeObject NAME ## _Type = { \\',
    '    #NAME, \\',
    '    &BASE ## _Type, \\',
    '    1 \\',
    '}; \\',
    'PyObject *NAME = (PyObject *)&NAME ## _Type',
    '',
    'DERIVED(Base, Child);',
    'DERIVED(Child, Grandchild);',
    '',
    'int',
    'initexc(void)',
    '{',
    '\treturn Base_Type.tp_flags++;',
    '}',
    '',
    'int',
    'check(void)',
    '{',
    '\treturn Child_Type.tp_base == &Base_Type && Grandchild_Type.tp_base == &Child_Type',
    '\t\t&& Grandchild == (PyObject *)&Grandchild_Type && Child_Type.tp_flags == 1;',
    '}',
    '',
  ].join('\n'),
};
for (const [rel, text] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

const driver = `#include <pthread.h>
#include <stdio.h>
int initexc(void);
int check(void);
static void *run(void *arg) {
  (void)arg;
  initexc(); /* init<module>: runs the file's moved initializers in this thread */
  return (void *)(long)check();
}
int main(void) {
  pthread_t t[2];
  long ok = 1;
  for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, run, 0);
  for (int i = 0; i < 2; i++) { void *r; pthread_join(t[i], &r); ok &= (long)r; }
  puts(ok ? "ok" : "wrong");
  return !ok;
}
`;

describe('an initializer in the body of a file macro', () => {
  it('leaves the #define, runs after each use per thread, and the thread-local build compiles and runs', async () => {
    const r = await applyTree(root, {});
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const text = fs.readFileSync(path.join(root, 'Modules/excmodule.c'), 'latin1');
    const body = text.slice(text.indexOf('#define DERIVED'), text.indexOf('DERIVED(Base, Child);'));
    expect(body).not.toContain('&BASE ## _Type');
    expect(body.split('\n').length).toBe(files['Modules/excmodule.c'].split('#define DERIVED')[1].split('DERIVED(Base')[0].split('\n').length);
    expect(r.plan.moved.map((m) => m.global)).toEqual(expect.arrayContaining([expect.stringContaining('Child_Type'), expect.stringContaining('Grandchild_Type')]));
    // A second apply finds nothing left to do.
    const again = await applyTree(root, {});
    expect(again.plan.edits).toBe(0);
    expect(again.bytesWritten).toBe(0);
    fs.writeFileSync(path.join(root, 'driver.c'), driver);
    const srcs = ['driver.c', 'Modules/excmodule.c'];
    const cc = spawnSync('gcc', ['-std=gnu99', '-DPYGLOBAL_THREADS', '-Wall', '-IInclude', '-o', 'exc', ...srcs, '-lpthread'], { cwd: root, encoding: 'utf8' });
    expect(cc.stderr).not.toMatch(/error/);
    expect(cc.status).toBe(0);
    const run = spawnSync(path.join(root, 'exc'), { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('ok');
  });
});
