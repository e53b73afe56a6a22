import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/engine/lex.ts';
import { mask, splitArgs, type NameResolver } from '../../src/engine/mask.ts';
import type { MacroRule, MacroRules } from '../../src/engine/macro-rules.ts';
import { countErrors, parseC } from '../../src/engine/parse.ts';

// Rules of every kind with made-up names: the engine knows kinds, not CPython's macros.
const ruleList: MacroRule[] = [
  { kind: 'storage', name: 'staticfwd', means: 'static', reason: 'test' },
  { kind: 'replace', name: 'MODINIT_T', means: 'void', reason: 'test' },
  { kind: 'wrapper', name: 'API_DATA', means: 'extern', reason: 'test' },
  { kind: 'wrapper', name: 'API_FUNC', means: '', reason: 'test' },
  { kind: 'erase', name: 'CALLCONV', args: false, reason: 'test' },
  { kind: 'erase', name: 'ATTRS', args: true, reason: 'test' },
  { kind: 'fields', name: 'OBJECT_HEAD', reason: 'test' },
  { kind: 'statement', name: 'BEGIN_UNLOCKED', args: false, means: '{', reason: 'test' },
  { kind: 'statement', name: 'END_UNLOCKED', args: false, means: '}', reason: 'test' },
  { kind: 'statement', name: 'EMIT', args: true, means: ';', reason: 'test' },
  { kind: 'initializer-comma', name: 'HEAD_INIT', reason: 'test' },
  { kind: 'initializer-comma', name: 'H', reason: 'test' },
  { kind: 'declares', name: 'DOCVAR', storage: 'static', type: 'char', array: true, isConst: false, nameArg: 0, initArg: 1, reason: 'test' },
];
const rules: MacroRules = new Map(ruleList.map((r) => [r.name, r]));

/** Length and every line break are where they were: tree-sitter offsets and lines stay the file's. */
function expectAligned(original: string, masked: string): void {
  expect(masked.length).toBe(original.length);
  for (let i = 0; i < original.length; i++) {
    const o = original[i];
    if (o === '\n' || o === '\r' || masked[i] === '\n' || masked[i] === '\r') expect([i, masked[i]]).toEqual([i, o]);
  }
}

function run(src: string, names?: NameResolver) {
  const m = mask(src, tokenize(src), rules, names);
  expectAligned(src, m.text);
  return m;
}

const errorsOf = (text: string) => {
  const e = countErrors(parseC(text));
  return e.errorNodes + e.missingNodes;
};

