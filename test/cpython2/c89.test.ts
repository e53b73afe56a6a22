// What apply generates or moves must compile as C89 (the seed's MSVC predates C99 in C mode):
// every rewritten file of the fixture and the fixture extension, compiled with
// -std=c89 -pedantic -Werror=declaration-after-statement, has no error, and no warning the
// original did not have except one form: an automatic aggregate initialized with addresses of
// thread-local data, the moved initializers' `_pyglobal_tmp` (MSVC's C4204, an extension every
// MSVC of the era accepts; gcc says "not constant", an error, where the storage is static). With CPYTHON24_SRC and PYGLOBAL_TLS_BUILD set, the same on the
// files of the real tree that apply changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';
import { defaultTree } from '../../src/cpython2/target/tree.ts';
import { defaultExtension } from '../../src/cpython2/extension/fixture-run.ts';

// -ftrack-macro-expansion=0: a warning inside a macro's expansion is placed where the macro is used.
const C89 = ['-std=c89', '-pedantic', '-Werror=declaration-after-statement', '-fsyntax-only', '-ftrack-macro-expansion=0'];
const C4204 = /initializer element is not computable at load time/;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-c89-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Diag { file: string; line: number; kind: string; message: string }
function compile(file: string, flags: string[], cwd: string): Diag[] {
  const r = spawnSync('gcc', [...C89, ...flags, file], { cwd, encoding: 'utf8' });
  return [...r.stderr.matchAll(/^([^:\n]+):(\d+):\d+: (error|warning): (.*)$/gm)].map((m) => ({ file: m[1], line: Number(m[2]), kind: m[3], message: m[4] }));
}
const cFiles = (root: string) => fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.c') && !f.includes('driver'));
/** The line sits in a moved initializer: after "pyglobal: generated" and before its #define of the chain. */
function inMovedInitializer(file: string, line: number): boolean {
  const lines = fs.readFileSync(file, 'latin1').split('\n');
  for (let i = line - 1; i >= 0; i--) {
    if (lines[i].startsWith('#define _PYGLOBAL_CHAIN ')) return false;
    if (lines[i].includes("pyglobal: generated.") && lines[i].includes('initializer names thread-local data')) return true;
  }
  return false;
}

/** New diagnostics of the rewrite: all its diagnostics but those whose message the original file has too. */
function newDiagnostics(rewritten: string, original: string, rel: string, flags: (root: string) => string[]): Diag[] {
  const before = new Set(compile(path.join(original, rel), flags(original), original).map((d) => d.message));
  return compile(path.join(rewritten, rel), flags(rewritten), rewritten).filter((d) => !before.has(d.message) || d.kind === 'error');
}

