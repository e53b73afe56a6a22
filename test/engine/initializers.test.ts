import { describe, expect, it } from 'vitest';
import { elementCountText, expandText, referencedNames, mayNameIdentifiers } from '../../src/engine/initializers.ts';
import { directives } from '../../src/engine/lex.ts';
import { collectDefines } from '../../src/engine/macro-defs.ts';

const defs = [
  '#define HEAD_INIT(t) 1, t,',
  '#define NONE (&none_obj)',
  '#define SELF(x) &x',
  '#define ZERO 0',
  '',
].join('\n');
const visible = new Map(collectDefines('h.h', directives(defs)).map((d) => [d.name, d]));

describe('expandText', () => {
  it('expands every visible macro, nested ones and arguments included, and leaves strings alone', () => {
    expect(expandText('{ HEAD_INIT(&TypeT) 0, NONE, SELF(gv), "NONE" }', visible)).toBe('{ 1 , &TypeT , 0, ( & none_obj ), & gv, "NONE" }');
    expect(expandText('{ HEAD_INIT(NONE) }', visible)).toBe('{ 1 , ( & none_obj ) , }');
  });

  it('returns text without visible macros unchanged', () => {
    const t = '{ 1, "two", { three } }';
    expect(expandText(t, visible)).toBe(t);
    expect(expandText(t, new Map())).toBe(t);
  });

  it('leaves a function-like macro name without arguments as written', () => {
    expect(expandText('{ SELF, ZERO }', visible)).toBe('{ SELF, 0 }');
  });
});

describe('referencedNames', () => {
  const vars = new Set(['gv', 'TypeT', 'none_obj', 'm', 'arr', 'tbl']);
  const isVar = (n: string) => vars.has(n);

  it('finds variables used as values or addresses (missing)', () => {
    expect(referencedNames('{ 1, &TypeT, (&none_obj), gv, arr + 1, tbl[2] }', isVar).sort()).toEqual(['TypeT', 'arr', 'gv', 'none_obj', 'tbl']);
  });

  it('after expansion, finds what a macro hides', () => {
    expect(referencedNames(expandText('{ HEAD_INIT(NULL) NONE }', visible), isVar)).toEqual(['none_obj']);
  });

  it('does not count sizeof operands, members after . or ->, designators, strings or non-candidates (noisy)', () => {
    const t = '{ sizeof(gv), sizeof arr, sizeof(struct { int m; }), s.m, p->m, .tbl = 1, "gv", other }';
    expect(referencedNames(t, isVar)).toEqual([]);
  });

  it('skips only the operand of sizeof, not what follows it', () => {
    expect(referencedNames('sizeof(gv) + tbl', isVar)).toEqual(['tbl']);
    expect(referencedNames('sizeof gv, arr', isVar)).toEqual(['arr']);
  });

  it('reports each name once', () => {
    expect(referencedNames('{ &gv, &gv, gv }', isVar)).toEqual(['gv']);
  });
});

describe('elementCountText', () => {
  it('gives a plain count without directives', () => {
    expect(elementCountText('{a, {1, 2}, f(x, y)}')).toBe('3');
    expect(elementCountText('{a, b,}')).toBe('2');
  });

  it('keeps #ifdef lines between elements so the count holds on every configuration', () => {
    expect(elementCountText('{a,\n#ifdef X\nb,\n#endif\nc}')).toBe('1 +\n#ifdef X\n1 +\n#endif\n1');
  });

  it('keeps #if/#else alternatives with their own counts', () => {
    const t = elementCountText('{a, b,\n#if X\nc,\n#else\nd, e,\n#endif\n}');
    expect(t).toBe('2 +\n#if X\n1 +\n#else\n2 +\n#endif\n0');
  });

  it('joins a continued directive onto one line', () => {
    expect(elementCountText('{a,\n#if defined(X) && \\\n  defined(Y)\nb,\n#endif\n}')).toBe('1 +\n#if defined(X) &&    defined(Y)\n1 +\n#endif\n0');
  });

  it('refuses a directive inside an element, a nested one, a #define, designators and non-braces', () => {
    expect(elementCountText('{a\n#ifdef X\n+ b\n#endif\n}')).toBeUndefined();
    expect(elementCountText('{ {1,\n#ifdef X\n2,\n#endif\n}, b }')).toBeUndefined();
    expect(elementCountText('{\n#define Q 1\na}')).toBeUndefined();
    expect(elementCountText('{[1] = a}')).toBeUndefined();
    expect(elementCountText('"s"')).toBeUndefined();
  });
});

describe('mayNameIdentifiers', () => {
  it('is false for literals, comments and punctuation only', () => {
    for (const t of ['{1, 2, 0x1FUL, 3.5e+10f, 07}', '"a b c"', "{'x', '\\'', '\\n'}", '/* name */ 1', '1 // name\n', '{ { -1, 2 }, }', '']) {
      expect(mayNameIdentifiers(t), t).toBe(false);
    }
  });
  it('is true wherever an identifier may stand', () => {
    for (const t of ['{&x}', '{1, FOO}', 'L"wide"', '"a" b', '/* c */ y', '1 // c\n z', '{0x10, sizeof(int)}', '1.5e3 + e']) {
      expect(mayNameIdentifiers(t), t).toBe(true);
    }
  });
});