describe('mask: macro kinds', () => {
  it('storage: the name becomes its storage keyword padded with blanks', () => {
    const m = run('staticfwd int x;\n');
    expect(m.text).toBe('static    int x;\n');
  });

  it('replace: the name becomes the word it stands for', () => {
    const src = 'MODINIT_T initfoo(void) { }\n';
    expect(run(src).text).toBe('void      initfoo(void) { }\n');
  });

  it('wrapper: "M(T) x;" becomes "<means> T x;" and the parentheses go', () => {
    expect(run('API_DATA(int) x;\n').text).toBe('extern   int  x;\n');
    expect(run('API_FUNC(char *) f(void);\n').text).toBe('         char *  f(void);\n');
    expect(errorsOf(run('API_DATA(struct s *) p;\n').text)).toBe(0);
  });

  it('wrapper, erase(args) and declares used without parentheses stay as written (noisy)', () => {
    const src = 'int API_DATA;\nint ATTRS;\nint DOCVAR;\n';
    const m = run(src);
    expect(m.text).toBe(src);
    expect(m.declaring).toEqual([]);
  });

  it('erase: a bare attribute goes; an attribute with arguments goes with them', () => {
    const src = 'int CALLCONV f(int ATTRS(nonnull, 1) a);\n';
    const m = run(src);
    expect(m.text).toBe('int          f(int                   a);\n');
    expect(errorsOf(m.text)).toBe(0);
  });

  it('fields: the member macro becomes one member declaration of the same width', () => {
    const src = 'typedef struct { OBJECT_HEAD int a; } O;\n';
    const m = run(src);
    expect(m.text).toBe('typedef struct { int ______; int a; } O;\n');
    expect(errorsOf(m.text)).toBe(0);
  });

  it('statement: block openers, closers and argument-taking statements without ";" parse', () => {
    const src = 'void f(void) { EMIT(a, b) x(); BEGIN_UNLOCKED g(); END_UNLOCKED }\n';
    const m = run(src);
    expect(m.text).toBe('void f(void) { ;          x(); {              g(); ;}           }\n');
    expect(errorsOf(src)).toBeGreaterThan(0);
    expect(errorsOf(m.text)).toBe(0);
  });

  it('initializer-comma: the name gives up its last letter so that the comma fits', () => {
    const src = 'static T t = { HEAD_INIT(NULL) 0, "x" };\n';
    const m = run(src);
    expect(m.text).toBe('static T t = { HEAD_INI(NULL), 0, "x" };\n');
    expect(errorsOf(m.text)).toBe(0);
  });

  it('initializer-comma with a one-letter name has no room and is left alone', () => {
    const src = 'static T t = { H(NULL) 0 };\n';
    expect(run(src).text).toBe(src);
  });

  it('declares: the use is blanked and reported with its argument texts and exact ranges', () => {
    const src = 'int a;\nDOCVAR(doc, "a, b" ", c");\n';
    const m = run(src);
    expect(m.text).toBe('int a;\n                         ;\n');
    expect(m.declaring).toHaveLength(1);
    const use = m.declaring[0];
    expect(use.rule.name).toBe('DOCVAR');
    expect([use.start, use.end]).toEqual([7, 32]);
    expect(use.args).toEqual([
      { text: 'doc', start: 14, end: 17 },
      { text: '"a, b" ", c"', start: 19, end: 31 },
    ]);
    expect(src.slice(use.args[1].start, use.args[1].end)).toBe(use.args[1].text);
  });

  it('leaves macro names inside strings and comments alone (noisy)', () => {
    const src = 'char *s = "API_DATA(int) staticfwd DOCVAR(x, y)"; /* CALLCONV OBJECT_HEAD */\n';
    const m = run(src);
    expect(m.text).toBe(src);
    expect(m.declaring).toEqual([]);
  });
});