describe('C89', () => {
  const py = path.join(tmp, 'minipy');
  const ext = path.join(tmp, 'ext');
  beforeAll(async () => {
    await applyTree(defaultTree, { out: py });
    await applyTree(defaultExtension, { python: py, out: ext });
  }, 60_000);

  it('the rewritten fixture: no error, and no new warning but the moved initializers\' C4204 form', () => {
    const flags = (root: string) => ['-DPYGLOBAL_THREADS', `-I${path.join(root, 'Include')}`];
    const bad: string[] = [];
    let c4204 = 0;
    for (const rel of cFiles(py)) {
      if (!fs.existsSync(path.join(defaultTree, rel))) continue; // generated files: below
      for (const d of newDiagnostics(py, defaultTree, rel, flags)) {
        if (d.kind === 'warning' && C4204.test(d.message) && inMovedInitializer(path.resolve(py, d.file), d.line)) c4204++;
        else bad.push(`${rel}: ${d.file}:${d.line}: ${d.kind}: ${d.message}`);
      }
    }
    expect(bad).toEqual([]);
    expect(c4204).toBeGreaterThan(0); // the fixture does move initializers: the check saw them
  });

  it('the files apply generates compile as C89 with no warning at all', () => {
    const generated = cFiles(py).filter((rel) => !fs.existsSync(path.join(defaultTree, rel)));
    expect(generated.length).toBeGreaterThan(0);
    for (const rel of generated) expect(compile(path.join(py, rel), ['-DPYGLOBAL_THREADS', `-I${path.join(py, 'Include')}`], py), rel).toEqual([]);
  });

  it('the rewritten fixture extension, against the rewritten fixture', () => {
    const flags = (root: string) => ['-DPYGLOBAL_THREADS', `-I${root}`, `-I${path.join(root === ext ? py : defaultTree, 'Include')}`];
    const bad: string[] = [];
    for (const rel of cFiles(ext).filter((f) => f !== 'cipher_template.c')) {
      for (const d of newDiagnostics(ext, defaultExtension, rel, flags)) {
        if (!(d.kind === 'warning' && C4204.test(d.message) && inMovedInitializer(path.resolve(ext, d.file), d.line))) bad.push(`${rel}: ${d.file}:${d.line}: ${d.kind}: ${d.message}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('an entry hook before a conditional group that declares stays C89 (python.c on FreeBSD)', async () => {
    const root = path.join(tmp, 'hooktree');
    const files: Record<string, string> = {
      'Include/patchlevel.h': '#define PY_VERSION "2.4.6"\n',
      'Include/pyport.h': '#ifndef Py_PYPORT_H\n#define Py_PYPORT_H\n#endif\n',
      'Include/Python.h': '#include "pyport.h"\nint Py_Main(int, char **);\n',
      'Modules/python.c': '#include "Python.h"\n\nint\nmain(int argc, char **argv)\n{\n#ifdef HAVE_FPMASK\n\tint m;\n\n\tm = 0;\n#endif\n\treturn Py_Main(argc, argv);\n}\n',
    };
    for (const [f, t] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), t);
    }
    await applyTree(root);
    const text = fs.readFileSync(path.join(root, 'Modules/python.c'), 'latin1');
    expect(text).toContain('PYGLOBAL_ENTRY(_pyglobal_entry, (PyGlobals_InitThread()));');
    expect(compile('Modules/python.c', ['-DHAVE_FPMASK', '-IInclude'], root)).toEqual([]);
  });
});

const src = process.env.CPYTHON24_SRC;
const build = process.env.PYGLOBAL_TLS_BUILD;
const real = !!src && !!build && fs.existsSync(path.join(build, 'pyconfig.h')) && fs.existsSync(path.join(build, 'Include/pyglobal.h'));
if (!real) console.log('skipping C89 on the real tree: set CPYTHON24_SRC (pristine 2.4.6) and PYGLOBAL_TLS_BUILD (a tls build: its rewritten sources and pyconfig.h)');

let noise: Set<string> | undefined;
/** The warnings a file that only includes Python.h gets from 2.4's own headers (long long, ...). */
function headerNoise(): Set<string> {
  if (!noise) {
    const f = path.join(tmp, 'only-python-h.c');
    fs.writeFileSync(f, '#include "Python.h"\n');
    noise = new Set(compile(f, ['-DPy_BUILD_CORE', `-I${build}`, `-I${path.join(build!, 'Include')}`], tmp).map((d) => d.message));
  }
  return noise;
}

describe.runIf(real)('C89 on the rewritten 2.4.6 tree', () => {
  it('every file apply changed or made: no error and no new warning but the C4204 form', () => {
    const flags = (root: string) => ['-DPy_BUILD_CORE', `-I${build}`, `-I${path.join(root, 'Include')}`, `-I${path.join(root, 'Python')}`];
    const bad: string[] = [];
    let files = 0;
    for (const rel of cFiles(build!).filter((f) => /^(Objects|Python|Parser|Modules)\//.test(f) && !f.includes('/build/'))) {
      const original = path.join(src!, rel);
      const rewritten = fs.readFileSync(path.join(build!, rel), 'latin1');
      if (fs.existsSync(original) && fs.readFileSync(original, 'latin1') === rewritten) continue;
      if (!fs.existsSync(original)) {
        // Made by apply (it says so at its top), not by the build (Modules/config.c): what any
        // file that includes Python.h gets from the tree's own headers is no news.
        if (!/by pyglobal apply/.test(rewritten.slice(0, 300))) continue;
        files++;
        for (const d of compile(path.join(build!, rel), flags(build!), build!)) if (d.kind === 'error' || !headerNoise().has(d.message)) bad.push(`${rel}: ${d.file}:${d.line}: ${d.kind}: ${d.message}`);
        continue;
      }
      // A file that does not compile on this machine as it was (a module for another OS) says nothing.
      if (compile(original, flags(src!), src!).some((d) => d.kind === 'error')) continue;
      files++;
      // The C4204 form also comes from 2.4's own automatic arrays of type objects
      // (inititertools' typelist), now addresses of thread-local data: the same extension.
      for (const d of newDiagnostics(build!, src!, rel, flags)) {
        if (!(d.kind === 'warning' && C4204.test(d.message))) bad.push(`${rel}: ${d.file}:${d.line}: ${d.kind}: ${d.message}`);
      }
    }
    expect(files).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  }, 600_000);
});
