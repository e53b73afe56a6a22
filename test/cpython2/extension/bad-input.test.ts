// Bad input for an extension target: one clear message, exit 2, nothing written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/capture.ts';
import { applyTree } from '../../../src/cpython2/apply.ts';
import { defaultTree } from '../../../src/cpython2/target/tree.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-ext-bad-'));
const rewritten = path.join(tmp, 'minipy-rw');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await applyTree(defaultTree, { out: rewritten });
}, 60_000);

const folder = (name: string, files: Record<string, string>) => {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(d, f), t);
  return d;
};

describe.each(['scan', 'apply', 'check'])('pyglobal %s on an extension folder, bad input', (cmd) => {
  it('a folder that is not a CPython tree, without --python', async () => {
    const d = folder(`nopy-${cmd}`, { 'mod.c': 'static int x;\n' });
    const r = await runCli([cmd, d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a CPython source tree/);
    expect(r.stderr).toMatch(/--python/);
    expect(fs.readdirSync(d)).toEqual(['mod.c']);
  });

  it('a folder with no C sources', async () => {
    const d = folder(`empty-${cmd}`, { 'README': 'nothing\n', 'mod.h': 'extern int x;\n' });
    const r = await runCli([cmd, d, '--python', rewritten]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no C or C\+\+ sources \(\.c, \.cc, \.cpp, \.cxx\)/);
  });

  it('a --python that is not a rewritten tree', async () => {
    const d = folder(`stockpy-${cmd}`, { 'mod.c': 'static int x;\n' });
    const r = await runCli([cmd, d, '--python', defaultTree]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not|must be a tree rewritten by pyglobal apply/);
    expect(r.stderr).toMatch(/Include\/pyglobal\.h is missing/);
    expect(fs.readdirSync(d)).toEqual(['mod.c']);
  });

  it('a folder of C++ sources only is scanned as C++, not refused', async () => {
    const d = folder(`cxx-${cmd}`, { 'mod.cpp': 'static int x;\n' });
    const r = await runCli([cmd, d, '--python', rewritten, ...(cmd === 'apply' ? ['--dry-run'] : [])]);
    expect(r.code, r.stderr).toBe(cmd === 'check' ? 1 : 0);
    expect(r.stderr).toMatch(/note: 1 C\+\+ sources scanned as C\+\+ \(mod\.cpp\)/);
  });

  it('C++ sources next to C ones are scanned and named, never passed over silently', async () => {
    const d = folder(`mixed-${cmd}`, { 'mod.c': '#include "Python.h"\nstatic PyObject *x;\n', 'bind.cc': 'static int y;\n' });
    const r = await runCli([cmd, d, '--python', rewritten, ...(cmd === 'apply' ? ['--dry-run'] : [])]);
    expect(r.stderr).toMatch(/note: 1 C\+\+ sources scanned as C\+\+ \(bind\.cc\)/);
    if (cmd === 'check') expect(r.stdout).toMatch(/bind\.cc\n  1:12  error  tentative definition of y lacks PYGLOBAL/);
  });

  it('a --python that is no CPython tree at all', async () => {
    const d = folder(`nodir-${cmd}`, { 'mod.c': 'static int x;\n' });
    const r = await runCli([cmd, d, '--python', path.join(tmp, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such directory/);
  });
});

describe('pyglobal scan on an extension folder', () => {
  it('prints the extension\'s globals with paths relative to its folder, exit 0', async () => {
    const d = folder('ok', { 'mod.c': '#include "Python.h"\nstatic PyObject *cache;\nstatic PyTypeObject T = { PyObject_HEAD_INIT(&PyType_Type) 0, "m.T" };\nvoid initmod(void) { cache = Py_None; }\n' });
    const r = await runCli(['scan', d, '--python', rewritten, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.globals.map((g: { file: string; name: string; classification: string }) => `${g.file} ${g.name} ${g.classification}`)).toEqual(['mod.c cache thread-local', 'mod.c T thread-local']);
    expect(j.files.map((f: { path: string }) => f.path)).toEqual(['mod.c']);
  });
});

describe('pyglobal apply on an extension it cannot rewrite yet', () => {
  it('a template whose initializer must move but whose init<module> name is pasted: exit 1, file named, nothing written', async () => {
    const tmpl = '#define _PASTE(a, b) a##b\n#define PASTE(a, b) _PASTE(a, b)\nstatic PyTypeObject T = { PyObject_HEAD_INIT(&PyType_Type) 0, "t" };\nvoid PASTE(init, MODULE_NAME)(void) { PyType_Ready(&T); }\n';
    const d = folder('pasted', { 'tmpl.c': tmpl, 'a.c': '#include "Python.h"\n#define MODULE_NAME a\n#include "tmpl.c"\n' });
    const r = await runCli(['apply', d, '--python', rewritten]);
    expect(r.code).toBe(1);
    // The template's moved initializers join the chain of the file that includes it, which has no init.
    expect(r.stderr).toMatch(/a\.c:1:1: .*of tmpl\.c, which it includes.*## pasting is not recognised yet.*\[no-module-init\]/);
    expect(fs.readFileSync(path.join(d, 'tmpl.c'), 'latin1')).toBe(tmpl);
  });
});