describe('mask: conditionals inside initializers and argument lists', () => {
  it('keeps the first branch of an #if inside an initializer and blanks the others', () => {
    const src = 'static int a[] = {\n1,\n#ifdef X\n2,\n#else\n3,\n#endif\n4};\n';
    const m = run(src);
    expect(m.text).toBe('static int a[] = {\n1,\n        \n2,\n     \n  \n      \n4};\n');
    expect(m.blankedDirectives).toBe(3);
  });

  it('blanks #if inside a parameter list, which tree-sitter cannot parse', () => {
    const src = 'int f(int a\n#ifdef X\n, int b\n#endif\n);\n';
    const m = run(src);
    expect(m.text).toBe('int f(int a\n        \n, int b\n      \n);\n');
    expect(m.blankedDirectives).toBe(2);
    expect(errorsOf(m.text)).toBe(0);
  });

  it('blanks the alternatives of an #if inside a call, so the arguments parse once', () => {
    const src = 'void g(void) { f(a,\n#if X\n b\n#elif Y\n c\n#else\n d\n#endif\n); }\n';
    const m = run(src);
    expect(m.text.replace(/\s+/g, ' ').trim()).toBe('void g(void) { f(a, b ); }');
    expect(m.blankedDirectives).toBe(4);
  });

  it('keeps a nested group inside the first branch and blanks the nested #else', () => {
    const src = 'static int a[] = {\n#if A\n#if B\n2,\n#else\n3,\n#endif\n#endif\n4};\n';
    const m = run(src);
    expect(m.text.replace(/\s+/g, ' ').trim()).toBe('static int a[] = { 2, 4};');
  });

  // Bug: a group opened inside a branch that is being blanked pushes a new inline entry with
  // blanking=false, so the text of its first branch is kept although the enclosing branch is
  // dropped. `f(a, b c)` then fails to parse. Fix: push `blanking: top?.blanking ?? false` (and
  // keep blanking on the nested #else/#endif), or test `inline.some((e) => e.blanking)` in mask.ts.
  it('blanks a nested group that sits inside a blanked branch', () => {
    const src = 'int v = f(a,\n#if X\n b\n#else\n#if Y\n c\n#else\n d\n#endif\n#endif\n);\n';
    const m = run(src);
    expect(m.text.replace(/\s+/g, ' ').trim()).toBe('int v = f(a, b );');
  });

  it('leaves #if at file scope, in struct and enum bodies, and body groups that declare statics alone (noisy)', () => {
    const src = [
      '#ifdef X',
      'static int a = 1;',
      '#else',
      'static int a = 2;',
      '#endif',
      'struct S {',
      '#ifdef X',
      '  int m;',
      '#endif',
      '};',
      'enum E { A,',
      '#ifdef X',
      ' B,',
      '#endif',
      ' C };',
      'void f(void) {',
      '#if Y',
      '  static int u;',
      '#else',
      '  static long u;',
      '#endif',
      '}',
      '',
    ].join('\n');
    const m = run(src);
    expect(m.text).toBe(src);
    expect(m.blankedDirectives).toBe(0);
  });

  it('keeps only the first branch of a body group that declares nothing static, so split statements parse', () => {
    const src = ['int f(int a) {', '#ifdef W', '  if (a == 1)', '#else', '  if (a < 0)', '#endif', '    return 1;', '  return 0;', '}', ''].join('\n');
    const m = run(src);
    expect(m.text.length).toBe(src.length);
    expect(m.text).toContain('  if (a == 1)');
    expect(m.text).not.toContain('if (a < 0)');
    expect(m.text).not.toContain('#');
    expect(m.blankedDirectives).toBe(3);
  });

  // The mask's own comment says a #define inside an initializer is blanked "to keep the parse
  // clean", but the code only does so while inside an inline conditional group (`inline.length`),
  // so tree-sitter sees the directive in the middle of the braces and makes ERROR nodes.
  // Fix: blank directives when `stack.length && stack[stack.length - 1] !== 'block'` as well.
  it('blanks a #define that sits inside an initializer', () => {
    const src = 'static char *kw[] = {"a",\n#define Q 1\n"b"};\n';
    const m = run(src);
    expect(m.text).toBe('static char *kw[] = {"a",\n           \n"b"};\n');
    expect(errorsOf(m.text)).toBe(0);
  });
});

describe('mask: C++ guards', () => {
  it('blanks a whole #ifdef __cplusplus group, braces and all', () => {
    const src = '#ifdef __cplusplus\nextern "C" {\n#endif\nint x;\n#ifdef __cplusplus\n}\n#endif\n';
    const m = run(src);
    expect(m.text).toBe('                  \n            \n      \nint x;\n                  \n \n      \n');
    expect(errorsOf(m.text)).toBe(0);
  });

  it('treats "#if defined(__cplusplus)" the same way', () => {
    const src = '#if defined(__cplusplus)\nextern "C" {\n#endif\nint x;\n';
    expect(run(src).text).toBe(' '.repeat(24) + '\n' + ' '.repeat(12) + '\n      \nint x;\n');
  });

  it('keeps the C branch of #ifdef __cplusplus ... #else ... #endif', () => {
    const src = '#ifdef __cplusplus\nint cxx;\n#else\nint c;\n#endif\nint after;\n';
    const m = run(src);
    expect(m.text).toBe('                  \n        \n     \nint c;\n      \nint after;\n');
  });

  it('leaves #ifndef __cplusplus (C code) as written (noisy)', () => {
    const src = '#ifndef __cplusplus\nint only_c;\n#endif\n';
    expect(run(src).text).toBe(src);
  });
});

