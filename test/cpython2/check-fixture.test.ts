// The CI gate on the rewritten fixture: clean (exit 0); each new kind of unmarked global is
// reported with file:line and exit 1; JSON and SARIF outputs validate; baselines work both ways.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';
import { runCli } from '../cli/capture.ts';
import { validator } from '../report/validate.ts';

const fixture = fileURLToPath(new URL('../../fixtures/minipy/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-check-'));
const rewritten = path.join(tmp, 'rw');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await applyTree(fixture, { out: rewritten });
});

function variant(name: string, edit: (root: string) => void): string {
  const dst = path.join(tmp, name);
  fs.cpSync(rewritten, dst, { recursive: true });
  edit(dst);
  return dst;
}
const append = (root: string, rel: string, text: string) => fs.appendFileSync(path.join(root, rel), text);
const lineCount = (root: string, rel: string) => fs.readFileSync(path.join(root, rel), 'latin1').split('\n').length;

describe('pyglobal check', () => {
  it('exits 0 on the rewritten fixture', async () => {
    const r = await runCli(['check', rewritten]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('exits 1 on the unrewritten fixture, naming file:line:col', async () => {
    const r = await runCli(['check', fixture]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Objects\/intobject\.c/);
    expect(r.stdout).toMatch(/\d+:\d+\s+error\s+.*free_list/);
  });

  it('reports a new file-scope static', async () => {
    const root = variant('file-static', (r) => append(r, 'Objects/listobject.c', '\nstatic int new_counter;\n'));
    const line = lineCount(root, 'Objects/listobject.c') - 1;
    const r = await runCli(['check', root, '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    const f = doc.findings.filter((x: any) => x.ruleId === 'missing-pyglobal');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'Objects/listobject.c', line, name: 'new_counter' });
  });

  it('reports a new function-local static', async () => {
    const root = variant('local-static', (r) => append(r, 'Objects/listobject.c', '\nint\nnew_helper(void)\n{\n\tstatic int calls = 0;\n\treturn ++calls;\n}\n'));
    const line = lineCount(root, 'Objects/listobject.c') - 3;
    const r = await runCli(['check', root, '--format', 'json']);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout).findings.filter((x: any) => x.ruleId === 'missing-pyglobal');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'Objects/listobject.c', line, name: 'calls', function: 'new_helper' });
  });

  it('reports a new extern data declaration in a header', async () => {
    const root = variant('header-extern', (r) => {
      const p = path.join(r, 'Include/listobject.h');
      const t = fs.readFileSync(p, 'latin1');
      const at = t.lastIndexOf('#endif');
      fs.writeFileSync(p, Buffer.from(t.slice(0, at) + 'PyAPI_DATA(int) PyList_NewCounter;\n' + t.slice(at), 'latin1'));
      append(r, 'Objects/listobject.c', '\nint PyList_NewCounter;\n');
    });
    const r = await runCli(['check', root, '--format', 'json']);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout).findings.filter((x: any) => x.name === 'PyList_NewCounter');
    expect(f.map((x: any) => x.file).sort()).toEqual(['Include/listobject.h', 'Objects/listobject.c']);
    for (const x of f) expect(x.line).toBeGreaterThan(0);
  });

  it('reports an extern of data defined nowhere in the tree until it is reviewed', async () => {
    const root = variant('foreign-extern', (r) => append(r, 'Python/import.c', '\nextern int some_library_flag;\n'));
    const r = await runCli(['check', root, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.some((x: any) => x.ruleId === 'unreviewed-external' && x.name === 'some_library_flag')).toBe(true);
  });

  it('writes JSON that validates against its schema, and SARIF that validates against SARIF 2.1.0', async () => {
    const root = variant('formats', (r) => append(r, 'Objects/listobject.c', '\nstatic int another;\n'));
    const json = await runCli(['check', root, '--format', 'json']);
    expect(validator('src/report/findings-json.schema.json')(JSON.parse(json.stdout))).toEqual([]);
    const out = path.join(tmp, 'out.sarif');
    const sarif = await runCli(['check', root, '--format', 'sarif', '--output', out]);
    expect(sarif.code).toBe(1);
    expect(sarif.stdout).toBe('');
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(validator('vendor/sarif-2.1.0.schema.json')(doc)).toEqual([]);
    const res = doc.runs[0].results.find((x: any) => x.ruleId === 'missing-pyglobal');
    expect(res.locations[0].physicalLocation.artifactLocation.uri).toBe('Objects/listobject.c');
    expect(res.locations[0].physicalLocation.region.startLine).toBe(lineCount(root, 'Objects/listobject.c') - 1);
  });

  it('accepts baselined findings, still fails on new ones, and flags stale entries', async () => {
    const root = variant('baseline', (r) => append(r, 'Objects/listobject.c', '\nstatic int known_one;\n'));
    const base = path.join(tmp, 'baseline.json');
    expect((await runCli(['check', root, '--write-baseline', base])).code).toBe(0);
    expect((await runCli(['check', root, '--baseline', base])).code).toBe(0);
    append(root, 'Objects/listobject.c', 'static int new_one;\n');
    const r = await runCli(['check', root, '--baseline', base, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((x: any) => x.name)).toContain('new_one');
    const stale = await runCli(['check', rewritten, '--baseline', base, '--format', 'json']);
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout).findings.some((x: any) => x.ruleId === 'stale-baseline-entry')).toBe(true);
  });

  it('exits 2 on a bad baseline file', async () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{ nope');
    const r = await runCli(['check', rewritten, '--baseline', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json');
  });
});
