import { describe, expect, it } from 'vitest';
import { applyEdits, EditConflictError, invertEdits, planEdits, type Edit } from '../../src/engine/edits.ts';

const ed = (start: number, end: number, text: string, reason = 'r', file = 'a.c'): Edit => ({ file, start, end, text, reason });

describe('planEdits', () => {
  it('groups by file in sorted order and sorts each file by range', () => {
    const plan = planEdits([ed(10, 12, 'x', 'r1', 'b.c'), ed(5, 5, 'y', 'r2', 'a.c'), ed(0, 1, 'z', 'r3', 'b.c')]);
    expect(plan.map((p) => p.file)).toEqual(['a.c', 'b.c']);
    expect(plan[1].edits.map((e) => e.reason)).toEqual(['r3', 'r1']);
  });

  it('keeps identical edits once (two globals of one statement ask for the same insertion)', () => {
    const plan = planEdits([ed(4, 4, 'PYGLOBAL ', 'a'), ed(4, 4, 'PYGLOBAL ', 'b'), ed(9, 11, '', 'c'), ed(9, 11, '', 'd')]);
    expect(plan[0].edits.map((e) => e.reason)).toEqual(['a', 'c']);
  });

  it('keeps insertions at one offset in the order given, before a replacement starting there', () => {
    const plan = planEdits([ed(3, 6, 'R', 'repl'), ed(3, 3, 'B', 'second'), ed(3, 3, 'A', 'first'), ed(3, 3, 'B', 'dup')]);
    expect(plan[0].edits.map((e) => e.reason)).toEqual(['second', 'first', 'repl']);
    expect(applyEdits('012345678', plan[0].edits)).toBe('012BAR678');
  });

  it('allows edits that only touch: insertion at the end of a replacement, adjacent ranges', () => {
    expect(applyEdits('abcdef', [ed(1, 3, 'X'), ed(3, 3, 'I'), ed(3, 5, 'Y')])).toBe('aXIYf');
  });

  it('refuses overlapping replacements, naming both edits and file:line', () => {
    const text = 'int a;\nint b = 1;\nint c;\n';
    const err = (() => {
      try {
        planEdits([ed(11, 17, '', 'strip b initializer'), ed(15, 20, 'Q', 'rewrite b')], { textOf: () => text });
      } catch (e) {
        return e as EditConflictError;
      }
    })();
    expect(err).toBeInstanceOf(EditConflictError);
    expect(err!.message).toContain('a.c:2');
    expect(err!.message).toContain('strip b initializer');
    expect(err!.message).toContain('rewrite b');
    expect(err!.first.reason).toBe('strip b initializer');
    expect(err!.second!.reason).toBe('rewrite b');
  });

  it('refuses an insertion strictly inside a replaced range, and a range inside another', () => {
    expect(() => planEdits([ed(2, 8, 'x', 'outer'), ed(5, 5, 'i', 'inner')])).toThrow(/overlapping edits in a\.c \(byte 5\).*outer.*inner/);
    expect(() => planEdits([ed(2, 8, 'x', 'outer'), ed(3, 4, 'y', 'inner')])).toThrow(EditConflictError);
    expect(() => planEdits([ed(2, 8, 'x', 'one'), ed(2, 8, 'y', 'two')])).toThrow(/one.*two/);
  });

  it('refuses ranges that are inverted, negative or past the end of the text', () => {
    expect(() => planEdits([ed(5, 4, '')])).toThrow(/invalid range/);
    expect(() => planEdits([ed(-1, 0, '')])).toThrow(/invalid range/);
    expect(() => planEdits([ed(0, 1.5, '')])).toThrow(/invalid range/);
    expect(() => planEdits([ed(3, 9, '')], { textOf: () => 'abc\n' })).toThrow(/past the end of the file \(4 bytes\)/);
  });
});

