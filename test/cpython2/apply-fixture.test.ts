// apply on a copy of the fixture: byte-exact (undoing the edits gives the original bytes, file
// by file), idempotent (a second apply writes nothing), honest dry runs, atomic refusal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';
import { scanTree } from '../../src/cpython2/scan.ts';
import { planRewrite, readTexts } from '../../src/cpython2/plan.ts';
import { openTree } from '../../src/cpython2/target/tree.ts';
import { planEdits, applyEdits, invertEdits } from '../../src/engine/edits.ts';
import { main } from '../../src/cli/main.ts';

const fixture = fileURLToPath(new URL('../../fixtures/minipy/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-apply-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function treeHash(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(root, p), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

function copyFixture(name: string): string {
  const dst = path.join(tmp, name);
  fs.cpSync(fixture, dst, { recursive: true });
  return dst;
}

describe('apply with a worker thread', () => {
  it('writes the same bytes as in one thread: the scan and the guard parse on the worker', async () => {
    const one = copyFixture('one-thread');
    const two = copyFixture('with-worker');
    await applyTree(one, { workers: 0 });
    await applyTree(two, { workers: 1 });
    expect(treeHash(two)).toEqual(treeHash(one));
    expect(treeHash(one)).not.toEqual(treeHash(fixture));
  });
});

describe('apply on the fixture', () => {
  let out: string;
  let first: Awaited<ReturnType<typeof applyTree>>;
  beforeAll(async () => {
    out = path.join(tmp, 'rewritten');
    first = await applyTree(fixture, { out });
  });

  it('rewrites, moves initializers and generates the init files', () => {
    expect(first.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(first.plan.moved.length).toBeGreaterThan(5);
    const h = fs.readFileSync(path.join(out, 'Include/pyglobal.h'), 'latin1');
    expect(h).toContain('void PyGlobals_InitThread(void);');
    expect(h).toContain('void PyGlobals_FiniThread(void);');
    expect(h).toMatch(/#\s*define PYGLOBAL __thread/);
    expect(h).toMatch(/#\s*define PYGLOBAL __declspec\(thread\)/);
    expect(fs.readFileSync(path.join(out, 'Python/pyglobal_init.c'), 'latin1')).toContain('PyGlobals_InitThread(void)');
    // getopt.c includes no interpreter header: the rewrite brings PYGLOBAL in itself.
    expect(fs.readFileSync(path.join(out, 'Python/getopt.c'), 'latin1')).toMatch(/^#include "pyglobal.h"/);
  });

  it('never puts PYGLOBAL before static or extern (gcc requires __thread after them)', () => {
    for (const [rel] of treeHash(out)) {
      if (!/\.(c|h|in)$/.test(rel)) continue;
      const text = fs.readFileSync(path.join(out, rel), 'latin1');
      expect(text, rel).not.toMatch(/PYGLOBAL\s+(static|extern|staticforward|statichere)\b/);
      expect(text, rel).not.toMatch(/PYGLOBAL\s+PyAPI_DATA/);
    }
  });

  it('keeps the source tree untouched when writing to --out', () => {
    const again = treeHash(fixture);
    expect(again.has('Include/pyglobal.h')).toBe(false);
  });

  it('is byte-exact: undoing its edits gives the original bytes of every file', () => {
    const scan = scanTree(fixture);
    const texts = readTexts(scan.root, scan.files.map((f) => f.path));
    const plan = planRewrite(scan, texts, openTree(fixture).profile);
    let files = 0;
    for (const fp of planEdits(plan.edits)) {
      const before = texts.get(fp.file)!;
      const after = applyEdits(before, fp.edits);
      // the written file is exactly the planned text
      expect(fs.readFileSync(path.join(out, fp.file)).toString('latin1')).toBe(after);
      expect(applyEdits(after, invertEdits(before, fp.edits))).toBe(before);
      files++;
    }
    expect(files).toBeGreaterThan(10);
  });

  it('keeps Latin-1 bytes and tabs outside the edits', () => {
    const orig = fs.readFileSync(path.join(fixture, 'Objects/stringobject.c'));
    const now = fs.readFileSync(path.join(out, 'Objects/stringobject.c'));
    expect(orig.includes(0xe9)).toBe(true);
    expect(now.filter((b) => b === 0xe9).length).toBe(orig.filter((b) => b === 0xe9).length);
    expect(now.filter((b) => b === 0x09).length).toBeGreaterThanOrEqual(orig.filter((b) => b === 0x09).length);
    expect(now.toString('latin1').replace(/PYGLOBAL /g, '')).toContain(orig.toString('latin1').split('\n').slice(0, 5).join('\n'));
  });

  it('is idempotent: a second apply writes 0 bytes', async () => {
    const before = treeHash(out);
    const second = await applyTree(out);
    expect(second.files.filter((f) => f.outcome === 'written')).toEqual([]);
    expect(second.bytesWritten).toBe(0);
    expect(treeHash(out)).toEqual(before);
  });

  it('--dry-run changes nothing, and its diff applies with patch -p1 to give the real result', async () => {
    const copy = copyFixture('dry');
    const before = treeHash(copy);
    const r = await applyTree(copy, { dryRun: true });
    expect(treeHash(copy)).toEqual(before);
    const patchFile = path.join(tmp, 'dry.patch');
    fs.writeFileSync(patchFile, Buffer.from(r.diff!, 'latin1'));
    const p = spawnSync('patch', ['-p1', '-s', '-i', patchFile], { cwd: copy });
    expect(p.status, String(p.stderr)).toBe(0);
    const applied = treeHash(copy);
    const real = treeHash(out);
    for (const [rel, h] of real) expect(applied.get(rel), rel).toBe(h);
  });

  it('refuses a read-only file with exit 2 and writes nothing at all', async () => {
    const copy = copyFixture('readonly');
    const victim = path.join(copy, 'Objects/intobject.c');
    fs.chmodSync(victim, 0o444);
    const before = treeHash(copy);
    const err = await captureStderr(() => main(['apply', copy]));
    expect(err.code).toBe(2);
    expect(err.text).toContain('Objects/intobject.c');
    expect(treeHash(copy)).toEqual(before);
  });
});

async function captureStderr(fn: () => Promise<number>): Promise<{ code: number; text: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let text = '';
  (process.stderr as any).write = (chunk: any) => {
    text += String(chunk);
    return true;
  };
  try {
    const code = await fn();
    return { code, text };
  } finally {
    (process.stderr as any).write = write;
  }
}
