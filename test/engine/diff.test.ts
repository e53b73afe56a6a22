import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffBytes, unifiedDiff, unifiedDiffs } from '../../src/engine/diff.ts';

const L = (s: string) => Buffer.from(s, 'latin1').toString('latin1');

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a.c', 'x\ny\n', 'x\ny\n')).toBe('');
  });

  it('writes a/ b/ headers and @@ hunks with 3 lines of context', () => {
    const old = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
    const neu = old.replace('5\n', 'PYGLOBAL 5\n');
    expect(unifiedDiff('Objects/x.c', old, neu)).toBe(
      ['--- a/Objects/x.c', '+++ b/Objects/x.c', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+PYGLOBAL 5', ' 6', ' 7', ' 8', ''].join('\n'),
    );
  });

  it('splits distant changes into separate hunks and honours the context size', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const old = lines.join('\n') + '\n';
    const neu = old.replace('line 3\n', 'line 3!\n').replace('line 25\n', 'line 25!\n');
    const d = unifiedDiff('f.c', old, neu);
    expect(d.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,6 +1,6 @@', '@@ -22,7 +22,7 @@']);
    expect(unifiedDiff('f.c', old, neu, 0).match(/^@@ .* @@$/gm)).toEqual(['@@ -3 +3 @@', '@@ -25 +25 @@']);
    expect(unifiedDiff('f.c', old, neu, { context: 1 }).match(/^@@ .* @@$/gm)).toEqual(['@@ -2,3 +2,3 @@', '@@ -24,3 +24,3 @@']);
  });

  it('marks a missing final newline and keeps CRs and latin1 bytes on their lines', () => {
    const old = L('a\r\nb\xe9\r\nlast');
    const neu = L('a\r\nPYGLOBAL b\xe9\r\nlast!');
    const d = unifiedDiff('m.c', old, neu);
    expect(d).toBe(
      L(
        '--- a/m.c\n+++ b/m.c\n@@ -1,3 +1,3 @@\n a\r\n-b\xe9\r\n-last\n\\ No newline at end of file\n+PYGLOBAL b\xe9\r\n+last!\n\\ No newline at end of file\n',
      ),
    );
  });

  it('diffs a new file against /dev/null', () => {
    expect(unifiedDiff('Include/pyglobal.h', null, '#define X\n#define Y\n')).toBe(
      '--- /dev/null\n+++ b/Include/pyglobal.h\n@@ -0,0 +1,2 @@\n+#define X\n+#define Y\n',
    );
  });

  it('refuses a negative context', () => {
    expect(() => unifiedDiff('a', 'x', 'y', -1)).toThrow(/context/);
  });

  it('produces the same hunks as GNU diff -u for a typical rewrite', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-gnudiff-'));
    try {
      const old = 'static int a;\nint b = 1;\n\nvoid f(void)\n{\n\tstatic int c;\n}\n';
      const neu = 'PYGLOBAL static int a;\nPYGLOBAL int b = 1;\n\nvoid f(void)\n{\n\tPYGLOBAL static int c;\n}\n';
      fs.writeFileSync(path.join(dir, 'old'), old);
      fs.writeFileSync(path.join(dir, 'new'), neu);
      const r = spawnSync('diff', ['-u', 'old', 'new'], { cwd: dir, encoding: 'latin1' });
      const gnuHunks = r.stdout.split('\n').slice(2).join('\n');
      const ours = unifiedDiff('x.c', old, neu).split('\n').slice(2).join('\n');
      expect(ours).toBe(gnuHunks);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const havePatch = spawnSync('patch', ['--version']).status === 0;
if (!havePatch) console.log('skipping patch -p1 tests: the `patch` command is not installed');

describe.skipIf(!havePatch)('unifiedDiff output applies with patch -p1 and reproduces the bytes', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-patch-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function roundTrip(files: { path: string; old: Buffer | null; neu: Buffer | null }[], context = 3) {
    const work = fs.mkdtempSync(path.join(dir, 'case-'));
    for (const f of files) {
      if (f.old === null) continue;
      fs.mkdirSync(path.dirname(path.join(work, f.path)), { recursive: true });
      fs.writeFileSync(path.join(work, f.path), f.old);
    }
    const d = unifiedDiffs(
      files.map((f) => ({ path: f.path, oldText: f.old && f.old.toString('latin1'), newText: f.neu && f.neu.toString('latin1') })),
      context,
    );
    const patchFile = path.join(dir, `${path.basename(work)}.patch`);
    fs.writeFileSync(patchFile, diffBytes(d));
    execFileSync('patch', ['-p1', '--batch', '--quiet', '-i', patchFile], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const f of files) {
      const p = path.join(work, f.path);
      if (f.neu === null) expect(fs.existsSync(p)).toBe(false);
      else expect(fs.readFileSync(p).equals(f.neu), `${f.path} differs after patch`).toBe(true);
    }
    expect(fs.readdirSync(work, { recursive: true }).filter((n) => /\.(orig|rej)$/.test(String(n)))).toEqual([]);
    return d;
  }

  it('latin1 0xE9, tabs, CRLF lines, no final newline', () => {
    const old = Buffer.from('/* caf\xe9 */\r\n\tstatic char d[] = "\xe9";\r\nint x;\r\n\tint tail', 'latin1');
    const neu = Buffer.from('/* caf\xe9 */\r\n\tPYGLOBAL static char d[] = "\xe9";\r\nint x;\r\n\tint tail2', 'latin1');
    const d = roundTrip([{ path: 'Modules/_heapq.c', old, neu }]);
    expect(diffBytes(d).includes(0xe9)).toBe(true);
  });

  it('adding and removing the final newline', () => {
    roundTrip([
      { path: 'add.c', old: Buffer.from('a\nb'), neu: Buffer.from('a\nb\n') },
      { path: 'drop.c', old: Buffer.from('a\nb\n'), neu: Buffer.from('a\nb') },
    ]);
  });

  it('several files, a new file, a deleted file, many hunks', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `static int v${i}; /* \xe9 ${i} */`);
    const old = Buffer.from(lines.join('\n') + '\n', 'latin1');
    const neu = Buffer.from(
      lines
        .map((l, i) => (i % 17 === 0 ? `PYGLOBAL ${l}` : i % 41 === 0 ? null : l))
        .filter((l) => l !== null)
        .join('\n') + '\n',
      'latin1',
    );
    const d = roundTrip([
      { path: 'Python/big.c', old, neu },
      { path: 'Include/pyglobal.h', old: null, neu: Buffer.from('#ifndef PYGLOBAL\n#define PYGLOBAL\n#endif\n') },
      { path: 'Objects/gone.c', old: Buffer.from('int gone;\n'), neu: null },
    ]);
    expect((d.match(/^@@ /gm) ?? []).length).toBeGreaterThan(20);
  });

  it('pseudo-random edits of a 3,000-line file, with context 0, 1 and 3', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const lines = Array.from({ length: 3000 }, (_, i) => `l${i % 50}\t${String.fromCharCode(0xa0 + (i % 90))}`);
    const out: string[] = [];
    for (const l of lines) {
      const r = rnd(40);
      if (r === 0) continue;
      if (r === 1) out.push(`new ${rnd(1000)}`);
      out.push(r === 2 ? `PYGLOBAL ${l}` : l);
    }
    const old = Buffer.from(lines.join('\r\n'), 'latin1');
    const neu = Buffer.from(out.join('\r\n'), 'latin1');
    for (const c of [0, 1, 3]) roundTrip([{ path: 'r.c', old, neu }], c);
  });
});
