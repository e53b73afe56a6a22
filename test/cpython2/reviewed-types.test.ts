// rules/reviewed-types.json: every type rule carries a classification and a reason; a malformed
// file is refused with its name and the field, exit 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReviewedTypes } from '../../src/cpython2/reviewed.ts';
import { UsageError } from '../../src/cli/errors.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-types-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, doc: unknown) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
};

describe('loadReviewedTypes', () => {
  it('loads the shipped rules, each with a reason', () => {
    const types = loadReviewedTypes();
    expect(types.map((t) => t.type).sort()).toEqual(['PyGetSetDef', 'PyMemberDef', 'PyMethodDef']);
    for (const t of types) expect(t.reason.length).toBeGreaterThan(30);
  });

  it('refuses a row without a reason, naming the file and the field', () => {
    const p = write('noreason.json', { types: [{ type: 'X', classification: 'shared-immutable', reason: '' }] });
    expect(() => loadReviewedTypes(p)).toThrow(UsageError);
    expect(() => loadReviewedTypes(p)).toThrow(/noreason\.json: types\[0\]: field "reason"/);
  });

  it('refuses an unknown classification and broken JSON', () => {
    expect(() => loadReviewedTypes(write('bad.json', { types: [{ type: 'X', classification: 'maybe', reason: 'because it is so' }] }))).toThrow(/classification must be one of/);
    expect(() => loadReviewedTypes(write('broken.json', '{ nope'))).toThrow(/broken\.json:1: cannot load/);
  });
});
