import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMacroRules, rulesDir } from '../../src/cpython2/rules.ts';
import { UsageError } from '../../src/cli/errors.ts';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-rules-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let n = 0;
/** A rules/macros folder holding the given files (name → JSON value or raw text). */
function dirWith(files: Record<string, unknown>): string {
  const dir = path.join(tmpRoot, `d${n++}`);
  fs.mkdirSync(dir);
  for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), typeof v === 'string' ? v : JSON.stringify(v));
  return dir;
}
const reason = 'a reason that says why, long enough';
/** Loading must fail with a UsageError naming the file and matching `msg`. */
function expectRejected(files: Record<string, unknown>, file: string, msg: RegExp): void {
  const dir = dirWith(files);
  let err: unknown;
  try {
    loadMacroRules(dir);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).toContain(path.join(dir, file));
  expect((err as Error).message).toMatch(msg);
}

describe('loadMacroRules on rules/cpython-2/macros', () => {
  const rules = loadMacroRules();

  it('loads every file of the folder, keyed by its name', () => {
    const files = fs.readdirSync(path.join(rulesDir, 'cpython-2/macros')).filter((f) => f.endsWith('.json'));
    expect(rules.size).toBe(files.length);
    expect([...rules.keys()].sort()).toEqual(files.map((f) => f.replace(/\.json$/, '')).sort());
  });

  it('gives the meanings the scanner depends on', () => {
    expect(rules.get('PyDoc_STRVAR')).toMatchObject({ kind: 'declares', storage: 'static', type: 'char', array: true, nameArg: 0, initArg: 1 });
    expect(rules.get('staticforward')).toMatchObject({ kind: 'storage', means: 'static' });
    expect(rules.get('PyAPI_DATA')).toMatchObject({ kind: 'wrapper', means: 'extern' });
    expect(rules.get('PYGLOBAL')).toMatchObject({ kind: 'erase', args: false, marksThreadLocal: true });
    expect(rules.get('PyObject_HEAD_INIT')).toMatchObject({ kind: 'initializer-comma' });
  });

  it('has a reason on every rule', () => {
    for (const r of rules.values()) expect(r.reason.trim().length, r.name).toBeGreaterThanOrEqual(10);
  });
});

describe('loadMacroRules refuses malformed rules, naming the file and the field', () => {
  it('accepts a well-formed rule of each kind and ignores other files', () => {
    const dir = dirWith({
      'S.json': { name: 'S', kind: 'storage', means: 'static', reason },
      'R.json': { name: 'R', kind: 'replace', means: 'void', reason },
      'W.json': { name: 'W', kind: 'wrapper', means: '', reason },
      'E.json': { name: 'E', kind: 'erase', args: true, reason },
      'F.json': { name: 'F', kind: 'fields', reason },
      'T.json': { name: 'T', kind: 'statement', args: false, means: ';', reason },
      'I.json': { name: 'I', kind: 'initializer-comma', reason },
      'D.json': { name: 'D', kind: 'declares', storage: 'static', type: 'char', array: true, isConst: false, nameArg: 0, reason },
      'README.md': 'not a rule',
    });
    expect([...loadMacroRules(dir).keys()]).toEqual(['D', 'E', 'F', 'I', 'R', 'S', 'T', 'W']);
  });

  it('rejects a file that is not JSON', () => {
    expectRejected({ 'X.json': '{ "name": "X", ' }, 'X.json', /cannot load rule/);
  });

  it('rejects a rule without a name', () => {
    expectRejected({ 'X.json': { kind: 'fields', reason } }, 'X.json', /field "name" is required/);
    expectRejected({ 'X.json': { name: '', kind: 'fields', reason } }, 'X.json', /field "name" is required/);
  });

  it('rejects a rule whose name is not its file name', () => {
    expectRejected({ 'X.json': { name: 'Y', kind: 'fields', reason } }, 'X.json', /file name must be the rule id "Y\.json"/);
  });

  it('rejects an unknown kind', () => {
    expectRejected({ 'X.json': { name: 'X', kind: 'macro', reason } }, 'X.json', /field "kind" must be one of/);
    expectRejected({ 'X.json': { name: 'X', reason } }, 'X.json', /field "kind" must be one of/);
  });

  it.each([
    ['storage', 'means'],
    ['replace', 'means'],
    ['wrapper', 'means'],
    ['erase', 'args'],
    ['statement', 'args'],
    ['statement', 'means'],
    ['declares', 'storage'],
    ['declares', 'type'],
    ['declares', 'array'],
    ['declares', 'isConst'],
    ['declares', 'nameArg'],
  ])('rejects a %s rule without "%s"', (kind, field) => {
    const full: Record<string, Record<string, unknown>> = {
      storage: { means: 'static' },
      replace: { means: 'void' },
      wrapper: { means: '' },
      erase: { args: false },
      statement: { args: false, means: ';' },
      declares: { storage: 'static', type: 'char', array: true, isConst: false, nameArg: 0 },
    };
    const rule: Record<string, unknown> = { name: 'X', kind, reason, ...full[kind] };
    delete rule[field];
    expectRejected({ 'X.json': rule }, 'X.json', new RegExp(`kind "${kind}" needs field "${field}"`));
  });

  it('rejects a missing, empty, blank or too short reason', () => {
    for (const r of [undefined, '', '      ', 'because']) {
      expectRejected({ 'X.json': { name: 'X', kind: 'fields', reason: r } }, 'X.json', /field "reason" must say why/);
    }
  });

  it('names the bad file among good ones', () => {
    expectRejected({ 'A.json': { name: 'A', kind: 'fields', reason }, 'B.json': { name: 'B', kind: 'fields', reason: '-' } }, 'B.json', /reason/);
  });

  // `r.kind in macroKinds` also holds for Object.prototype's names, so kind "constructor" passes
  // the kind check and the loader then iterates a function: a TypeError (exit 2 as an internal
  // error, no file named) instead of a UsageError. Fix: Object.hasOwn(macroKinds, r.kind).
  it('rejects kind "constructor" as an unknown kind, with a UsageError', () => {
    expectRejected({ 'X.json': { name: 'X', kind: 'constructor', reason } }, 'X.json', /field "kind" must be one of/);
  });

  // Fields are checked for presence only, not type or value, so `"nameArg": "first"` loads and the
  // scanner then silently finds no declaration for any use of the macro (use.args["first"] is
  // undefined). Likewise a storage rule meaning "register". Fix: check each field's type and
  // allowed values (nameArg/initArg non-negative integers, storage means static|extern, etc.).
  it.fails('rejects a declares rule whose nameArg is not an argument index', () => {
    const rule = { name: 'X', kind: 'declares', storage: 'static', type: 'char', array: true, isConst: false, nameArg: 'first', reason };
    expectRejected({ 'X.json': rule }, 'X.json', /nameArg/);
  });

  it.fails('rejects a storage rule that means something other than static or extern', () => {
    expectRejected({ 'X.json': { name: 'X', kind: 'storage', means: 'register', reason } }, 'X.json', /means/);
  });
});
