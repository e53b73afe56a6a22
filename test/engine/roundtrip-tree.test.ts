// Edit → atomic write → diff → patch → invert on real files of a CPython 2.4 tree, the
// non-UTF-8 ones included. Needs the tree: CPYTHON24_SRC=<path to Python-2.4.6>.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyEdits, invertEdits, type Edit } from '../../src/engine/edits.ts';
import { diffBytes, unifiedDiffs } from '../../src/engine/diff.ts';
import { writeFilesAtomic } from '../../src/engine/write.ts';

const src = process.env.CPYTHON24_SRC;
const havePatch = spawnSync('patch', ['--version']).status === 0;
if (!src) console.log('skipping tree round-trip test: set CPYTHON24_SRC to a CPython 2.4.6 source tree to run it');
else if (!havePatch) console.log('skipping tree round-trip test: the `patch` command is not installed');

function sources(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...sources(dir, r));
    else if (/\.[ch]$/.test(e.name)) out.push(r);
  }
  return out;
}

describe.skipIf(!src || !havePatch)('round trip on real tree files', () => {
  it('every byte survives: non-UTF-8 files and a sample of others', async () => {
    const all = sources(src!).sort();
    const notUtf8 = all.filter((r) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(path.join(src!, r)));
        return false;
      } catch {
        return true;
      }
    });
    expect(notUtf8.length).toBeGreaterThan(0);
    const picked = [...new Set([...notUtf8, ...all.filter((_, i) => i % 40 === 0)])];

    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-roundtrip-'));
    try {
      const copy = path.join(work, 'tree');
      const originals = new Map<string, string>();
      const editsOf = new Map<string, Edit[]>();
      for (const r of picked) {
        const bytes = fs.readFileSync(path.join(src!, r));
        fs.mkdirSync(path.dirname(path.join(copy, r)), { recursive: true });
        fs.writeFileSync(path.join(copy, r), bytes);
        const text = bytes.toString('latin1');
        originals.set(r, text);
        // Generic edits: a prefix before every line that starts with "static ", and the
        // deletion of each " = 0;" initializer (turned into ";").
        const edits: Edit[] = [];
        for (const m of text.matchAll(/^static /gm)) edits.push({ file: r, start: m.index!, end: m.index!, text: 'PYGLOBAL ', reason: 'prefix' });
        for (const m of text.matchAll(/ = 0;/g)) edits.push({ file: r, start: m.index!, end: m.index! + 4, text: '', reason: 'strip' });
        editsOf.set(r, edits);
      }
      const nEdits = [...editsOf.values()].reduce((n, e) => n + e.length, 0);
      console.log(`round trip: ${picked.length} files (${notUtf8.length} not UTF-8), ${nEdits} edits`);
      const changes = picked.map((r) => ({ path: r, text: applyEdits(originals.get(r)!, editsOf.get(r)!) }));
      const res = await writeFilesAtomic(copy, changes, { dryRun: false, fsync: false });
      expect(res.filter((x) => x.outcome === 'error')).toEqual([]);

      // The written bytes are the edited latin1 text, and latin1 bytes are still there.
      for (const c of changes) expect(fs.readFileSync(path.join(copy, c.path)).equals(Buffer.from(c.text, 'latin1'))).toBe(true);

      // The diff turns a pristine copy into the written tree.
      const pristine = path.join(work, 'pristine');
      for (const r of picked) {
        fs.mkdirSync(path.dirname(path.join(pristine, r)), { recursive: true });
        fs.copyFileSync(path.join(src!, r), path.join(pristine, r));
      }
      const d = unifiedDiffs(changes.map((c) => ({ path: c.path, oldText: originals.get(c.path)!, newText: c.text })));
      fs.writeFileSync(path.join(work, 'all.patch'), diffBytes(d));
      execFileSync('patch', ['-p1', '--batch', '--quiet', '-i', path.join(work, 'all.patch')], { cwd: pristine });
      for (const c of changes) expect(fs.readFileSync(path.join(pristine, c.path)).equals(fs.readFileSync(path.join(copy, c.path)))).toBe(true);

      // Inverting the edits gives back the original bytes.
      const undo = picked.map((r) => ({ path: r, text: applyEdits(changes.find((c) => c.path === r)!.text, invertEdits(originals.get(r)!, editsOf.get(r)!)) }));
      await writeFilesAtomic(copy, undo, { dryRun: false, fsync: false });
      for (const r of picked) expect(fs.readFileSync(path.join(copy, r)).equals(fs.readFileSync(path.join(src!, r))), r).toBe(true);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
