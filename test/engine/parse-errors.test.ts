import { describe, expect, it } from 'vitest';
import { applyEdits, invertEdits, type Edit } from '../../src/engine/edits.ts';
import { guardAfter, guardCounts, maskedParseErrors, onlyBlanksAdded, shiftSpans } from '../../src/engine/parse-errors.ts';
import type { MacroRules } from '../../src/engine/macro-rules.ts';
import { tokenize } from '../../src/engine/lex.ts';

const rules = new Map();
const pad = '  x = x + 1; y = y * 2; z = z - 3; w = x + y + z + w;\n';
// A body tree-sitter cannot parse, which no edit touches: the guard leaves it out on both sides.
const broken = `int g(int x)\n{\n${pad}  x = = 3 ) ;\n  return x;\n}\n`;
const clean = `int f(int x)\n{\n${pad}  return x;\n}\n`;

/** The guard's counts for `before` rewritten by inserting `text` at the first `at`. */
function guard(before: string, at: string, text: string, end = 0) {
  const start = before.indexOf(at);
  const edits: Edit[] = [{ file: 'a.c', start, end: start + end, text, reason: 'test' }];
  const after = applyEdits(before, edits);
  return guardCounts({ after, before, lang: 'c', undo: invertEdits(before, edits) }, rules);
}

describe('guardCounts', () => {
  it('passes a clean rewrite without parsing the file before', () => {
    expect(guard(`static int a;\n${clean}`, 'int a', 'volatile ')).toEqual({ after: 0, before: 0 });
  });

  it('finds an edit that breaks a statement inside a body', () => {
    const c = guard(`${clean}${broken}`, 'return x;', '( ');
    expect(c.after).toBeGreaterThan(c.before);
  });

  it('finds an edit that breaks a declaration at file scope', () => {
    const c = guard(`static int a;\n${clean}${broken}`, 'int a;', 'int int = ', 0);
    expect(c.after).toBeGreaterThan(c.before);
  });

  it('counts an unedited broken body on neither side, so a harmless edit elsewhere passes', () => {
    const before = `static int a;\n${clean}${broken}`;
    expect(maskedParseErrors(before, rules)).toBeGreaterThan(0);
    const c = guard(before, 'return x;', '/* moved */ ');
    expect(c.after).toBe(c.before);
  });

  it('counts an edited broken body on both sides', () => {
    const before = `${clean}${broken}`;
    const c = guard(before, 'x = = 3', 'x = 1; ', 0);
    expect(c.after).toBeGreaterThan(0);
    expect(c.after).toBe(c.before);
  });
});

describe('guardCounts: edits that insert bodies', () => {
  it('leaves out only bodies no edit meets, at the same bytes on both sides', () => {
    // A moved initializer's generated function: an inserted body, which the file before lacks.
    const before = `${clean}static int a = 1;\n${broken}`;
    const fn = `static void _init(void)\n{\n${pad}  a = 1;\n}\n`;
    const c = guard(before, 'static int a = 1;', `static int a;\n${fn}`, 'static int a = 1;'.length);
    expect(c.after).toBe(c.before);
  });

  it('gives the same counts whatever was parsed before (no stale ranges)', () => {
    const before = `${clean}static int a = 1;\n${broken}`;
    const run = () => guard(before, 'static int a = 1;', `static int a;\nstatic void _init(void)\n{\n${pad}}\n`, 'static int a = 1;'.length);
    const first = run();
    maskedParseErrors(`int h(void) {\n${pad}${pad}}\n`, rules);
    expect(run()).toEqual(first);
  });
});

