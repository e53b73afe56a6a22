import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReviewed, matchReviewed, staleRows, type ReviewedRow } from '../../src/cpython2/reviewed.ts';
import { rulesDir } from '../../src/cpython2/rules.ts';
import { UsageError } from '../../src/cli/errors.ts';
import type { UnclassifiedGlobal } from '../../src/engine/symbols.ts';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-reviewed-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let n = 0;
function dirWith(files: Record<string, unknown>): string {
  const dir = path.join(tmpRoot, `d${n++}`);
  fs.mkdirSync(dir);
  for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), typeof v === 'string' ? v : JSON.stringify(v));
  return dir;
}
const reason = 'shared on purpose: written once at start-up';
const row = (over: Record<string, unknown> = {}) => ({ file: 'Modules/a.c', function: '-', name: 'x', classification: 'shared-process', reason, ...over });
function expectRejected(files: Record<string, unknown>, msg: RegExp): void {
  const dir = dirWith(files);
  let err: unknown;
  try {
    loadReviewed(dir);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).toContain(dir);
  expect((err as Error).message).toMatch(msg);
}

const g = (file: string, name: string, fn?: string): UnclassifiedGlobal => ({
  id: `${file}|${fn ?? '-'}|${name}`,
  name,
  file,
  function: fn,
  linkage: fn ? 'none' : 'internal',
  declarations: [],
});
const r = (file: string, fn: string, name: string): ReviewedRow => ({ file, function: fn, name, classification: 'shared-process', reason, source: 't.json#0', rulesFile: 'rules/t.json' });

describe('loadReviewed on the 2.4 profile (rules/reviewed, then cpython-2.4/reviewed)', () => {
  it('loads every row with a classification, a reason and its source', () => {
    const rows = loadReviewed();
    expect(rows.length).toBeGreaterThan(0);
    const files = ['reviewed', 'cpython-2.4/reviewed'].flatMap((d) => fs.readdirSync(path.join(rulesDir, d)).filter((f) => f.endsWith('.json')).map((f) => `rules/${d}/${f}`));
    for (const x of rows) {
      expect(['thread-local', 'shared-immutable', 'shared-process']).toContain(x.classification);
      expect(x.reason.trim().length).toBeGreaterThanOrEqual(10);
      expect(files).toContain(x.rulesFile);
      expect(x.rulesFile.endsWith('/' + x.source.split('#')[0])).toBe(true);
    }
    expect(new Set(rows.map((x) => x.rulesFile)).size).toBe(files.length);
  });
});

describe('loadReviewed validation', () => {
  it('returns no rows for a missing folder', () => {
    expect(loadReviewed(path.join(tmpRoot, 'absent'))).toEqual([]);
  });

  it('reads rows in file order with source file#index, ignoring non-JSON files', () => {
    const dir = dirWith({
      'b.json': { id: 'b', rows: [row({ name: 'y' })] },
      'a.json': { id: 'a', rows: [row(), row({ name: 'z', function: 'f', classification: 'shared-immutable' })] },
      'notes.txt': 'x',
    });
    expect(loadReviewed(dir).map((x) => [x.source, x.name, x.function, x.classification])).toEqual([
      ['a.json#0', 'x', '-', 'shared-process'],
      ['a.json#1', 'z', 'f', 'shared-immutable'],
      ['b.json#0', 'y', '-', 'shared-process'],
    ]);
  });

  it('rejects bad JSON, an id that is not the file name, and rows that are not a list', () => {
    expectRejected({ 'a.json': '{"id": "a", "rows": [' }, /a\.json:1: cannot load reviewed list/);
    expectRejected({ 'a.json': { id: 'b', rows: [] } }, /a\.json:1: field "id" must equal the file name/);
    expectRejected({ 'a.json': { rows: [] } }, /field "id"/);
    expectRejected({ 'a.json': { id: 'a', rows: {} } }, /a\.json:1: field "rows" must be a list/);
  });

  it.each(['file', 'function', 'name', 'classification', 'reason'])('rejects a row without "%s", naming the row', (field) => {
    const bad: Record<string, unknown> = row();
    delete bad[field];
    expectRejected({ 'a.json': { id: 'a', rows: [row(), bad] } }, new RegExp(`a\\.json: rows\\[1\\]: field "${field}" is required`));
    expectRejected({ 'a.json': { id: 'a', rows: [row({ [field]: '  ' })] } }, new RegExp(`rows\\[0\\]: field "${field}" is required and must not be empty`));
  });

  it('rejects an unknown classification', () => {
    expectRejected({ 'a.json': { id: 'a', rows: [row({ classification: 'shared' })] } }, /rows\[0\]: classification must be one of thread-local, shared-immutable, shared-process/);
  });

  it('rejects a reason that does not say why: "-" or a word', () => {
    expectRejected({ 'a.json': { id: 'a', rows: [row({ reason: '-' })] } }, /rows\[0\]: the reason must say why \("-"\)/);
    expectRejected({ 'a.json': { id: 'a', rows: [row({ reason: 'unsafe' })] } }, /the reason must say why/);
  });
});

