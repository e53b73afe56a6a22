// vendor/cpython-2.4.6.sha256.json tells the pristine release from a changed or rewritten copy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTree } from '../../src/cpython2/target/tree.ts';
import { pristineStatus, describeTree } from '../../src/cpython2/pristine.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-pristine-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const real = process.env.CPYTHON24_SRC;
if (!real) console.log('pristine 2.4.6 check skipped: set CPYTHON24_SRC to a pristine CPython 2.4.6 tree');

describe('pristineStatus', () => {
  it('knows 2.4.6 and reports a partial tree as changed, naming what is missing', () => {
    fs.mkdirSync(path.join(tmp, 'Include'));
    fs.writeFileSync(path.join(tmp, 'Include/patchlevel.h'), '#define PY_VERSION "2.4.6"\n');
    const tree = openTree(tmp);
    const s = pristineStatus(tree);
    expect(s.known).toBe(true);
    expect(s.pristine).toBe(false);
    expect(s.missing).toContain('Objects/typeobject.c');
    expect(describeTree(tree, s)).toMatch(/missing since the release/);
  });

  it('has no manifest for the fixture', () => {
    const tree = openTree(undefined);
    expect(pristineStatus(tree).known).toBe(false);
    expect(describeTree(tree, pristineStatus(tree))).toMatch(/bundled fixture/);
  });

  it.runIf(!!real)('recognises the pristine release, and a one-byte change to it', () => {
    const tree = openTree(real!);
    expect(pristineStatus(tree).pristine).toBe(true);
    const copy = path.join(tmp, 'copy');
    fs.cpSync(real!, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'Objects/intobject.c'), ' ');
    expect(pristineStatus(openTree(copy)).changed).toEqual(['Objects/intobject.c']);
  });
});
