// apply's output on the real 2.4.6 tree is pinned byte for byte: py24-apply.golden.json holds the
// SHA-256 of every file apply writes into a copy of the pristine tree, recorded before version
// profiles existed. Moving 2.4's knowledge into rules/cpython-2.4/ must not change one byte, and
// nor may later work on other versions. Needs the tree: CPYTHON24_SRC=<pristine Python-2.4.6>.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';

const src = process.env.CPYTHON24_SRC;
if (!src) console.log('py24 apply golden skipped: set CPYTHON24_SRC to a pristine CPython 2.4.6 tree');

function digests(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(path.relative(root, p).split(path.sep).join('/'), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

describe.skipIf(!src)('apply on pristine 2.4.6 (CPYTHON24_SRC)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-py24-golden-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes the same bytes as before version profiles, file by file', async () => {
    const copy = path.join(tmp, 'py24');
    fs.cpSync(src!, copy, { recursive: true });
    const before = digests(copy);
    await applyTree(copy, {});
    const after = digests(copy);
    const written: Record<string, string> = {};
    let unchanged = 0;
    for (const [p, h] of [...after].sort()) {
      if (before.get(p) === h) unchanged++;
      else written[p] = h;
    }
    const want = JSON.parse(fs.readFileSync(new URL('./py24-apply.golden.json', import.meta.url), 'utf8'));
    expect(written).toEqual(want.written);
    expect(unchanged).toBe(want.unchanged);
    expect([...before.keys()].filter((p) => !after.has(p))).toEqual(want.removed);
  }, 180_000);
});
