import { describe, expect, it } from 'vitest';
import { braceDepths, depthAt, enclosingFunctionLexical } from '../../src/engine/brace-depth.ts';
import { tokenize } from '../../src/engine/lex.ts';

function index(src: string) {
  const idx = braceDepths(tokenize(src));
  return {
    depth: (needle: string) => depthAt(idx, src.indexOf(needle)),
    fn: (needle: string) => enclosingFunctionLexical(idx, src.indexOf(needle)),
    idx,
  };
}

describe('braceDepths', () => {
  it('counts braces of bodies, blocks and initializers, not those in strings, chars or comments', () => {
    const src = [
      'static int top;',
      'int f(int a) {',
      '  char *s = "{{{"; char c = \'{\'; /* { */',
      '  if (a) { static int inner; }',
      '  static int body;',
      '}',
      'static int t2[] = { 1, 2 };',
      'static int after;',
      '',
    ].join('\n');
    const ix = index(src);
    expect(ix.depth('static int top')).toBe(0);
    expect(ix.depth('static int inner')).toBe(2);
    expect(ix.depth('static int body')).toBe(1);
    expect(ix.depth('2 }')).toBe(1);
    expect(ix.depth('static int after')).toBe(0);
    expect(ix.idx.depth[ix.idx.tokens.length]).toBe(0);
  });

  it('counts only the first branch of a conditional group, so two alternative headers open one body', () => {
    const src = 'int f(int a)\n#ifdef X\n{ int q;\n#else\n{ int r;\n#endif\n if (a) { static int s; }\n}\nstatic int after;\n';
    const ix = index(src);
    expect(ix.depth('int q')).toBe(1);
    expect(ix.depth('int r')).toBe(1);
    expect(ix.depth('static int s')).toBe(2);
    expect(ix.depth('static int after')).toBe(0);
  });

  it('ignores the braces of extern "C" guards under #ifdef __cplusplus (noisy)', () => {
    const src = '#ifdef __cplusplus\nextern "C" {\n#endif\nstatic int h;\n#ifdef __cplusplus\n}\n#endif\nstatic int k;\n';
    const ix = index(src);
    expect(ix.depth('static int h')).toBe(0);
    expect(ix.depth('static int k')).toBe(0);
  });

  it('counts braces under #ifndef __cplusplus, which is C code', () => {
    const src = '#ifndef __cplusplus\nvoid f(void) {\n static int s;\n}\n#endif\n';
    expect(index(src).depth('static int s')).toBe(1);
  });

  it('never goes below zero on a stray "}"', () => {
    const src = '}\n}\nint f(void) {\n static int s;\n}\n';
    expect(index(src).depth('static int s')).toBe(1);
  });

  // Was a known bug: the #else branch of `#ifdef __cplusplus` is C code (mask.ts keeps exactly
  // that branch), but its braces were not counted until #endif.
  it('counts braces in the C (#else) branch of #ifdef __cplusplus', () => {
    const src = '#ifdef __cplusplus\nint g(void);\n#else\nvoid f(void) {\n static int s;\n}\n#endif\n';
    expect(index(src).depth('static int s')).toBe(1);
  });
});

describe('enclosingFunctionLexical', () => {
  it('names the function whose body holds an offset, through nested blocks', () => {
    const src = 'int f(int a) {\n if (a) { static int s; }\n}\nchar *g(void)\n{\n static int t;\n}\n';
    const ix = index(src);
    expect(ix.fn('static int s')).toBe('f');
    expect(ix.fn('static int t')).toBe('g');
  });

  it('finds a K&R definition across its parameter declarations', () => {
    const src = 'int kr(a, b)\n  int a;\n  char *b;\n{\n  static int s;\n}\n';
    expect(index(src).fn('static int s')).toBe('kr');
  });

  it('says "?" for an initializer, which is no function body (noisy)', () => {
    const src = 'int f(void);\nstatic int tbl[] = { 1, 2 };\n';
    expect(index(src).fn('1, 2')).toBe('?');
  });

  it('finds the function after a conditional header', () => {
    const src = 'int h(int a)\n#ifdef X\n{\n#else\n{\n#endif\n static int s;\n}\n';
    expect(index(src).fn('static int s')).toBe('h');
  });
});