describe('mask: name macros through the resolver', () => {
  it('records the real name at the use and fills the arguments with one identifier of the same width', () => {
    // NS(x) spells "xNS": the resolver says so and where the use ends.
    const names: NameResolver = (toks, k) => {
      if (toks[k].text !== 'NS' || toks[k + 1]?.text !== '(') return undefined;
      return { name: `${toks[k + 2].text}NS`, close: k + 3 };
    };
    const src = 'static int NS(enc) = 0;\nint NS;\n';
    const m = run(src, names);
    expect(m.text).toBe('static int NS_____ = 0;\nint NS;\n');
    expect([...m.renames]).toEqual([[11, 'encNS']]);
  });
});

describe('mask: byte-exactness on a Latin-1, CRLF file', () => {
  it('keeps the length, every CR and LF, and the non-ASCII bytes outside masked ranges', () => {
    const bytes = Buffer.concat([
      Buffer.from('/* caf'),
      Buffer.from([0xe9]),
      Buffer.from(' */\r\nstaticfwd int x;\r\nDOCVAR(d, "na'),
      Buffer.from([0xef, 0x76, 0x65]),
      Buffer.from('");\r\nstatic int a[] = {\r\n1,\r\n#ifdef X\r\n2,\r\n#else\r\n3,\r\n#endif\r\n};\r\n'),
    ]);
    const src = bytes.toString('latin1');
    const m = run(src);
    expect(Buffer.from(m.text, 'latin1').length).toBe(bytes.length);
    expect(m.text.charCodeAt(6)).toBe(0xe9);
    expect(m.text).toContain('static    int x;\r\n');
    expect(m.text).toContain('\r\n1,\r\n        \r\n2,\r\n     \r\n  \r\n      \r\n};');
    expect(m.declaring[0].args[1].text).toBe('"na\xefve"');
    expect(errorsOf(m.text)).toBe(0);
  });
});