describe('matchReviewed', () => {
  it('matches on file, function ("-" for file scope) and name exactly', () => {
    const rows = [r('Modules/a.c', '-', 'x'), r('Modules/a.c', 'f', 'cache')];
    expect(matchReviewed(rows, g('Modules/a.c', 'x'))).toBe(rows[0]);
    expect(matchReviewed(rows, g('Modules/a.c', 'cache', 'f'))).toBe(rows[1]);
  });

  it('does not match another file, function or name, nor a file-scope row for a local static (noisy)', () => {
    const rows = [r('Modules/a.c', '-', 'x'), r('Modules/a.c', 'f', 'cache')];
    expect(matchReviewed(rows, g('Modules/b.c', 'x'))).toBeUndefined();
    expect(matchReviewed(rows, g('Modules/a.c', 'x', 'f'))).toBeUndefined();
    expect(matchReviewed(rows, g('Modules/a.c', 'cache', 'g'))).toBeUndefined();
    expect(matchReviewed(rows, g('Modules/a.c', 'cache'))).toBeUndefined();
    expect(matchReviewed(rows, g('Modules/a.c', 'xx'))).toBeUndefined();
  });

  it('lets function "*" match any function and file scope alike', () => {
    const rows = [r('Modules/a.c', '*', 'cache')];
    expect(matchReviewed(rows, g('Modules/a.c', 'cache', 'f'))).toBe(rows[0]);
    expect(matchReviewed(rows, g('Modules/a.c', 'cache'))).toBe(rows[0]);
  });

  it('reads "*" in file and name as a glob that does not cross "/"', () => {
    const rows = [r('Modules/*.c', '-', 'doc_*')];
    expect(matchReviewed(rows, g('Modules/x.c', 'doc_a'))).toBe(rows[0]);
    expect(matchReviewed(rows, g('Modules/x.c', 'doc_'))).toBe(rows[0]);
    expect(matchReviewed(rows, g('Modules/sub/x.c', 'doc_a'))).toBeUndefined();
    expect(matchReviewed(rows, g('Modules/x.h', 'doc_a'))).toBeUndefined();
    expect(matchReviewed(rows, g('Modules/x.c', 'xdoc_a'))).toBeUndefined();
  });

  it('takes "." and other regex characters in a glob literally', () => {
    const rows = [r('Modules/a.c*', '-', 'x')];
    expect(matchReviewed(rows, g('Modules/a.cpp', 'x'))).toBe(rows[0]);
    expect(matchReviewed(rows, g('Modules/abc', 'x'))).toBeUndefined();
    expect(matchReviewed([r('Modules/a.c', '-', 'x')], g('Modules/abc', 'x'))).toBeUndefined();
    expect(matchReviewed([r('(a|b).c*', '-', 'x')], g('a.c', 'x'))).toBeUndefined();
  });

  it('returns the first matching row', () => {
    const rows = [r('Modules/*.c', '-', '*'), r('Modules/a.c', '-', 'x')];
    expect(matchReviewed(rows, g('Modules/a.c', 'x'))).toBe(rows[0]);
  });
});

describe('staleRows', () => {
  it('lists exactly the rows that match no global', () => {
    const live = r('Modules/a.c', '-', 'x');
    const glob = r('Objects/*.c', '*', 'cache_*');
    const stale1 = r('Modules/gone.c', '-', 'x');
    const stale2 = r('Modules/a.c', 'f', 'x');
    const globals = [g('Modules/a.c', 'x'), g('Objects/t.c', 'cache_str', 'slot_f')];
    expect(staleRows([live, glob, stale1, stale2], globals)).toEqual([stale1, stale2]);
    expect(staleRows([live], [])).toEqual([live]);
    expect(staleRows([], globals)).toEqual([]);
  });
});