describe('guardAfter: rewrites that only add blanks to what the parser reads', () => {
  const erase: MacroRules = new Map([['PYGLOBAL', { kind: 'erase', name: 'PYGLOBAL', args: false, reason: 'test' }]]);
  // A file-scope statement tree-sitter cannot parse, so that a parse would count errors.
  const before = `static int a;\nstatic char *b = 0;\nint = = ;\n${clean}#define F(x) x\n`;
  const rewrite = (inserts: [string, string][]) => {
    const edits: Edit[] = inserts.map(([at, text]) => ({ file: 'a.c', start: before.indexOf(at), end: before.indexOf(at), text, reason: 'test' }));
    const after = applyEdits(before, edits);
    return { after, before, lang: 'c' as const, undo: invertEdits(before, edits) };
  };

  it('needs no parse when the macro rules blank out every insertion between tokens', () => {
    const job = rewrite([['int a;', 'PYGLOBAL '], ['char *b', 'PYGLOBAL ']]);
    expect(maskedParseErrors(job.after, erase)).toBeGreaterThan(0);
    expect(guardAfter(job, erase).count).toBeUndefined();
    expect(guardCounts(job, erase)).toEqual({ after: 0, before: 0 });
  });

  it('parses when an insertion is not blanked, splits a word, sits in a directive or adds a line', () => {
    const cases: [string, string][][] = [
      [['int a;', 'volatile ']], // kept by the mask
      [['nt a;', 'PYGLOBAL ']], // `iPYGLOBAL nt`: inside a word
      [['(x) x', 'PYGLOBAL ']], // `#define F (x)`: another macro
      [['int a;', 'PYGLOBAL\n']], // a line break
    ];
    for (const c of cases) expect(guardAfter(rewrite(c), erase).count, JSON.stringify(c)).toBeDefined();
  });

  it('tells blanks between tokens from anything else, text for text', () => {
    const undo = [{ start: 7, end: 10, text: '' }];
    const alike = (after: string, before: string, u = undo) => onlyBlanksAdded(after, before, u, tokenize(before));
    expect(alike('static    int a;', 'static int a;')).toBe(true);
    expect(alike('static    int b;', 'static int a;')).toBe(false);
    expect(alike('static  x int a;', 'static int a;')).toBe(false);
    expect(alike('static    int a;', 'static int a;', [{ start: 7, end: 10, text: 'y' }])).toBe(false);
    // Inside a token: a number, a wide literal, an operator, a directive; after a continuing backslash.
    const at = (before: string, i: number) => alike(before.slice(0, i) + '   ' + before.slice(i), before, [{ start: i, end: i + 3, text: '' }]);
    expect(at('x = 1.5;', 5)).toBe(false);
    expect(at('x = 1e+5;', 6)).toBe(false);
    expect(at('s = L"w";', 5)).toBe(false);
    expect(at('p->q = 0;', 2)).toBe(false);
    expect(at('#define F(x) x\n', 9)).toBe(false);
    expect(at('int a = \\\n 1;', 9)).toBe(false);
    expect(at('x = 1 . 5;', 6)).toBe(true);
    expect(at('p->q = 0;', 3)).toBe(true);
  });
});

describe('shiftSpans', () => {
  it('moves spans of the edited text back past the edits before them', () => {
    // after = "AAxxBByyyCC": "xx" replaced "x" (grew by 1), "yyy" replaced "" (grew by 3)
    const undo = [
      { start: 2, end: 4, text: 'x' },
      { start: 6, end: 9, text: '' },
    ];
    expect(shiftSpans([{ start: 0, end: 2 }, { start: 4, end: 6 }, { start: 9, end: 11 }], undo)).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 5 },
      { start: 5, end: 7 },
    ]);
  });
});

describe('parseC with spans', () => {
  it('refuses spans out of order instead of parsing with the ranges of the parse before', async () => {
    const { parseC } = await import('../../src/engine/parse.ts');
    const { lineIndex } = await import('../../src/engine/lex.ts');
    const text = `${clean}${clean}`;
    expect(() => parseC(text, 'c', { spans: [{ start: 40, end: 50 }, { start: 30, end: 35 }], lines: lineIndex(text) })).toThrow(/out of order/);
    expect(() => parseC(text, 'c', { spans: [{ start: 40, end: text.length + 5 }], lines: lineIndex(text) })).toThrow(/outside the text/);
  });
});
