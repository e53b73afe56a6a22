// The fixture extension's patterns, one test each: scan must classify each global thread-local
// (with the tree's headers as context), and apply must mark it, moving initializers that name the
// tree's thread-local data into the module's init chain. Edits touch only the extension folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../../src/cpython2/apply.ts';
import { checkTree } from '../../../src/cpython2/check.ts';
import { scanOpened } from '../../../src/cpython2/scan.ts';
import { openTarget } from '../../../src/cpython2/target/index.ts';
import { extensionView } from '../../../src/cpython2/target/extension.ts';
import { defaultExtension } from '../../../src/cpython2/extension/fixture-run.ts';
import { defaultTree } from '../../../src/cpython2/target/tree.ts';
import type { Global, ScanResult } from '../../../src/engine/model.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-ext-'));
const py = path.join(tmp, 'minipy');
const ext = path.join(tmp, 'ext');
let scan: ScanResult;
const text = (f: string) => fs.readFileSync(path.join(ext, f), 'latin1');
const snapshot = (root: string) => {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = fs.readFileSync(p, 'latin1');
    }
  };
  walk(root);
  return out;
};
let pyBefore: Record<string, string>;

beforeAll(async () => {
  await applyTree(defaultTree, { out: py });
  pyBefore = snapshot(py);
  scan = extensionView(scanOpened(openTarget(defaultExtension, { python: py })));
  await applyTree(defaultExtension, { python: py, out: ext });
}, 60_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const global = (name: string): Global => {
  const g = scan.globals.find((x) => x.name === name);
  expect(g, `${name} found by scan`).toBeDefined();
  return g!;
};

describe('the fixture extension, scanned against the rewritten minipy', () => {
  it('reports paths relative to the extension folder, and none of the tree\'s headers', () => {
    expect(scan.files.map((f) => f.path)).toEqual(['cipher_template.c', 'driver/threads.c', 'eggs.c', 'hostbind.cc', 'rot.c', 'spam_capi.h', 'spammodule.c', 'xor.c']);
    expect(scan.globals.every((g) => g.declarations.every((d) => !d.file.startsWith('Include/')))).toBe(true);
    expect(scan.totals.globals).toBe(scan.globals.length);
  });

  it('PyObject_HEAD_INIT(NULL) with ob_type set in init: Spam_Type is thread-local and marked', () => {
    expect(global('Spam_Type').classification).toBe('thread-local');
    expect(text('spammodule.c')).toContain('static PYGLOBAL PyTypeObject Spam_Type = {\n\tPyObject_HEAD_INIT(NULL)');
  });

  it('a type with tp_base set at init: SubSpam_Type is thread-local and marked', () => {
    expect(global('SubSpam_Type').classification).toBe('thread-local');
    expect(text('spammodule.c')).toContain('static PYGLOBAL PyTypeObject SubSpam_Type = {');
  });

  it('PyObject_HEAD_INIT(&PyType_Type): the tree\'s thread-local PyType_Type makes it move into initspam\'s chain', () => {
    expect(global('Egg_Type').classification).toBe('thread-local');
    const t = text('spammodule.c');
    expect(t).toContain('static PYGLOBAL PyTypeObject Egg_Type;\n');
    expect(t).toMatch(/PyTypeObject _pyglobal_tmp = \{\n\tPyObject_HEAD_INIT\(&PyType_Type\)/);
    expect(t).toMatch(/initspam\(void\)\n\{\n\t_PYGLOBAL_CHAIN\(\);/);
  });

  it('Py_None (&_Py_NoneStruct through a macro of the tree) in an initializer moves too', () => {
    expect(text('spammodule.c')).toContain('static PYGLOBAL PyObject *spam_default;\n');
    expect(text('spammodule.c')).toContain('PyObject *_pyglobal_tmp = Py_None;');
  });

  it('the module-level exception object SpamError is thread-local and marked', () => {
    expect(global('SpamError').classification).toBe('thread-local');
    expect(text('spammodule.c')).toContain('static PYGLOBAL PyObject *SpamError;');
  });

  it('the C-API table and its exported pointer, with the header\'s extern, are thread-local and marked', () => {
    expect(global('spam_capi').classification).toBe('thread-local');
    const api = global('PySpam_API');
    expect(api.classification).toBe('thread-local');
    expect(api.declarations.map((d) => d.file).sort()).toEqual(['spam_capi.h', 'spammodule.c']);
    expect(text('spammodule.c')).toContain('PYGLOBAL PySpam_CAPI *PySpam_API = NULL;');
    expect(text('spam_capi.h')).toContain('extern PYGLOBAL PySpam_CAPI *PySpam_API;');
    expect(text('eggs.c')).toContain('static PYGLOBAL PySpam_CAPI *eggs_spam;');
  });

  it('a template .c included by two modules under different macros: its globals once, marked in the template', () => {
    expect(global('CipherType').file).toBe('cipher_template.c');
    expect(global('cipher_bytes').classification).toBe('thread-local');
    expect(scan.globals.filter((g) => g.name === 'CipherType')).toHaveLength(1);
    expect(text('cipher_template.c')).toContain('static PYGLOBAL PyTypeObject CipherType = {');
    expect(text('cipher_template.c')).toContain('static PYGLOBAL long cipher_bytes;');
    expect(text('rot.c')).toBe(fs.readFileSync(path.join(defaultExtension, 'rot.c'), 'latin1'));
  });

  it('a libc call with static state (localtime) is found and routed', () => {
    expect(scan.libcCalls.map((c) => `${c.file} ${c.name} ${c.status}`)).toEqual(['spammodule.c localtime bare']);
    expect(text('spammodule.c')).toContain('PyGlobals_localtime(&t)');
  });

  it('C++ (hostbind.cc, parsed as C++): the type object, the cache in a namespace, the POD table and the function static are thread-local and marked', () => {
    for (const name of ['Host_Type', 'host_cache', 'shapes', 'host_default', 'calls']) {
      const g = global(name);
      expect(g.file, name).toBe('hostbind.cc');
      expect(g.classification, name).toBe('thread-local');
    }
    expect(global('calls').function).toBe('host_next');
    const t = text('hostbind.cc');
    expect(t).toContain('static PYGLOBAL PyTypeObject Host_Type = {');
    expect(t).toContain('namespace hostbind {\n// The interpreter\'s last Host object, kept as bindings keep a cached object.\nstatic PYGLOBAL PyObject *host_cache;');
    expect(t).toContain('static PYGLOBAL Shape shapes[] = {');
    expect(t).toContain('\tstatic PYGLOBAL long calls;');
    // Py_None moves into inithostbind(), which sits in an extern "C" block.
    expect(t).toContain('static PYGLOBAL PyObject *host_default;\n');
    expect(t).toMatch(/inithostbind\(void\)\n\{\n\tint i;\n\t_PYGLOBAL_CHAIN\(\);/);
    expect(scan.files.find((f) => f.path === 'hostbind.cc')).toMatchObject({ errorNodes: 0, missingNodes: 0 });
  });

  it('C++: a std::string global needs review (C2483 / thread_local) with file:line, and apply leaves it alone', async () => {
    const g = global('host_banner');
    expect(g.classification).toBe('shared-process');
    expect(g.reason).toMatch(/needs review: std::string .*C2483.*thread_local/);
    expect(text('hostbind.cc')).toContain('\nstatic std::string host_banner("hostbind 1.0");\n');
    const f = checkTree(defaultExtension, { python: py }).report.findings.filter((x) => x.ruleId === 'cxx-needs-review');
    expect(f.map((x) => `${x.file}:${x.line} ${x.name} ${x.severity}`)).toEqual([`hostbind.cc:${g.definition!.line} host_banner error`]);
    const dry = await applyTree(defaultExtension, { python: py, dryRun: true });
    expect(dry.findings.filter((x) => x.ruleId === 'cxx-needs-review').map((x) => x.severity)).toEqual(['warning']);
  });

  it('method tables are per thread in an extension: other extension code writes them through descriptors (numpy\'s add_docstring)', () => {
    const g = global('spam_methods');
    expect(g.classification).toBe('thread-local');
    expect(g.reasonSource).toBe('rules/cpython-2/reviewed-types.json');
    expect(g.reason).toMatch(/PyMethodDef table: read-only in the tree, but .*add_docstring/);
  });

  it('never writes into the Python tree, and check is clean after apply', () => {
    expect(snapshot(py)).toEqual(pyBefore);
    // Only the C++ object apply leaves to a reviewer, which the fixture's baseline accepts.
    const errors = checkTree(ext, { python: py }).report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.ruleId} ${f.file} ${f.name}`)).toEqual(['cxx-needs-review hostbind.cc host_banner']);
  });

  it('check on the unrewritten extension names each type object with file:line', () => {
    const f = checkTree(defaultExtension, { python: py }).report.findings.filter((x) => x.ruleId === 'missing-pyglobal');
    for (const [name, file] of [['Spam_Type', 'spammodule.c'], ['SubSpam_Type', 'spammodule.c'], ['Egg_Type', 'spammodule.c'], ['CipherType', 'cipher_template.c'], ['Host_Type', 'hostbind.cc'], ['shapes', 'hostbind.cc'], ['calls', 'hostbind.cc']]) {
      expect(f.some((x) => x.name === name && x.file === file && x.line > 0), name).toBe(true);
    }
    expect(f.every((x) => !x.file.startsWith('Include/'))).toBe(true);
  });

  it('a second apply writes nothing', async () => {
    const r = await applyTree(ext, { python: py });
    expect(r.files.filter((f) => f.outcome === 'written')).toEqual([]);
  });
});
