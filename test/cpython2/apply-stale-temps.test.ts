// apply sweeps the temp files a killed run left: before writing in place, in the copy with
// --out (which never takes the source's temp files along), and a dry run only reports them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { applyTree } from '../../src/cpython2/apply.ts';

const fixture = fileURLToPath(new URL('../../fixtures/minipy/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-apply-stale-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function copyFixture(name: string): string {
  const dst = path.join(tmp, name);
  fs.cpSync(fixture, dst, { recursive: true });
  return dst;
}
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}
/** Temp files as a SIGKILLed run leaves them: next to their targets, named after the dead PID. */
function plantTemps(root: string, pid: number): string[] {
  const rels = [`Objects/.intobject.c.pyglobal-${pid}-0badf00d.tmp`, `Include/.pyglobal.h.pyglobal-${pid}-12345678.tmp`];
  for (const r of rels) fs.writeFileSync(path.join(root, r), 'half of a rewrite\n');
  return rels;
}

describe('apply and stale temp files', () => {
  it('removes them before writing in place, says so, and counts them in the result', async () => {
    const root = copyFixture('inplace');
    const pid = deadPid();
    const rels = plantTemps(root, pid);
    const log: string[] = [];
    const r = await applyTree(root, { onLog: (m) => log.push(m) });
    expect(r.staleTempsRemoved).toBe(2);
    expect(r.staleTemps.map((t) => t.pid)).toEqual([pid, pid]);
    expect(log).toEqual([`removed 2 stale temp files left by pyglobal process ${pid} (no longer running)`]);
    for (const rel of rels) expect(fs.existsSync(path.join(root, rel)), rel).toBe(false);
    // A clean tree: the next run has nothing to say about temp files.
    const log2: string[] = [];
    const again = await applyTree(root, { onLog: (m) => log2.push(m) });
    expect(again.staleTempsRemoved).toBe(0);
    expect(log2).toEqual([]);
  });

  it('a dry run reports them and leaves them in place', async () => {
    const root = copyFixture('dry');
    const pid = deadPid();
    const rels = plantTemps(root, pid);
    const log: string[] = [];
    const r = await applyTree(root, { dryRun: true, onLog: (m) => log.push(m) });
    expect(r.staleTempsRemoved).toBe(0);
    expect(r.staleTemps).toHaveLength(2);
    expect(log).toEqual([
      `found 2 stale temp files left by pyglobal process ${pid} (no longer running); a dry run leaves them, the next apply removes them`,
    ]);
    for (const rel of rels) expect(fs.existsSync(path.join(root, rel)), rel).toBe(true);
  });

  it('never removes the temp files of a running process', async () => {
    const root = copyFixture('live');
    const rel = `Objects/.intobject.c.pyglobal-${process.pid}-0badf00d.tmp`;
    fs.writeFileSync(path.join(root, rel), 'being written\n');
    const log: string[] = [];
    const r = await applyTree(root, { onLog: (m) => log.push(m) });
    expect(r.staleTempsRemoved).toBe(0);
    expect(fs.existsSync(path.join(root, rel))).toBe(true);
    expect(log).toEqual([`kept 1 temp file of pyglobal process ${process.pid}, which is still running (is another apply writing this tree?)`]);
  });

  it('with --out, leaves the source\'s temp files out of the copy and the source untouched', async () => {
    const src = copyFixture('src');
    const rels = plantTemps(src, deadPid());
    const out = path.join(tmp, 'out');
    const log: string[] = [];
    const r = await applyTree(src, { out, onLog: (m) => log.push(m) });
    expect(log).toEqual([`left 2 pyglobal temp files of ${src} out of the copy`]);
    expect(r.staleTempsRemoved).toBe(0);
    for (const rel of rels) {
      expect(fs.existsSync(path.join(out, rel)), rel).toBe(false);
      expect(fs.existsSync(path.join(src, rel)), rel).toBe(true);
    }
    expect(fs.existsSync(path.join(out, 'Include/pyglobal.h'))).toBe(true);
  });
});
