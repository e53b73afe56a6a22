import { describe, expect, it } from 'vitest';
import { LexicalIndex, type FileLex } from '../../src/engine/lexical-index.ts';
import { lexFile } from '../../src/engine/scan-file.ts';
import { loadMacroRules } from '../../src/cpython2/rules.ts';

function indexOf(files: Record<string, string>): LexicalIndex {
  const lexes: FileLex[] = Object.entries(files).map(([path, text]) => {
    const lx = lexFile({ path, text });
    return { path, defines: lx.defines, lines: lx.lines, includes: lx.includes.map((i) => ({ ...i, target: i.name in files ? i.name : undefined })) };
  });
  return new LexicalIndex(lexes);
}

describe('LexicalIndex: the macros a file is read under', () => {
  const rules = loadMacroRules();

  it('reads a header that one .c file alone includes under that file\'s macros (zlib\'s crc32.h)', () => {
    const files = {
      'crc.c': '#define local static\n#include "tab.h"\nint use(void) { return tab[0]; }\n',
      'tab.h': 'local const unsigned long tab[2] = { 1, 2 };\n',
    };
    const [p] = indexOf(files).parse('tab.h', files['tab.h'], rules);
    // `local` is seen (the use is read as crc.c reads it), so the table is known const. Its
    // storage is not taken from the macro yet: a one-word object-like macro does not fit `static`.
    expect(p.declarations.map((d) => [d.name, d.isConst])).toEqual([['tab', true]]);
  });

  it('reads a header that several .c files include once each under each one\'s macros (_multiprocessing\'s connection.h)', () => {
    const files = {
      'sock.c': '#define CONNECTION_TYPE ConnectionType\n#include "conn.h"\n',
      'pipe.c': '#define CONNECTION_TYPE PipeConnectionType\n#include "conn.h"\n',
      'conn.h': 'PyTypeObject CONNECTION_TYPE = { 0 };\n',
    };
    const parsed = indexOf(files).parse('conn.h', files['conn.h'], rules);
    expect(parsed.flatMap((p) => p.declarations.map((d) => d.name))).toEqual(['ConnectionType', 'PipeConnectionType']);
  });

  it('parses a header that names none of its includers\' macros once, not once per includer', () => {
    const files = {
      'a.c': '#define A_ONLY 1\n#include "common.h"\n',
      'b.c': '#define B_ONLY 2\n#include "common.h"\n',
      'common.h': 'static int shared_counter;\n',
    };
    expect(indexOf(files).parse('common.h', files['common.h'], rules)).toHaveLength(1);
    expect(indexOf(files).contextsFor('common.h', files['common.h'])).toHaveLength(1);
  });

  it('reads a header that another header includes under its own macros only (noisy)', () => {
    const files = {
      'a.c': '#define local static\n#include "tab.h"\n',
      'b.h': '#include "tab.h"\n',
      'tab.h': 'local const unsigned long tab[2] = { 1, 2 };\n',
    };
    expect(indexOf(files).contextsOf('tab.h')).toHaveLength(1);
    expect(indexOf(files).contextsOf('tab.h')[0].has('local')).toBe(false);
  });

  it('reads a header that one .c includes twice under its own macros only (noisy)', () => {
    const files = { 'a.c': '#define X 1\n#include "frag.h"\n#undef X\n#include "frag.h"\n', 'frag.h': 'X,\n' };
    expect(indexOf(files).contextsOf('frag.h')[0].has('X')).toBe(false);
  });
});
