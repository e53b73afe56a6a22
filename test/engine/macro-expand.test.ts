import { describe, expect, it } from 'vitest';
import { directives, tokenize } from '../../src/engine/lex.ts';
import { collectDefines, collectIncludes, type MacroDef } from '../../src/engine/macro-defs.ts';
import { declaringMacros, expand, findUse, rescan } from '../../src/engine/macro-expand.ts';

const src = [
  '#define A(x) static int x##_a;',
  '#define B(n) A(n) A(n##2)',
  '#define S(x) #x',
  '#define V(fmt, ...) f(fmt, __VA_ARGS__)',
  '#define OBJ static char *cache;',
  '#define PLAIN(x) ((x)+1)',
  '#define REC(x) REC(x) static int r;',
  '#define DOC(n, s) DOCVAR(n, s)',
  '#define M2(a,\\',
  ' b) a b',
  '#define EXT extern int shared_count;',
  '#define NOTDECL int local_count;',
  '',
].join('\n');
const defs = collectDefines('m.c', directives(src));
const visible = new Map(defs.map((d) => [d.name, d]));
const def = (name: string): MacroDef => visible.get(name)!;
const interesting = declaringMacros(visible, new Set(['DOCVAR']));

describe('collectDefines', () => {
  it('reads names, parameters, variadic markers and bodies whose offsets point into the file', () => {
    expect(defs.map((d) => [d.name, d.params, d.variadic])).toEqual([
      ['A', ['x'], false],
      ['B', ['n'], false],
      ['S', ['x'], false],
      ['V', ['fmt', '__VA_ARGS__'], true],
      ['OBJ', undefined, false],
      ['PLAIN', ['x'], false],
      ['REC', ['x'], false],
      ['DOC', ['n', 's'], false],
      ['M2', ['a', 'b'], false],
      ['EXT', undefined, false],
      ['NOTDECL', undefined, false],
    ]);
    for (const d of defs) {
      expect(src.slice(d.bodyStart, d.bodyStart + d.body.length)).toBe(d.body);
      expect(src[d.at]).toBe('#');
      expect(d.file).toBe('m.c');
    }
    expect(def('A').body).toBe(' static int x##_a;');
    expect(def('A').at).toBe(0);
  });

  it('tells an object-like macro whose body starts with "(" from a function-like one', () => {
    const s = '#define P (1)\n#define F(a) (a)\n';
    expect(collectDefines('p.h', directives(s)).map((d) => [d.name, d.params, d.body])).toEqual([
      ['P', undefined, ' (1)'],
      ['F', ['a'], ' (a)'],
    ]);
  });

  it('ignores #undef, #if, and defines inside comments or strings (noisy)', () => {
    const s = '#undef A\n#if X\n#endif\n/* #define C 1 */\nchar *s = "#define D 1";\n';
    expect(collectDefines('n.c', directives(s))).toEqual([]);
  });
});

describe('collectIncludes', () => {
  it('keeps quoted includes with their offsets, not <system> ones', () => {
    const s = '#include "a.h"\n#  include <b.h>\n# include "sub/c.h" /* x */\n';
    expect(collectIncludes(tokenize(s))).toEqual([
      { name: 'a.h', at: 0 },
      { name: 'sub/c.h', at: 32 },
    ]);
  });
});

describe('declaringMacros', () => {
  it('finds macros whose bodies declare, directly, through a declaring word or through another macro', () => {
    expect([...interesting].sort()).toEqual(['A', 'B', 'DOC', 'EXT', 'OBJ', 'REC']);
  });

  it('leaves out macros that declare only automatic variables or nothing (noisy)', () => {
    for (const n of ['S', 'V', 'PLAIN', 'M2', 'NOTDECL']) expect(interesting.has(n), n).toBe(false);
  });

  it('does not count a word inside a string in the body', () => {
    const s = '#define MSG "static int x;"\n';
    const vis = new Map(collectDefines('s.c', directives(s)).map((d) => [d.name, d]));
    expect([...declaringMacros(vis, new Set())]).toEqual([]);
  });

  it('reaches a fixpoint along a chain of any length, in any definition order', () => {
    const s = '#define C3 C2\n#define C2 C1(y)\n#define C1(x) static int x;\n#define OTHER C4\n';
    const vis = new Map(collectDefines('c.c', directives(s)).map((d) => [d.name, d]));
    expect([...declaringMacros(vis, new Set())].sort()).toEqual(['C1', 'C2', 'C3']);
  });
});

