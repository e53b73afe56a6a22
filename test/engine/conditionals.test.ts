import { describe, expect, it } from 'vitest';
import { conditionalPaths, exclusive } from '../../src/engine/conditionals.ts';
import { tokenize } from '../../src/engine/lex.ts';

const src = [
  'int a;',
  '#ifdef X',
  'int b;',
  '#if Y',
  'int c;',
  '#elif Z',
  'int d;',
  '#else',
  'int e;',
  '#endif',
  'int f;',
  '#else',
  'int g;',
  '#endif',
  'int h;',
  '#ifndef W',
  'int i;',
  '#endif',
  '#define NOT_A_GROUP 1',
  'int j;',
  '',
].join('\n');
const pathAt = conditionalPaths(tokenize(src));
const p = (name: string) => pathAt(src.indexOf(`int ${name};`));

describe('conditionalPaths', () => {
  it('names each offset by group:branch from the outermost group in', () => {
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((n) => [n, p(n)])).toEqual([
      ['a', ''],
      ['b', '0:0'],
      ['c', '0:0/1:0'],
      ['d', '0:0/1:1'],
      ['e', '0:0/1:2'],
      ['f', '0:0'],
      ['g', '0:1'],
      ['h', ''],
      ['i', '2:0'],
      ['j', ''],
    ]);
  });

  it('changes path right after the directive, not at its start', () => {
    const ifdef = src.indexOf('#ifdef X');
    expect(pathAt(ifdef)).toBe('');
    expect(pathAt(ifdef + '#ifdef X'.length)).toBe('0:0');
    const endif = src.indexOf('#endif\nint h');
    expect(pathAt(endif)).toBe('0:1');
    expect(pathAt(endif + '#endif'.length)).toBe('');
  });

  it('ignores directives in comments and strings, and a stray #endif or #else (noisy)', () => {
    const s = '/*\n#if X\n*/\nchar *q = "#else";\nint a;\n#endif\nint b;\n#else\nint c;\n';
    const at = conditionalPaths(tokenize(s));
    expect(at(s.indexOf('int a'))).toBe('');
    expect(at(s.indexOf('int b'))).toBe('');
    expect(at(s.indexOf('int c'))).toBe('');
  });

  it('gives every offset of a file without conditionals the empty path', () => {
    const s = 'int a;\nint b;\n';
    const at = conditionalPaths(tokenize(s));
    for (let i = 0; i < s.length; i++) expect(at(i)).toBe('');
  });
});

describe('exclusive', () => {
  it('is true for different branches of one group, however deep', () => {
    expect(exclusive(p('b'), p('g'))).toBe(true);
    expect(exclusive(p('c'), p('d'))).toBe(true);
    expect(exclusive(p('c'), p('e'))).toBe(true);
    expect(exclusive(p('c'), p('g'))).toBe(true);
    expect(exclusive(p('g'), p('c'))).toBe(true);
  });

  it('is false for code that can be compiled together (noisy)', () => {
    expect(exclusive(p('b'), p('c'))).toBe(false); // nested in the same branch
    expect(exclusive(p('c'), p('f'))).toBe(false);
    expect(exclusive(p('b'), p('i'))).toBe(false); // different groups
    expect(exclusive(p('g'), p('i'))).toBe(false);
    expect(exclusive(p('a'), p('g'))).toBe(false); // outside any group
    expect(exclusive(p('c'), p('c'))).toBe(false);
    expect(exclusive(undefined, '0:1')).toBe(false);
    expect(exclusive('0:1', undefined)).toBe(false);
    expect(exclusive('', '0:1')).toBe(false);
  });

  it('compares group ids, not positions in the path (group 10 is not group 1)', () => {
    expect(exclusive('1:0', '10:1')).toBe(false);
    expect(exclusive('3:0/10:0', '10:1')).toBe(true);
  });
});
