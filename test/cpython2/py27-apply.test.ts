// scan, apply and check on the real 2.7.6 tree: it parses (the one region left is in a libffi port
// that x86-64 Linux does not compile), apply on a copy refuses nothing and is idempotent, check
// on the rewritten tree exits 0, and exits 1 on a new global of each kind, with file:line.
// Needs the tree: CPYTHON27_SRC=<pristine Python-2.7.6>.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';
import { scanTree } from '../../src/cpython2/scan.ts';
import { runCli } from '../cli/capture.ts';

const src = process.env.CPYTHON27_SRC;
if (!src) console.log('py27 scan/apply/check skipped: set CPYTHON27_SRC to a pristine CPython 2.7.6 tree');

describe.skipIf(!src)('scan, apply and check on pristine 2.7.6 (CPYTHON27_SRC)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-py27-'));
  const copy = path.join(tmp, 'py27');
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let first: Awaited<ReturnType<typeof applyTree>>;
  beforeAll(async () => {
    fs.cpSync(src!, copy, { recursive: true });
    first = await applyTree(copy, {});
  }, 300_000);

  it('parses: parse errors only in libffi\'s cris port, which x86-64 Linux does not compile', () => {
    const r = scanTree(src!);
    const regions = r.findings.filter((f) => f.ruleId === 'parse-error');
    expect([...new Set(regions.map((f) => f.file))]).toEqual(['Modules/_ctypes/libffi/src/cris/ffi.c']);
    // No keyword is ever taken for a variable (LOCAL(int) once declared a thread-local `int`).
    expect(r.globals.filter((g) => /^(int|char|unsigned|long|void)$/.test(g.name))).toEqual([]);
  });

  it('apply refuses nothing and moves the initializers that name thread-local data', () => {
    expect(first.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(first.plan.moved.length).toBeGreaterThan(200);
    const io = fs.readFileSync(path.join(copy, 'Modules/_io/_iomodule.c'), 'latin1');
    expect(io).toContain('_PyGlobals_Init_Modules__io_bufferedio();');
    expect(fs.readFileSync(path.join(copy, 'Modules/_io/bufferedio.c'), 'latin1')).toContain('void _PyGlobals_Init_Modules__io_bufferedio(void)');
  });

  it('a second apply changes nothing', async () => {
    const again = await applyTree(copy, {});
    expect(again.plan.edits).toBe(0);
    expect(again.files.filter((f) => f.outcome === 'written')).toEqual([]);
  }, 120_000);

  it('check exits 0 on the rewritten tree and 1 on a new global of each kind, with file:line', async () => {
    const clean = await runCli(['check', copy]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    const edit = (rel: string, change: (t: string) => string) => {
      const p = path.join(copy, rel);
      const before = fs.readFileSync(p, 'latin1');
      fs.writeFileSync(p, Buffer.from(change(before), 'latin1'));
      return () => fs.writeFileSync(p, Buffer.from(before, 'latin1'));
    };
    const kinds: { name: string; files: [string, (t: string) => string][]; expect: Record<string, unknown>[] }[] = [
      { name: 'file-scope static', files: [['Objects/listobject.c', (t) => t + '\nstatic int new_counter;\n']], expect: [{ ruleId: 'missing-pyglobal', file: 'Objects/listobject.c', name: 'new_counter' }] },
      { name: 'function-local static', files: [['Objects/capsule.c', (t) => t + '\nint\nnew_helper(void)\n{\n    static int calls = 0;\n    return ++calls;\n}\n']], expect: [{ ruleId: 'missing-pyglobal', file: 'Objects/capsule.c', name: 'calls', function: 'new_helper' }] },
      {
        name: 'exported data, declared in a header',
        files: [
          ['Include/listobject.h', (t) => t.slice(0, t.lastIndexOf('#endif')) + 'PyAPI_DATA(int) PyList_NewCounter;\n' + t.slice(t.lastIndexOf('#endif'))],
          ['Objects/listobject.c', (t) => t + '\nint PyList_NewCounter;\n'],
        ],
        expect: [{ file: 'Include/listobject.h', name: 'PyList_NewCounter' }, { file: 'Objects/listobject.c', name: 'PyList_NewCounter' }],
      },
      { name: 'extern defined outside the tree', files: [['Python/import.c', (t) => t + '\nextern int some_library_flag;\n']], expect: [{ ruleId: 'unreviewed-external', file: 'Python/import.c', name: 'some_library_flag' }] },
      { name: 'static of a multi-file extension module', files: [['Modules/_io/textio.c', (t) => t + '\nstatic PyObject *new_cache;\n']], expect: [{ ruleId: 'missing-pyglobal', file: 'Modules/_io/textio.c', name: 'new_cache' }] },
    ];
    for (const k of kinds) {
      const undo = k.files.map(([rel, change]) => edit(rel, change));
      try {
        const r = await runCli(['check', copy, '--format', 'json']);
        expect(r.code, k.name).toBe(1);
        const found = JSON.parse(r.stdout).findings.filter((f: any) => f.severity === 'error');
        expect(found.length, k.name).toBe(k.expect.length);
        for (const want of k.expect) expect(found, k.name).toContainEqual(expect.objectContaining(want));
        for (const f of found) expect(f.line, k.name).toBeGreaterThan(0);
      } finally {
        for (const u of undo) u();
      }
    }
  }, 240_000);
});
