import { describe, expect, it } from 'vitest';
import { findFunctionEntries } from '../../src/engine/function-entry.ts';
import type { MacroRules } from '../../src/engine/macro-rules.ts';

const rules: MacroRules = new Map([
  ['BEGIN_UNLOCKED', { kind: 'statement', name: 'BEGIN_UNLOCKED', args: false, means: '{', reason: 'test' }],
  ['END_UNLOCKED', { kind: 'statement', name: 'END_UNLOCKED', args: false, means: '}', reason: 'test' }],
  ['MODINIT_T', { kind: 'replace', name: 'MODINIT_T', means: 'void', reason: 'test' }],
]);
const all = () => true;
const endOf = (src: string, needle: string) => {
  const i = src.indexOf(needle);
  expect(i, needle).toBeGreaterThanOrEqual(0);
  return i + needle.length;
};

describe('findFunctionEntries', () => {
  it('puts the entry after the last leading declaration, before comments and statements', () => {
    const src = 'int main(int argc, char **argv)\n{\n  int a;\n  char *b = 0;\n  /* c */\n  a = 1;\n  return a;\n}\n';
    expect(findFunctionEntries(src, rules, all)).toEqual([{ name: 'main', at: endOf(src, 'char *b = 0;'), start: 0, declarationsFollow: false }]);
  });

  it('puts it right after "{" for an empty body or one that starts with a statement', () => {
    const src = 'void f(void) {}\nvoid g(void) { g(); int late; }\n';
    expect(findFunctionEntries(src, rules, all)).toEqual([
      { name: 'f', at: endOf(src, 'f(void) {'), start: 0, declarationsFollow: false },
      { name: 'g', at: endOf(src, 'g(void) {'), start: src.indexOf('void g'), declarationsFollow: false },
    ]);
  });

  it('counts a conditional group of declarations as declarations, not one that holds a statement', () => {
    const src = 'int m(void)\n{\n#ifdef X\n  int q;\n#endif\n  int r;\n  r = 0;\n#ifdef Y\n  int s;\n#endif\n  return r;\n}\n';
    expect(findFunctionEntries(src, rules, all)[0].at).toBe(endOf(src, 'int r;'));
    const stmt = 'int n(void)\n{\n  int a;\n#ifdef X\n  a = 1;\n#endif\n  return a;\n}\n';
    expect(findFunctionEntries(stmt, rules, all)[0].at).toBe(endOf(stmt, 'int a;'));
  });

  it('sees through masked macros: a replaced return type, a statement macro after the declarations', () => {
    const src = 'MODINIT_T initx(void)\n{\n  int r;\n  BEGIN_UNLOCKED\n  r = 1;\n  END_UNLOCKED\n}\n';
    expect(findFunctionEntries(src, rules, all)).toEqual([{ name: 'initx', at: endOf(src, 'int r;'), start: 0, declarationsFollow: false }]);
  });

  it('finds definitions inside #if groups and with a pointer return type, filtered by name', () => {
    const src = '#ifdef X\nint h(void) { int a; return 0; }\n#endif\nchar *p(void) { return 0; }\n';
    expect(findFunctionEntries(src, rules, all).map((e) => e.name)).toEqual(['h', 'p']);
    expect(findFunctionEntries(src, rules, (n) => n === 'p')).toEqual([{ name: 'p', at: endOf(src, 'p(void) {'), start: src.indexOf('char *p'), declarationsFollow: false }]);
  });

  it('ignores prototypes, nested blocks and function-pointer variables (noisy)', () => {
    const src = 'int proto(void);\nint (*fp)(void) = 0;\nint outer(void) { { int inner; } return 0; }\n';
    expect(findFunctionEntries(src, rules, all)).toEqual([{ name: 'outer', at: endOf(src, 'outer(void) {'), start: src.indexOf('int outer'), declarationsFollow: false }]);
  });

  // Was a known bug: the walk stopped at the linkage_specification's declaration_list body.
  // C++ bindings put their init<module> there.
  it('finds a definition inside an extern "C" block', () => {
    const src = 'extern "C" { int k(void) { int a; return a; } }\n';
    expect(findFunctionEntries(src, rules, all).map((e) => e.name)).toEqual(['k']);
  });

  // Was a known bug: the outer function_declarator's declarator is a parenthesized pointer; the
  // name is now found as declarations.ts's functionName finds it.
  it('finds a function that returns a function pointer', () => {
    const src = 'int (*getcb(void))(void) { return 0; }\n';
    expect(findFunctionEntries(src, rules, all).map((e) => e.name)).toEqual(['getcb']);
  });

  it('says when a conditional group after the entry declares first (C89 needs a declaration there)', () => {
    const bsd = 'int\nmain(int argc, char **argv)\n{\n#ifdef __FreeBSD__\n\tfp_except_t m;\n\n\tm = fpgetmask();\n#endif\n\treturn Py_Main(argc, argv);\n}\n';
    expect(findFunctionEntries(bsd, rules, all).map((e) => [e.at, e.declarationsFollow])).toEqual([[bsd.indexOf('{') + 1, true]]);
    const plain = 'void initx(void)\n{\n\tPyObject *m;\n\tm = Py_InitModule("x", 0);\n}\n';
    expect(findFunctionEntries(plain, rules, all).map((e) => e.declarationsFollow)).toEqual([false]);
  });

  it('reads only the bodies of the functions asked for, behind any header macro', () => {
    const pad = '  x = x + 1; y = y * 2; z = z - 3; w = x + y + z + w;\n';
    const src = `static int helper(int x)\n{\n${pad}  return x;\n}\n` + `DL_EXPORT(void)\ninitfoo(void)\n{\n  PyObject *m;\n${pad}  m = 0;\n}\n` + `int (*getcb(void))(void)\n{\n  int a;\n${pad}  return 0;\n}\n`;
    const wanted = (n: string) => n === 'initfoo' || n === 'getcb';
    expect(findFunctionEntries(src, rules, wanted)).toEqual([
      { name: 'initfoo', at: endOf(src, 'PyObject *m;'), start: src.indexOf('DL_EXPORT'), declarationsFollow: false },
      { name: 'getcb', at: endOf(src, 'int a;'), start: src.indexOf('int (*getcb'), declarationsFollow: false },
    ]);
  });
});

