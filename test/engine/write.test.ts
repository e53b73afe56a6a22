import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFilesAtomic, WriteInterruptedError } from '../../src/engine/write.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-write-'));
});
afterEach(() => {
  // Restore write bits so the temp tree can be removed.
  for (const p of walk(root, true)) fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
  fs.rmSync(root, { recursive: true, force: true });
});

function walk(dir: string, withDirs = false): string[] {
  const out: string[] = withDirs ? [dir] : [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, withDirs));
    else out.push(p);
  }
  return out;
}
const temps = () => walk(root).filter((p) => p.includes('.pyglobal-'));
const put = (rel: string, bytes: string | Buffer, mode = 0o644) => {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, bytes);
  fs.chmodSync(p, mode);
  return p;
};
const bytesOf = (rel: string) => fs.readFileSync(path.join(root, rel));
const textOf = (rel: string) => bytesOf(rel).toString('latin1');

describe('writeFilesAtomic', () => {
  it('writes latin1 bytes exactly: 0xE9, tabs, CRLF lines, no final newline', async () => {
    const original = Buffer.from('/* \xe9t\xe9 */\r\n\tstatic int x;\r\n\tchar *s = "caf\xe9";', 'latin1');
    put('Modules/m.c', original);
    const text = textOf('Modules/m.c');
    const at = text.indexOf('static');
    const edited = text.slice(0, at) + 'PYGLOBAL ' + text.slice(at);
    const res = await writeFilesAtomic(root, [{ path: 'Modules/m.c', text: edited }], { dryRun: false });
    expect(res).toEqual([{ path: 'Modules/m.c', outcome: 'written', bytes: original.length + 9, created: false }]);
    const expected = Buffer.concat([original.subarray(0, at), Buffer.from('PYGLOBAL '), original.subarray(at)]);
    expect(bytesOf('Modules/m.c').equals(expected)).toBe(true);
    expect(bytesOf('Modules/m.c').filter((b) => b === 0xe9).length).toBe(3);
    expect(temps()).toEqual([]);
  });

  it('leaves a file with identical bytes alone (nochange: same inode, same mtime)', async () => {
    const p = put('a.c', Buffer.from('int a;\xe9', 'latin1'));
    const before = fs.statSync(p);
    const res = await writeFilesAtomic(root, [{ path: 'a.c', text: 'int a;\xe9' }], { dryRun: false });
    expect(res[0].outcome).toBe('nochange');
    expect(res[0].message).toBeUndefined();
    const after = fs.statSync(p);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('keeps the original file mode, and replaces the file (new inode) rather than writing in place', async () => {
    const p1 = put('run.sh', '#!/bin/sh\n', 0o750);
    const p2 = put('b.c', 'int b;\n', 0o666);
    const ino = fs.statSync(p1).ino;
    await writeFilesAtomic(root, [{ path: 'run.sh', text: '#!/bin/sh\nexit 0\n' }, { path: 'b.c', text: 'int bb;\n' }], {
      dryRun: false,
    });
    expect(fs.statSync(p1).mode & 0o7777).toBe(0o750);
    expect(fs.statSync(p2).mode & 0o7777).toBe(0o666); // not cut by the umask
    expect(fs.statSync(p1).ino).not.toBe(ino);
    expect(textOf('b.c')).toBe('int bb;\n');
  });

  it('creates new files, also in new directories', async () => {
    put('Include/x.h', 'x\n');
    const res = await writeFilesAtomic(
      root,
      [
        { path: 'Include/pyglobal.h', text: '#define PYGLOBAL\n' },
        { path: 'gen/deep/init.c', text: 'void f(void) {}\n' },
      ],
      { dryRun: false },
    );
    expect(res.map((r) => [r.outcome, r.created])).toEqual([
      ['written', true],
      ['written', true],
    ]);
    expect(textOf('Include/pyglobal.h')).toBe('#define PYGLOBAL\n');
    expect(textOf('gen/deep/init.c')).toBe('void f(void) {}\n');
  });

  it('writes through a symlink to its target and keeps the link', async () => {
    put('real/t.c', 'old\n');
    fs.symlinkSync('real/t.c', path.join(root, 'link.c'));
    const res = await writeFilesAtomic(root, [{ path: 'link.c', text: 'new\n' }], { dryRun: false });
    expect(res[0].outcome).toBe('written');
    expect(fs.lstatSync(path.join(root, 'link.c')).isSymbolicLink()).toBe(true);
    expect(textOf('real/t.c')).toBe('new\n');
  });

  it('dry run: reports what would happen, checks everything, writes nothing', async () => {
    put('a.c', 'a\n');
    put('same.c', 'same\n');
    put('ro.c', 'ro\n', 0o444);
    const res = await writeFilesAtomic(
      root,
      [
        { path: 'a.c', text: 'A\n' },
        { path: 'same.c', text: 'same\n' },
        { path: 'new/n.c', text: 'n\n' },
      ],
      { dryRun: true },
    );
    expect(res.map((r) => r.outcome)).toEqual(['written', 'nochange', 'written']);
    expect(textOf('a.c')).toBe('a\n');
    expect(fs.existsSync(path.join(root, 'new'))).toBe(false);
    const ro = await writeFilesAtomic(root, [{ path: 'ro.c', text: 'x\n' }], { dryRun: true });
    expect(ro[0].outcome).toBe('error');
    expect(ro[0].message).toMatch(/^ro\.c: read-only file \(mode 0444\)$/);
    expect(temps()).toEqual([]);
  });

  it('a read-only file is an error naming the path, and then no file is changed', async () => {
    put('ok.c', 'ok\n');
    put('Objects/ro.c', 'ro\n', 0o444);
    const res = await writeFilesAtomic(
      root,
      [
        { path: 'ok.c', text: 'changed\n' },
        { path: 'Objects/ro.c', text: 'changed\n' },
      ],
      { dryRun: false },
    );
    expect(res[1]).toMatchObject({ outcome: 'error', message: 'Objects/ro.c: read-only file (mode 0444)' });
    expect(res[0].outcome).toBe('error');
    expect(res[0].message).toContain('first: Objects/ro.c');
    expect(textOf('ok.c')).toBe('ok\n');
    expect(textOf('Objects/ro.c')).toBe('ro\n');
    expect(temps()).toEqual([]);
  });

  it('with partial: true, the files that can be written are written', async () => {
    put('ok.c', 'ok\n');
    put('ro.c', 'ro\n', 0o444);
    const res = await writeFilesAtomic(
      root,
      [
        { path: 'ok.c', text: 'changed\n' },
        { path: 'ro.c', text: 'changed\n' },
      ],
      { dryRun: false, partial: true },
    );
    expect(res.map((r) => r.outcome)).toEqual(['written', 'error']);
    expect(textOf('ok.c')).toBe('changed\n');
    expect(textOf('ro.c')).toBe('ro\n');
  });

  it('a read-only directory is an error naming the directory', async () => {
    put('Parser/p.c', 'p\n');
    fs.chmodSync(path.join(root, 'Parser'), 0o555);
    const res = await writeFilesAtomic(root, [{ path: 'Parser/p.c', text: 'q\n' }], { dryRun: false });
    expect(res[0].outcome).toBe('error');
    expect(res[0].message).toBe('Parser/p.c: read-only directory Parser (mode 0555)');
    expect(textOf('Parser/p.c')).toBe('p\n');
  });

  it('reports a parent that is a file, a path outside the root, a duplicate, and a non-byte character', async () => {
    put('file.c', 'f\n');
    put('d.c', 'd\n');
    const res = await writeFilesAtomic(
      root,
      [
        { path: 'file.c/x.c', text: 'x\n' },
        { path: '../escape.c', text: 'x\n' },
        { path: 'd.c', text: 'D\n' },
        { path: './d.c', text: 'D\n' },
        { path: 'wide.c', text: 'ok\nstill ok \u20ac\n' },
      ],
      { dryRun: false, partial: true },
    );
    expect(res[0].message).toMatch(/^file\.c\/x\.c: .*\(ENOTDIR\)$/);
    expect(res[1].message).toBe('../escape.c: path must be relative to the root and stay inside it');
    expect(res[2].outcome).toBe('written');
    expect(res[3].message).toMatch(/^\.\/d\.c: listed twice/);
    expect(res[4].message).toBe('wide.c: line 2: character U+20AC is not a byte; text must be latin1-decoded bytes');
    expect(fs.existsSync(path.join(root, 'wide.c'))).toBe(false);
  });

  it('a crash after the first temp file leaves every original intact and no temp file', async () => {
    for (let i = 0; i < 3; i++) put(`c${i}.c`, `old ${i}\n`);
    const changes = [0, 1, 2].map((i) => ({ path: `c${i}.c`, text: `new ${i}\n` }));
    let tempsSeen = 0;
    await expect(
      writeFilesAtomic(root, changes, {
        dryRun: false,
        onStep: (step) => {
          tempsSeen = temps().length;
          if (step === 'prepared') throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(tempsSeen).toBeGreaterThanOrEqual(1); // a temp file really existed when the crash came
    for (let i = 0; i < 3; i++) expect(textOf(`c${i}.c`)).toBe(`old ${i}\n`);
    expect(temps()).toEqual([]);
  });

  it('a crash during the renames leaves each file old or new, and no temp file', async () => {
    for (let i = 0; i < 3; i++) put(`c${i}.c`, `old ${i}\n`);
    const changes = [0, 1, 2].map((i) => ({ path: `c${i}.c`, text: `new ${i}\n` }));
    await expect(
      writeFilesAtomic(root, changes, {
        dryRun: false,
        onStep: (step, p) => {
          if (step === 'renamed' && p === 'c0.c') throw new Error('crash after one rename');
        },
      }),
    ).rejects.toThrow('crash after one rename');
    expect([0, 1, 2].map((i) => textOf(`c${i}.c`))).toEqual(['new 0\n', 'old 1\n', 'old 2\n']);
    expect(temps()).toEqual([]);
  });

  it('a SIGINT (emitted in-process) before the renames stops the run with nothing changed', async () => {
    for (let i = 0; i < 3; i++) put(`c${i}.c`, `old ${i}\n`);
    const changes = [0, 1, 2].map((i) => ({ path: `c${i}.c`, text: `new ${i}\n` }));
    const before = process.listenerCount('SIGINT');
    const err = await writeFilesAtomic(root, changes, {
      dryRun: false,
      onStep: (step) => {
        if (step === 'prepared') process.emit('SIGINT', 'SIGINT');
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(WriteInterruptedError);
    expect(err.signal).toBe('SIGINT');
    expect(err.results.map((r: any) => r.outcome)).toEqual(['error', 'error', 'error']);
    for (let i = 0; i < 3; i++) expect(textOf(`c${i}.c`)).toBe(`old ${i}\n`);
    expect(temps()).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('writeFilesAtomic under a real SIGINT (child process)', () => {
  const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'write-interrupt.ts');
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

  function runChild(step: string, pauseAt: number): Promise<{ code: number | null; out: any }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', helper, root, '4', step, String(pauseAt)], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('PAUSED\n') && !sent) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (!line) return reject(new Error(`child printed no result (code ${code}): ${stderr}`));
        resolve({ code, out: JSON.parse(line) });
      });
    });
  }

  it('while temp files are being prepared: every file old, no temp file', async () => {
    for (let i = 0; i < 4; i++) put(`f${i}.c`, `old ${i}\n`);
    const { code, out } = await runChild('prepared', 1);
    expect(code).toBe(130);
    expect(out.interrupted).toBe('SIGINT');
    for (let i = 0; i < 4; i++) expect(textOf(`f${i}.c`)).toBe(`old ${i}\n`);
    expect(temps()).toEqual([]);
  });

  it('during the renames: each file either old or new, results say which, no temp file', async () => {
    for (let i = 0; i < 4; i++) put(`f${i}.c`, `old ${i}\n`);
    const { code, out } = await runChild('renamed', 1);
    expect(code).toBe(130);
    const now = [0, 1, 2, 3].map((i) => textOf(`f${i}.c`));
    expect(now).toEqual(['new 0\n', 'new 1\n', 'old 2\n', 'old 3\n']);
    expect(out.results.map((r: any) => r.outcome)).toEqual(['written', 'written', 'error', 'error']);
    expect(temps()).toEqual([]);
  });
});