describe('splitArgs', () => {
  it('splits at top-level commas only and trims each argument', () => {
    const src = 'M( a , f(b, c), {d, e}, [1,2] ,"x,y" )';
    const toks = tokenize(src);
    const close = toks.length - 1;
    expect(splitArgs(src, toks, 1, close).map((a) => a.text)).toEqual(['a', 'f(b, c)', '{d, e}', '[1,2]', '"x,y"']);
    const first = splitArgs(src, toks, 1, close)[0];
    expect([first.start, first.end]).toEqual([3, 4]);
  });

  it('gives one empty argument for M()', () => {
    const src = 'M()';
    const toks = tokenize(src);
    expect(splitArgs(src, toks, 1, 2)).toEqual([{ text: '', start: 2, end: 2 }]);
  });

  it('a group with no #else that opens a block, closed in a twin group further on, parses (numpy\'s ufuncobject.c)', () => {
    const src = [
      'static int f(void)',
      '{',
      '#if USE_DEFAULTS==1',
      '    if (nodefaults != 0) {',
      '#endif',
      '        ref = lookup();',
      '#if USE_DEFAULTS==1',
      '    }',
      '#endif',
      '    return 0;',
      '}',
      'static PyTypeObject After_Type;',
      '',
    ].join('\n');
    expect(errorsOf(src)).toBeGreaterThan(0);
    const m = run(src);
    expectAligned(src, m.text);
    expect(errorsOf(m.text)).toBe(0);
    expect(m.text).toContain('    if (nodefaults != 0) {');
    expect(m.text).toContain('        ref = lookup();');
  });

  it('a block closer written after a label parses: the closer ends a statement too', () => {
    const src = 'void f(void) { BEGIN_UNLOCKED g(); failed: END_UNLOCKED }\n';
    expect(errorsOf(src.replace('BEGIN_UNLOCKED', '{').replace('END_UNLOCKED', '}'))).toBeGreaterThan(0);
    expect(errorsOf(run(src).text)).toBe(0);
  });

  it('a group with no #else whose block opener and closer are statement macros parses, code kept', () => {
    const src = 'int f(void)\n{\n#ifdef X\n    BEGIN_UNLOCKED\n#endif\n    g();\n  failed:\n#ifdef X\n    END_UNLOCKED\n#endif\n    return 0;\n}\nint after;\n';
    const m = run(src);
    expect(errorsOf(m.text)).toBe(0);
    expect(m.text).not.toContain('#ifdef');
    expect(m.text).toContain('    g();');
  });

  it('a group with no #else that holds one link of an if-chain parses, its code kept (stringobject.c, callproc.c, formatter.h)', () => {
    const cases = [
      // the group begins with `else`
      'int f(int a)\n{\n    if (a == 1)\n        a = 2;\n#ifdef X\n    else if (a == 3) {\n        a = 4;\n    }\n#endif\n    else if (a == 5)\n        return -1;\n    return a;\n}\nint after;\n',
      // the group ends with `else`
      'int f(int a)\n{\n#ifdef X\n    if (a) {\n        a = 1;\n    } else\n#endif\n        a = 2;\n    return a;\n}\nint after;\n',
      // the group ends with a control header: a condition on the statement after it
      'int f(int a)\n{\n#if X\n    if (a > 32)\n#endif\n        g(a);\n    return a;\n}\nint after;\n',
    ];
    for (const src of cases) {
      expect(countErrors(parseC(src)).topLevelErrors.length + errorsOf(src), src).toBeGreaterThan(0);
      const m = run(src);
      expect(errorsOf(m.text), src).toBe(0);
      expect(m.text).not.toContain('#if');
      expect(m.text).toContain('int after;');
    }
  });

  it('leaves a group with no #else that holds whole statements to tree-sitter (noisy)', () => {
    const src = 'int f(int a)\n{\n#ifdef X\n    if (a) g();\n    else h();\n#endif\n    return a;\n}\n';
    expect(run(src).text).toBe(src);
  });

  it('blanks a comment inside a #define whose body goes on after it (ceval.c\'s C_TRACE), not other comments', () => {
    const src = '#define T(x) \\\nif (x) { \\\n    a(); /* note */ \\\n} else { \\\n    b(); \\\n}\n#define U 1 /* last */\nint after;\n';
    expect(errorsOf(src)).toBeGreaterThan(0);
    const m = run(src);
    expect(errorsOf(m.text)).toBe(0);
    expect(m.text).not.toContain('note');
    expect(m.text).toContain('/* last */');
    const quoted = '#define S "/* not a comment */" \\\n  "x"\n';
    expect(run(quoted).text).toBe(quoted);
  });

  it('leaves a balanced group with no #else to tree-sitter', () => {
    const src = 'static int f(void)\n{\n#ifdef X\n    if (a) { b(); }\n#endif\n    return 0;\n}\n';
    expect(run(src).text).toBe(src);
  });

  it('keeps the first branch of a return type spelled per version at file scope (PC/_subprocess.c)', () => {
    const src = '#if PY_VERSION_HEX >= 0x02030000\nPyMODINIT_FUNC\n#else\nDL_EXPORT(void)\n#endif\ninit_subprocess()\n{\n\tPyObject *m;\n\tm = 0;\n}\n';
    const m = run(src);
    expectAligned(src, m.text);
    expect(m.text).toContain('PyMODINIT_FUNC');
    expect(m.text).not.toContain('DL_EXPORT');
    expect(m.text).not.toContain('#if');
  });

  it('leaves a file-scope group alone when a branch holds more than a type', () => {
    const src = '#ifdef X\nstatic int a;\n#else\nstatic long a;\n#endif\nint f(void) { return 0; }\n';
    expect(run(src).text).toBe(src);
  });
});

