// The extension target must not change what apply does to a tree: apply's output on the bundled
// fixture is compared file by file with the output of the code before the extension flow existed
// (minipy-apply.golden.json: sha256 of every file of `apply fixtures/minipy --out DIR`).
// If a deliberate change to the tree's rewrite makes this fail, regenerate the digests.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { applyTree } from '../../../src/cpython2/apply.ts';
import { defaultTree } from '../../../src/cpython2/target/tree.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-golden-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('apply on fixtures/minipy gives the same bytes as before the extension target', async () => {
  const out = path.join(tmp, 'rw');
  await applyTree(defaultTree, { out });
  const got: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else got[path.relative(out, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(out);
  const want = JSON.parse(fs.readFileSync(new URL('../minipy-apply.golden.json', import.meta.url), 'utf8'));
  expect(Object.fromEntries(Object.entries(got).sort())).toEqual(Object.fromEntries(Object.entries(want).sort()));
}, 60_000);
