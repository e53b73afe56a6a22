// Temp files left by killed writers: which names count, whose writer is gone, what is removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findStaleTemps, removeStaleTemps, describeTemps, isRunning, tempFilePid, TEMP_NAME } from '../../src/engine/stale-temps.ts';
import { writeFilesAtomic } from '../../src/engine/write.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-stale-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let root: string;
let n = 0;
beforeEach(() => {
  root = path.join(tmp, `t${n++}`);
  fs.mkdirSync(root);
});

function put(rel: string, text = 'x\n'): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}
function all(): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath ?? (e as any).path, e.name)).split(path.sep).join('/'))
    .sort();
}
/** A PID that was a process a moment ago and is not now (spawned, exited, reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(isRunning(r.pid!)).toBe(false);
  return r.pid!;
}

describe('temp file names', () => {
  it('recognises exactly the names writeTemp gives', () => {
    expect(tempFilePid('.ceval.c.pyglobal-12345-0badf00d.tmp')).toBe(12345);
    expect(tempFilePid('.Makefile.pre.in.pyglobal-7-deadbeef.tmp')).toBe(7);
    for (const other of [
      '.gitignore',
      'ceval.c.pyglobal-12345-0badf00d.tmp', // no leading dot
      '.ceval.c.pyglobal-abc-0badf00d.tmp', // no PID
      '.ceval.c.pyglobal-0-0badf00d.tmp', // PID 0 is no process (kill(0) would mean the group)
      '.ceval.c.pyglobal-12345-0badf00.tmp', // 7 hex digits
      '.ceval.c.pyglobal-12345-0BADF00D.tmp', // randomBytes().toString('hex') is lower case
      '.ceval.c.pyglobal-12345-0badf00d.tmp.orig',
      '.ceval.c.tmp',
    ]) {
      expect(tempFilePid(other), other).toBeUndefined();
    }
  });

  it('matches the temp files writeFilesAtomic really creates', async () => {
    put('Objects/a.c', 'old\n');
    const seen: string[] = [];
    await writeFilesAtomic(root, [{ path: 'Objects/a.c', text: 'new\n' }], {
      dryRun: false,
      fsync: false,
      onStep: (step) => {
        if (step === 'prepared') seen.push(...fs.readdirSync(path.join(root, 'Objects')).filter((f) => f.startsWith('.')));
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(TEMP_NAME);
    expect(tempFilePid(seen[0])).toBe(process.pid);
  });
});

describe('isRunning', () => {
  it('is true for this process and a live child, false once the child is gone', async () => {
    expect(isRunning(process.pid)).toBe(true);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      expect(isRunning(child.pid!)).toBe(true);
    } finally {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    expect(isRunning(child.pid!)).toBe(false);
  });

  it('counts a process of another user as running (EPERM, not ESRCH)', () => {
    // PID 1 exists everywhere; as root kill(1, 0) succeeds, as anyone else it fails with EPERM.
    expect(isRunning(1)).toBe(true);
  });
});

describe('findStaleTemps / removeStaleTemps', () => {
  let sleeper: ReturnType<typeof spawn> | undefined;
  afterEach(async () => {
    if (sleeper && sleeper.exitCode === null) {
      const gone = new Promise((r) => sleeper!.once('exit', r));
      sleeper.kill('SIGKILL');
      await gone;
    }
    sleeper = undefined;
  });

  it('removes the temp files of a dead process, keeps a live one\'s and every other file', async () => {
    const dead = deadPid();
    sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const live = sleeper.pid!;
    const unrelated = [
      '.gitignore',
      'Objects/.hidden.c',
      'Objects/intobject.c',
      'Objects/intobject.c.pyglobal-1-0badf00d.tmp',
      `Objects/.intobject.c.pyglobal-${dead}-0badf00d.tmp.keep`,
      `Objects/.intobject.c.pyglobal-${dead}-0badf0.tmp`,
      `node_modules/x/.a.c.pyglobal-${dead}-0badf00d.tmp`,
      `.git/.index.pyglobal-${dead}-0badf00d.tmp`,
    ];
    for (const f of unrelated) put(f);
    const staleFiles = [
      `Include/.ceval.h.pyglobal-${dead}-00000001.tmp`,
      `Objects/.intobject.c.pyglobal-${dead}-00000002.tmp`,
      `Modules/deep/er/.x.c.pyglobal-${dead}-00000003.tmp`,
    ];
    const liveFiles = [`Objects/.intobject.c.pyglobal-${live}-0000000a.tmp`, `Objects/.floatobject.c.pyglobal-${process.pid}-0000000b.tmp`];
    for (const f of [...staleFiles, ...liveFiles]) put(f);

    const found = await findStaleTemps(root);
    expect(found.stale).toEqual(staleFiles.sort().map((p) => ({ path: p, pid: dead })));
    expect(found.live.map((t) => t.path).sort()).toEqual([...liveFiles].sort());
    // Finding changes nothing.
    expect(all()).toEqual([...unrelated, ...staleFiles, ...liveFiles].sort());

    const swept = await removeStaleTemps(root);
    expect(swept.removed).toEqual(found.stale);
    expect(swept.failed).toEqual([]);
    expect(all()).toEqual([...unrelated, ...liveFiles].sort());
    expect(describeTemps(swept, { dryRun: false })).toEqual([
      `removed 3 stale temp files left by pyglobal process ${dead} (no longer running)`,
      `kept 1 temp file of pyglobal process ${process.pid}, which is still running (is another apply writing this tree?)`,
      `kept 1 temp file of pyglobal process ${live}, which is still running (is another apply writing this tree?)`,
    ]);

    // A second sweep finds nothing more to do.
    const again = await removeStaleTemps(root);
    expect(again.removed).toEqual([]);
  });

  it('groups the report by writer and says what a dry run would do', async () => {
    const a = deadPid();
    const b = deadPid();
    put(`.a.c.pyglobal-${a}-00000001.tmp`);
    put(`.b.c.pyglobal-${a}-00000002.tmp`);
    put(`.c.c.pyglobal-${b}-00000003.tmp`);
    const found = await findStaleTemps(root);
    const lines = describeTemps(found, { dryRun: true });
    expect(lines).toHaveLength(2);
    expect(lines).toContain(
      `found 2 stale temp files left by pyglobal process ${a} (no longer running); a dry run leaves them, the next apply removes them`,
    );
    expect(lines).toContain(
      `found 1 stale temp file left by pyglobal process ${b} (no longer running); a dry run leaves them, the next apply removes them`,
    );
  });

  it('asks about each PID once, and trusts the answer', async () => {
    put('.a.c.pyglobal-4242-00000001.tmp');
    put('.b.c.pyglobal-4242-00000002.tmp');
    put('.c.c.pyglobal-4343-00000003.tmp');
    const asked: number[] = [];
    const r = await removeStaleTemps(root, { isRunning: (pid) => (asked.push(pid), pid === 4343) });
    expect(asked.sort()).toEqual([4242, 4343]);
    expect(r.removed.map((t) => t.path)).toEqual(['.a.c.pyglobal-4242-00000001.tmp', '.b.c.pyglobal-4242-00000002.tmp']);
    expect(all()).toEqual(['.c.c.pyglobal-4343-00000003.tmp']);
  });

  it('is cheap on a tree of thousands of files', async () => {
    for (let d = 0; d < 30; d++) for (let f = 0; f < 100; f++) put(`d${d}/f${f}.c`);
    put(`d7/.f1.c.pyglobal-${deadPid()}-00000001.tmp`);
    const t0 = Date.now();
    const r = await removeStaleTemps(root);
    expect(r.removed).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
