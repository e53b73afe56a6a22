// The scanner against the fixture's own truth (fixtures/minipy/expected-globals.json): every
// declaration of every pattern is found with its kind and function ("missing" cases), nothing
// else is reported ("noisy" cases), and every global that is written is thread-local.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../src/cpython2/scan.ts';
import type { Declaration, Global, ScanResult } from '../../src/engine/model.ts';

const root = fileURLToPath(new URL('../../fixtures/minipy/', import.meta.url));

interface Entry {
  file: string;
  name: string;
  function: string | null;
  scope: 'file' | 'function';
  kind: Declaration['kind'];
  viaMacro: string | null;
  pattern: string;
  also: string[];
  expect: 'thread-local' | 'shared-immutable';
  initMoves: boolean;
}

const expected: Entry[] = JSON.parse(fs.readFileSync(`${root}/expected-globals.json`, 'utf8')).globals;
const patterns = [...new Set(expected.flatMap((e) => [e.pattern, ...e.also]))].sort();

let scan: ScanResult;
const decls: { d: Declaration; g: Global }[] = [];
beforeAll(() => {
  scan = scanTree(root);
  for (const g of scan.globals) for (const d of g.declarations) decls.push({ d, g });
});

const key = (file: string, name: string, fn: string | null | undefined, kind: string) => `${file}|${fn ?? '-'}|${name}|${kind}`;

describe('scan of fixtures/minipy', () => {
  it.each(patterns)('finds every declaration of pattern %s with its kind and function', (pattern) => {
    const mine = expected.filter((e) => e.pattern === pattern || e.also.includes(pattern));
    expect(mine.length).toBeGreaterThan(0);
    const found = new Map<string, number>();
    for (const { d } of decls) {
      const k = key(d.file, d.name, d.function, d.kind);
      found.set(k, (found.get(k) ?? 0) + 1);
    }
    const missing = mine.filter((e) => !found.get(key(e.file, e.name, e.function, e.kind)));
    expect(missing.map((e) => key(e.file, e.name, e.function, e.kind))).toEqual([]);
  });

  it('reports nothing that is not a global (no noisy findings)', () => {
    const want = new Set(expected.map((e) => key(e.file, e.name, e.function, e.kind)));
    const extra = decls.filter(({ d }) => !want.has(key(d.file, d.name, d.function, d.kind))).map(({ d }) => `${d.file}:${d.line} ${key(d.file, d.name, d.function, d.kind)}`);
    expect(extra).toEqual([]);
  });

  it('makes one global per function-local static made by a macro expansion', () => {
    const caches = scan.globals.filter((g) => g.name === 'cache_str' && g.file === 'Objects/typeobject.c');
    const want = expected.filter((e) => e.name === 'cache_str');
    expect(caches.map((g) => g.function).sort()).toEqual(want.map((e) => e.function).sort());
    for (const g of caches) expect(g.definition?.viaMacro).toMatch(/^SLOT/);
  });

  it('links every extern, tentative and forward declaration to its definition', () => {
    for (const e of expected.filter((x) => x.kind !== 'definition' && x.kind !== 'tentative')) {
      const g = scan.globals.find((g) => g.name === e.name && g.definition && g.declarations.some((d) => d.file === e.file && d.kind === e.kind));
      expect(g, `${e.file} ${e.kind} ${e.name}`).toBeDefined();
    }
  });

  it('classifies every written global, and every holder of a thread-local address, as thread-local', () => {
    const wrong: string[] = [];
    for (const e of expected.filter((x) => x.expect === 'thread-local' && (x.kind === 'definition' || x.kind === 'tentative'))) {
      const g = scan.globals.find((g) => g.name === e.name && (g.function ?? null) === e.function && g.definition?.file === e.file);
      if (g?.classification !== 'thread-local') wrong.push(`${e.file} ${e.name}: ${g?.classification} (${g?.reason})`);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps const tables and unwritten docstrings shared, each with a reason', () => {
    for (const e of expected.filter((x) => x.pattern === 'const-never-written' || (x.pattern === 'docstring-macro' && x.expect === 'shared-immutable'))) {
      const g = scan.globals.find((g) => g.name === e.name && g.definition?.file === e.file);
      expect(g?.classification, `${e.file} ${e.name}`).toBe('shared-immutable');
      expect(g?.reason.length).toBeGreaterThan(20);
    }
  });

  it('reports where tree-sitter could not parse, instead of skipping silently', () => {
    for (const f of scan.findings.filter((f) => f.ruleId === 'parse-error')) {
      expect(f.line).toBeGreaterThan(0);
      expect(scan.files.some((r) => r.path === f.file)).toBe(true);
    }
    expect(scan.files.length).toBeGreaterThan(20);
  });
});