describe('expand', () => {
  it('substitutes parameters and pastes with ##', () => {
    expect(expand(def('A'), ['foo'], visible, interesting).text).toBe('static int foo_a ;');
  });

  it('pastes a parameter with a literal piece, then rescans for nested declaring macros', () => {
    expect(expand(def('B'), ['foo'], visible, interesting).text).toBe('static int foo_a ; static int foo2_a ;');
  });

  it('stringifies with #, escaping quotes and backslashes and folding spaces', () => {
    expect(expand(def('S'), ['a  "q" \\ b'], visible, interesting).text).toBe('"a \\"q\\" \\\\ b"');
  });

  it('gives __VA_ARGS__ every remaining argument', () => {
    expect(expand(def('V'), ['"%d"', 'x', 'y'], visible, interesting).text).toBe('f ( "%d" , x, y )');
  });

  it('substitutes an empty text for a missing argument', () => {
    expect(expand(def('A'), [], visible, interesting).text).toBe('static int _a ;');
  });

  it('does not expand a macro inside its own expansion', () => {
    expect(expand(def('REC'), ['q'], visible, interesting).text).toBe('REC ( q ) static int r ;');
  });

  it('does not expand macros that cannot declare: they stay as written (noisy)', () => {
    const s = '#define W(x) PLAIN(x) static int x;\n#define PLAIN(x) ((x)+1)\n';
    const vis = new Map(collectDefines('w.c', directives(s)).map((d) => [d.name, d]));
    const intr = declaringMacros(vis, new Set());
    expect(expand(vis.get('W')!, ['v'], vis, intr).text).toBe('PLAIN ( v ) static int v ;');
  });

  it('keeps a declaring word (DOCVAR) as text for the caller to read', () => {
    expect(expand(def('DOC'), ['d', '"s"'], visible, interesting).text).toBe('DOCVAR ( d , "s" )');
  });

  it('maps each character of body text to its offset in the defining file; argument text and spaces map to null', () => {
    const e = expand(def('B'), ['foo'], visible, interesting);
    const aBody = def('A').bodyStart;
    // "static" comes from A's body, not from B's
    for (let i = 0; i < 6; i++) expect(e.origin[i]).toEqual({ file: 'm.c', offset: src.indexOf('static int x##') + i });
    expect(e.origin[0]!.offset).toBe(aBody + 1);
    const foo = e.text.indexOf('foo_a');
    expect(e.origin.slice(foo, foo + 3)).toEqual([null, null, null]);
    // "_a" is body text of A
    expect(e.origin[foo + 3]).toEqual({ file: 'm.c', offset: src.indexOf('_a;') });
    expect(e.origin).toHaveLength(e.text.length);
    expect(e.origin[6]).toBeNull();
  });
});

describe('rescan and findUse', () => {
  it('expands only interesting macros in a text and copies the rest byte for byte', () => {
    const text = 'x = PLAIN(1); A(v) OBJ tail';
    const r = rescan(text, new Array(text.length).fill(null), visible, interesting, new Set(), 0);
    expect(r.text).toBe('x = PLAIN(1); static int v_a ; static char * cache ; tail');
    expect(r.origin).toHaveLength(r.text.length);
  });

  it('leaves a function-like macro name without arguments alone (a macro name used as a non-macro)', () => {
    const toks = tokenize('int A; A(z)');
    expect(findUse(toks, 1, visible, interesting, new Set())).toBeUndefined();
    expect(findUse(toks, 3, visible, interesting, new Set())).toMatchObject({ def: def('A'), close: 6 });
  });

  it('refuses an unclosed use and an active macro', () => {
    const toks = tokenize('A(z');
    expect(findUse(toks, 0, visible, interesting, new Set())).toBeUndefined();
    expect(findUse(tokenize('A(z)'), 0, visible, interesting, new Set(['A']))).toBeUndefined();
  });

  it('finds an object-like use with close -1', () => {
    expect(findUse(tokenize('OBJ'), 0, visible, interesting, new Set())).toEqual({ def: def('OBJ'), close: -1 });
  });
});
