import { describe, expect, it } from 'vitest';
import type { Declaration } from '../../src/engine/model.ts';
import { linkSymbols, type UnclassifiedGlobal } from '../../src/engine/symbols.ts';

let nextOffset = 0;
/** A declaration as parseFile would give it; only what linking reads matters. */
function decl(file: string, name: string, storage: Declaration['storage'], kind: Declaration['kind'], extra: Partial<Declaration> = {}): Declaration {
  const offset = extra.offset ?? (nextOffset += 10);
  return {
    file,
    line: 1,
    column: 1,
    name,
    offset,
    scope: 'file',
    storage,
    kind,
    type: `int ${name}`,
    isConst: false,
    isArray: false,
    isPointer: false,
    insertAt: offset,
    range: { start: offset, end: offset + 5 },
    sharedStatement: false,
    threadLocal: false,
    ...extra,
  };
}
const local = (file: string, fn: string, name: string, offset?: number) => decl(file, name, 'static', 'definition', { scope: 'function', function: fn, offset });
const byId = (gs: UnclassifiedGlobal[]) => new Map(gs.map((g) => [g.id, g]));

describe('linkSymbols: file-scope statics', () => {
  it('makes one internal variable per file and name, even when the names clash across files', () => {
    const a = decl('a.c', 'x', 'static', 'tentative');
    const b = decl('b.c', 'x', 'static', 'definition');
    const gs = linkSymbols([a, b]);
    expect(gs.map((g) => [g.id, g.linkage, g.file])).toEqual([
      ['a.c|-|x', 'internal', 'a.c'],
      ['b.c|-|x', 'internal', 'b.c'],
    ]);
    expect(gs[0].definition).toBe(a);
    expect(gs[1].declarations).toEqual([b]);
  });

  it('joins a forward declaration, a tentative one and the definition of one static; the definition wins', () => {
    const fwd = decl('a.c', 'T', 'static', 'forward');
    const tent = decl('a.c', 'T', 'static', 'tentative');
    const def = decl('a.c', 'T', 'static', 'definition');
    const [g, ...rest] = linkSymbols([fwd, tent, def]);
    expect(rest).toEqual([]);
    expect(g.definition).toBe(def);
    expect(g.declarations).toEqual([fwd, tent, def]);
  });

  it('takes the tentative declaration as the definition when there is no initializer anywhere', () => {
    const fwd = decl('a.c', 'T', 'static', 'forward');
    const tent = decl('a.c', 'T', 'static', 'tentative');
    expect(linkSymbols([fwd, tent])[0].definition).toBe(tent);
  });

  it('leaves a static with only a forward declaration without a definition', () => {
    const g = linkSymbols([decl('a.c', 'F', 'static', 'forward')])[0];
    expect(g.definition).toBeUndefined();
    expect(g.id).toBe('a.c|-|F');
  });
});

describe('linkSymbols: external linkage', () => {
  it('links a definition with the header extern and externs in other files and in function bodies', () => {
    const h = decl('x.h', 'g', 'extern', 'extern');
    const def = decl('a.c', 'g', 'none', 'definition');
    const other = decl('b.c', 'g', 'extern', 'extern');
    const inFn = decl('c.c', 'g', 'extern', 'extern', { scope: 'function', function: 'use' });
    const gs = linkSymbols([h, def, other, inFn]);
    expect(gs).toHaveLength(1);
    expect(gs[0]).toMatchObject({ id: 'a.c|-|g', name: 'g', file: 'a.c', linkage: 'external' });
    expect(gs[0].definition).toBe(def);
    expect(gs[0].declarations).toEqual([h, def, other, inFn]);
  });

  it('merges a tentative declaration with the definition in the same file', () => {
    const tent = decl('a.c', 't', 'none', 'tentative');
    const def = decl('a.c', 't', 'none', 'definition');
    const gs = linkSymbols([tent, def]);
    expect(gs).toHaveLength(1);
    expect(gs[0].definition).toBe(def);
    expect(gs[0].declarations).toEqual([tent, def]);
  });

  it('keeps one variable per defining file (separate programs), each with every extern', () => {
    const h = decl('x.h', 'v', 'extern', 'extern');
    const d1 = decl('prog1.c', 'v', 'none', 'definition');
    const d2 = decl('prog2.c', 'v', 'none', 'tentative');
    const gs = byId(linkSymbols([h, d1, d2]));
    expect([...gs.keys()].sort()).toEqual(['prog1.c|-|v', 'prog2.c|-|v']);
    expect(gs.get('prog1.c|-|v')!.declarations).toEqual([h, d1]);
    expect(gs.get('prog2.c|-|v')!.declarations).toEqual([h, d2]);
    expect(gs.get('prog2.c|-|v')!.definition).toBe(d2);
  });

  it('keeps an extern-only name as one undefined variable under extern|name', () => {
    const a = decl('x.h', 'environ', 'extern', 'extern');
    const b = decl('a.c', 'environ', 'extern', 'extern');
    const gs = linkSymbols([a, b]);
    expect(gs).toEqual([{ id: 'extern|environ', name: 'environ', file: 'x.h', linkage: 'external', declarations: [a, b] }]);
  });

  it('does not link an extern in another file to a static (noisy)', () => {
    const s = decl('a.c', 'x', 'static', 'definition');
    const e = decl('b.c', 'x', 'extern', 'extern');
    const gs = byId(linkSymbols([s, e]));
    expect(gs.get('a.c|-|x')!.declarations).toEqual([s]);
    expect(gs.get('extern|x')!.declarations).toEqual([e]);
  });
});

