import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { extractDeclarations } from '../../src/engine/declarations.ts';
import { lineIndex, tokenize } from '../../src/engine/lex.ts';
import { countErrors, parseC } from '../../src/engine/parse.ts';
import { skippableBodies } from '../../src/engine/skip-bodies.ts';
import { mask } from '../../src/engine/mask.ts';
import { loadMacroRules } from '../../src/cpython2/rules.ts';

const pad = '  x = x + 1; y = y * 2; z = z - 3; w = x + y + z + w;\n';
const spans = (src: string, keep: number[] = []) => skippableBodies(tokenize(src), src, keep).map((s) => src.slice(s.start, s.end));

describe('skippableBodies', () => {
  it('leaves out the interior of a plain function body', () => {
    const src = `int f(int x)\n{\n${pad}  return x;\n}\nstatic int after;\n`;
    expect(spans(src)).toEqual([`\n${pad}  return x;\n`]);
  });

  it('keeps what the scan reads or what is not a body', () => {
    const cases = {
      'a static inside': `int f(void) {\n  static int calls;\n${pad}}\n`,
      'an extern inside': `int f(void) {\n  extern int e;\n${pad}}\n`,
      'a directive inside': `int f(void) {\n#ifdef X\n${pad}#endif\n}\n`,
      'an initializer': `static T t = (T){ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };\n`,
      'a braced list after a macro use': `CODEC(a)\nCODEC(b) { "name_of_a_codec", (void *)2000, NULL, METHODS(euc_jis_2004), more, more };\n`,
      'a struct': `struct s { int a; int b; int c; int d; int e; int f; int g; int h; int i; };\n`,
      'a short body': `int f(void) { return 0; }\n`,
    };
    for (const [what, src] of Object.entries(cases)) expect(spans(src), what).toEqual([]);
  });

  it('keeps a body holding a macro use that declares', () => {
    const src = `int f(void) {\n  DECLARE(x);\n${pad}}\n`;
    expect(spans(src, [src.indexOf('DECLARE')])).toEqual([]);
  });

  it('gives nothing for a file whose braces do not balance', () => {
    expect(spans(`#ifdef __cplusplus\nextern "C" {\n#endif\nint f(void) {\n${pad}}\n`)).toEqual([]);
    expect(spans(`int f(void) {\n${pad}}\n#ifdef __cplusplus\n}\n#endif\n`)).toEqual([]);
  });
});

describe('a parse that leaves bodies out', () => {
  it('finds the same declarations in every C file of the bundled fixture (no fewer errors, no new guess)', () => {
    const root = path.resolve(__dirname, '../../fixtures/minipy');
    const rules = loadMacroRules();
    let left = 0;
    let withErrors = 0;
    for (const rel of fg.sync(['**/*.c'], { cwd: root })) {
      const text = fs.readFileSync(path.join(root, rel)).toString('latin1');
      // As the scan parses it: known macros masked first.
      const tokens = tokenize(text);
      const masked = mask(text, tokens, rules).text;
      const skip = skippableBodies(tokens, masked, []);
      left += skip.length;
      const full = parseC(masked);
      const part = parseC(masked, 'c', { spans: skip, lines: lineIndex(text) });
      const got = extractDeclarations(part, text, { masked });
      const want = extractDeclarations(full, text, { masked });
      const errors = (t: typeof full) => countErrors(t).errorNodes + countErrors(t).missingNodes;
      if (errors(full) === 0) expect(got, rel).toEqual(want);
      else {
        // Where the full parse went wrong inside a body (macro soup taken for declarations, a
        // body that swallows the table after it), leaving the body out can only take such
        // guesses away (the scan's brace-depth pass corrects the scope of the rest), never add one.
        expect(errors(part), rel).toBeLessThanOrEqual(errors(full));
        const key = (d: (typeof got)[number]) => `${d.name}@${d.offset}`;
        for (const d of got) expect(want.map(key), rel).toContain(key(d));
        withErrors++;
      }
    }
    expect(left).toBeGreaterThan(10);
    expect(withErrors).toBeLessThan(5);
  });
});
