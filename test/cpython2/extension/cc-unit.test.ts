// One compile through the wrapper, on small packages written here: what it rewrites, what it
// leaves to the compiler, and how it refuses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../../src/cpython2/apply.ts';
import { defaultTree } from '../../../src/cpython2/target/tree.ts';
import { compileUnit, type UnitResult } from '../../../src/cpython2/extension/cc-unit.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-cc-unit-'));
const py = path.join(tmp, 'minipy-rw');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await applyTree(defaultTree, { out: py });
}, 60_000);

const pkg = (name: string, files: Record<string, string>) => {
  const d = path.join(tmp, name);
  for (const [f, t] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    fs.writeFileSync(path.join(d, f), t);
  }
  return d;
};
const snapshot = (d: string) => Object.fromEntries(fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(d, f)).isFile()).map((f) => [f, fs.readFileSync(path.join(d, f), 'latin1')]));

async function cc(dir: string, args: string[], extra: { python?: string } = {}): Promise<UnitResult & { log: string[] }> {
  const log: string[] = [];
  const r = await compileUnit({ cc: ['gcc'], args, cwd: dir, log: (l) => log.push(l), ...extra });
  return { ...r, log };
}

describe('compileUnit', () => {
  it('rewrites a unit in a mirror, included .inc and other-unit externs too; the package is not touched', async () => {
    const d = pkg('two-units', {
      'mod.h': 'extern long total;\n',
      'gen/kinds.inc': 'static PyTypeObject K_Type = { PyObject_HEAD_INIT(&PyType_Type) 0, "k" };\n',
      'mod.c': '#include "Python.h"\n#include "mod.h"\n#include "kinds.inc"\nstatic long calls;\nvoid initmod(void) { calls++; total++; PyType_Ready(&K_Type); }\n',
    });
    const before = snapshot(d);
    const r = await cc(d, [`-I${py}/Include`, '-Igen', '-c', 'mod.c', '-o', 'mod.o']);
    expect(r.action, r.log.join('\n')).toBe('rewritten');
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(d, 'mod.o'))).toBe(true);
    expect(new Set(r.own)).toEqual(new Set(['mod.c', 'mod.h', 'gen/kinds.inc']));
    expect(r.moved).toBe(1);
    const m = (f: string) => fs.readFileSync(path.join(r.mirror!, f), 'latin1');
    // Defined in another unit: thread-local there, so here too (the linker checks they agree).
    expect(m('mod.h')).toBe('extern PYGLOBAL long total;\n');
    // The included file continues its includer's chain, under names of its own.
    expect(m('gen/kinds.inc')).toMatch(/^#ifndef _PYGLOBAL_CHAIN\b/);
    expect(m('gen/kinds.inc')).toContain('static void _pyglobal_init_gen_kinds_inc_1(void)');
    expect(m('mod.c')).toMatch(/void initmod\(void\) \{\n\t_PYGLOBAL_CHAIN\(\);/);
    const { 'mod.o': _o, ...after } = snapshot(d);
    expect(Object.fromEntries(Object.entries(after).filter(([f]) => !f.startsWith('mod.o.pyglobal')))).toEqual(before);
  });

  it('leaves links, and compiles that see no rewritten Python, to the compiler', async () => {
    const d = pkg('plain', { 'lib.c': 'static int x;\nint get(void) { return x++; }\n' });
    const r = await cc(d, ['-c', 'lib.c', '-o', 'lib.o']);
    expect(r.action).toBe('pass-through');
    expect(r.why).toMatch(/no rewritten CPython tree among the -I folders/);
    expect(fs.existsSync(path.join(d, 'lib.o'))).toBe(true);
    const link = await cc(d, ['-shared', 'lib.o', '-o', 'lib.so']);
    expect([link.action, link.status]).toEqual(['pass-through', 0]);
  });

  it('refuses a unit it cannot rewrite: exit 1, the package file and line named', async () => {
    const d = pkg('pasted', {
      'tmpl.c': '#define _P(a, b) a##b\n#define P(a, b) _P(a, b)\nstatic PyTypeObject T = { PyObject_HEAD_INIT(&PyType_Type) 0, "t" };\nvoid P(init, NAME)(void) { PyType_Ready(&T); }\n',
      'a.c': '#include "Python.h"\n#define NAME a\n#include "tmpl.c"\n',
    });
    const r = await cc(d, [`-I${py}/Include`, '-c', 'a.c', '-o', 'a.o']);
    expect([r.action, r.status]).toEqual(['refused', 1]);
    expect(r.log.join('\n')).toContain(`${path.join(d, 'a.c')}:1:1: error: a.c moves initializers (of tmpl.c, which it includes)`);
    expect(fs.existsSync(path.join(d, 'a.o'))).toBe(false);
  });

  it('shows the compiler\'s own error for a unit that does not preprocess', async () => {
    const d = pkg('broken', { 'b.c': '#include "Python.h"\n#include "missing.h"\n' });
    const r = await cc(d, [`-I${py}/Include`, '-c', 'b.c', '-o', 'b.o']);
    expect(r.action).toBe('compiler-error');
    expect(r.status).not.toBe(0);
  });
});