describe('linkSymbols: extern after a static in the same file', () => {
  it('names the static (C99 6.2.2p4), inside a function too', () => {
    const s = decl('a.c', 'x', 'static', 'definition', { cond: undefined });
    const e1 = decl('a.c', 'x', 'extern', 'extern');
    const e2 = decl('a.c', 'x', 'extern', 'extern', { scope: 'function', function: 'f' });
    const gs = linkSymbols([s, e1, e2]);
    expect(gs).toHaveLength(1);
    expect(gs[0]).toMatchObject({ id: 'a.c|-|x', linkage: 'internal' });
    expect(gs[0].declarations).toEqual([s, e1, e2]);
  });

  it('does not when the two sit in different branches of one #if group', () => {
    const s = decl('a.c', 'environ', 'static', 'tentative', { cond: '0:0' });
    const e = decl('a.c', 'environ', 'extern', 'extern', { cond: '0:1' });
    const gs = byId(linkSymbols([s, e]));
    expect(gs.get('a.c|-|environ')!.declarations).toEqual([s]);
    expect(gs.get('extern|environ')!.declarations).toEqual([e]);
  });

  it('does when they sit in the same branch or in unrelated groups', () => {
    const s = decl('a.c', 'y', 'static', 'tentative', { cond: '0:1' });
    const e = decl('a.c', 'y', 'extern', 'extern', { cond: '0:1/3:0' });
    const s2 = decl('a.c', 'z', 'static', 'tentative', { cond: '0:0' });
    const e2 = decl('a.c', 'z', 'extern', 'extern', { cond: '4:1' });
    const gs = byId(linkSymbols([s, e, s2, e2]));
    expect(gs.get('a.c|-|y')!.declarations).toEqual([s, e]);
    expect(gs.get('a.c|-|z')!.declarations).toEqual([s2, e2]);
    expect(gs.has('extern|y') || gs.has('extern|z')).toBe(false);
  });
});

describe('linkSymbols: function-local statics', () => {
  it('makes each one distinct, numbering same-named ones per file and function', () => {
    const a = local('t.c', 'slot_f', 'cache', 100);
    const b = local('t.c', 'slot_f', 'cache', 200);
    const c = local('t.c', 'slot_g', 'cache', 300);
    const d = local('u.c', 'slot_f', 'cache', 50);
    const gs = linkSymbols([a, b, c, d]);
    expect(gs.map((g) => [g.id, g.linkage, g.function])).toEqual([
      ['t.c|slot_f|cache|0', 'none', 'slot_f'],
      ['t.c|slot_f|cache|1', 'none', 'slot_f'],
      ['t.c|slot_g|cache|0', 'none', 'slot_g'],
      ['u.c|slot_f|cache|0', 'none', 'slot_f'],
    ]);
    expect(gs.map((g) => g.definition)).toEqual([a, b, c, d]);
    expect(gs.every((g) => g.declarations.length === 1)).toBe(true);
  });

  it('never joins a function-local static with a file-scope static of the same name (noisy)', () => {
    const fileStatic = decl('t.c', 'n', 'static', 'definition', { offset: 5 });
    const fnStatic = local('t.c', 'f', 'n', 50);
    const gs = linkSymbols([fileStatic, fnStatic]);
    expect(gs.map((g) => g.id)).toEqual(['t.c|-|n', 't.c|f|n|0']);
  });

  it('uses "?" for a local static whose function is unknown', () => {
    const d = decl('t.c', 'q', 'static', 'definition', { scope: 'function' });
    expect(linkSymbols([d])[0].id).toBe('t.c|?|q|0');
  });
});

describe('linkSymbols: order', () => {
  it('sorts by file, then by the offset of the definition', () => {
    const gs = linkSymbols([decl('b.c', 'late', 'static', 'definition', { offset: 9 }), decl('a.c', 'two', 'none', 'definition', { offset: 80 }), decl('a.c', 'one', 'static', 'definition', { offset: 40 })]);
    expect(gs.map((g) => g.id)).toEqual(['a.c|-|one', 'a.c|-|two', 'b.c|-|late']);
  });
});