describe('applyEdits', () => {
  it('splices insertions, replacements and deletions into the original text', () => {
    const src = 'static int x = 1;\nint y;\n';
    const out = applyEdits(src, [ed(0, 0, 'PYGLOBAL '), ed(12, 16, ''), ed(18, 18, 'PYGLOBAL ')]);
    expect(out).toBe('PYGLOBAL static int x;\nPYGLOBAL int y;\n');
  });

  it('does not care in which order the edits are given', () => {
    const src = 'abcdefghij';
    const edits = [ed(0, 0, '<'), ed(2, 4, 'XY'), ed(6, 7, ''), ed(10, 10, '>')];
    const expected = '<abXYefhij>';
    expect(applyEdits(src, edits)).toBe(expected);
    expect(applyEdits(src, [...edits].reverse())).toBe(expected);
  });

  it('keeps every byte outside the edits: latin1 0xE9, tabs, CRLF, no final newline', () => {
    const bytes = Buffer.from('/* caf\xe9 */\r\n\tstatic char d[] = "\xe9t\xe9";\r\nint z;', 'latin1');
    const text = bytes.toString('latin1');
    expect(text.length).toBe(bytes.length);
    const at = text.indexOf('static');
    const out = applyEdits(text, [ed(at, at, 'PYGLOBAL ')]);
    const outBytes = Buffer.from(out, 'latin1');
    expect(outBytes.length).toBe(bytes.length + 9);
    expect(Buffer.concat([outBytes.subarray(0, at), outBytes.subarray(at + 9)]).equals(bytes)).toBe(true);
    expect(outBytes.includes(0xe9)).toBe(true);
  });

  it('refuses edits of two files in one call', () => {
    expect(() => applyEdits('abc', [ed(0, 0, 'x', 'r', 'a.c'), ed(1, 1, 'y', 'r', 'b.c')])).toThrow(/two files/);
  });

  it('returns the text unchanged for no edits', () => {
    expect(applyEdits('same', [])).toBe('same');
  });
});

describe('invertEdits', () => {
  it('turns the edited text back into the original bytes', () => {
    const src = 'static PyObject *x = Py_None;\nstatic int a, b;\nint c = 3;\n';
    const xInit = src.indexOf(' = Py_None');
    const edits = [
      ed(0, 0, 'PYGLOBAL ', 'x thread-local'),
      ed(xInit, xInit + ' = Py_None'.length, '', 'move x initializer'),
      ed(src.indexOf('static int'), src.indexOf('static int'), 'PYGLOBAL ', 'a'),
      ed(src.indexOf('static int'), src.indexOf('static int'), 'PYGLOBAL ', 'b'),
      ed(src.indexOf('int c'), src.indexOf('int c'), 'PYGLOBAL ', 'c'),
      ed(src.indexOf('int c'), src.indexOf('int c'), '/* c */ ', 'c note'),
    ];
    const out = applyEdits(src, edits);
    expect(out).toBe('PYGLOBAL static PyObject *x;\nPYGLOBAL static int a, b;\nPYGLOBAL /* c */ int c = 3;\n');
    const undo = invertEdits(src, edits);
    expect(undo.every((e) => e.reason.startsWith('undo: '))).toBe(true);
    expect(applyEdits(out, undo)).toBe(src);
  });

  it('round-trips random non-overlapping edit sets', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let round = 0; round < 200; round++) {
      const len = 1 + rnd(60);
      let src = '';
      for (let i = 0; i < len; i++) src += String.fromCharCode(rnd(256));
      const edits: Edit[] = [];
      let pos = 0;
      while (pos <= len) {
        pos += rnd(6);
        if (pos > len) break;
        const end = Math.min(len, pos + rnd(4));
        let t = '';
        for (let i = rnd(5); i > 0; i--) t += String.fromCharCode(rnd(256));
        edits.push(ed(pos, end, t, `e${edits.length}`));
        pos = end + (end > pos ? 0 : 1);
      }
      const shuffled = [...edits].sort(() => rnd(3) - 1);
      const out = applyEdits(src, shuffled);
      expect(applyEdits(out, invertEdits(src, shuffled))).toBe(src);
    }
  });
});
