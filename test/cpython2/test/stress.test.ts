import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBuildDir } from '../../../src/cpython2/test/builddir.ts';
import type { PymtRun } from '../../../src/cpython2/test/pymt-run.ts';
import { checksumOf, classifyRun, runStress, stressWorkload } from '../../../src/cpython2/test/stress.ts';
import { goodChecksum, makeFakeBuild, type FakeRound } from './helpers/fake-build.ts';

const ref = goodChecksum;
function rec(round: number, interp: number, checksum: string | null, ok = true, reason = '') {
  return {
    type: 'interp' as const, round, interp, ok, exit: ok ? 0 : 1, seconds: 0.1, reason,
    output: checksum ? `PYMT-CHECKSUM ${checksum}\n` : 'nothing\n',
  };
}
function run(records: PymtRun['records'], end: Partial<PymtRun> = {}): PymtRun {
  return { records, exitCode: 0, signal: null, deaths: [], fatalErrors: [], timedOut: false, stderr: '', seconds: 1, strayStdout: [], ...end };
}

describe('classifyRun', () => {
  it('counts a round correct only when every interpreter printed the reference checksum', () => {
    const r = classifyRun(
      run([rec(1, 0, ref), rec(1, 1, ref), rec(2, 1, ref), rec(2, 0, 'f'.repeat(32)), rec(3, 0, ref), rec(3, 1, null), rec(4, 0, ref), rec(4, 1, ref, false, 'uncaught MemoryError')]),
      10, 4, 2, ref,
    );
    expect(r.map((x) => [x.round, x.status])).toEqual([[11, 'correct'], [12, 'wrong'], [13, 'wrong'], [14, 'error']]);
    expect(r[1].detail).toBe(`interpreter 0: checksum ${'f'.repeat(32)}, expected ${ref}`);
    expect(r[2].detail).toMatch(/\(none printed\)/);
    expect(r[3].detail).toBe('interpreter 1: uncaught MemoryError');
  });
  it('counts the unfinished round as crash, fatal error or hang, and stops there', () => {
    const records = [rec(1, 0, ref), rec(1, 1, ref), rec(2, 0, ref)];
    const crash = classifyRun(run(records, { exitCode: null, signal: 'SIGSEGV', deaths: [{ interp: 1, round: 2, signal: 11, name: 'SIGSEGV' }] }), 0, 5, 2, ref);
    expect(crash.map((x) => x.status)).toEqual(['correct', 'crash']);
    expect(crash[1].detail).toBe('killed by SIGSEGV in interpreter 1, round 2');
    const fatal = classifyRun(run(records, { exitCode: null, signal: 'SIGABRT', fatalErrors: ['Fatal Python error: x'] }), 0, 5, 2, ref);
    expect(fatal.map((x) => x.status)).toEqual(['correct', 'fatal']);
    const hang = classifyRun(run(records, { exitCode: null, signal: 'SIGKILL', timedOut: true }), 0, 5, 2, ref);
    expect(hang.map((x) => x.status)).toEqual(['correct', 'hang']);
  });
  it('finds the checksum line in an interpreter\'s output', () => {
    expect(checksumOf(`x\nPYMT-CHECKSUM ${ref}\ny`)).toBe(ref);
    expect(checksumOf('PYMT-CHECKSUM 123')).toBeNull();
    expect(checksumOf(undefined)).toBeNull();
  });
});

describe('runStress with a fake pymt', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    delete process.env.FAKE_PLAN;
  });
  it('accounts for every round, restarting pymt after each death', async () => {
    const build = makeFakeBuild();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-stress-'));
    dirs.push(build, work);
    const plan: FakeRound[][] = [['ok', 'ok', 'wrong', 'crash'], ['ok', 'error', 'fatal'], ['ok']];
    const env = { ...process.env, FAKE_PLAN: JSON.stringify(plan), FAKE_STATE: path.join(work, 'state') };
    const r = await runStress(openBuildDir(build), { threads: 2, rounds: 8, workDir: work, env });
    expect(r.counts).toEqual({ correct: 4, wrong: 1, error: 1, crash: 1, fatal: 1, hang: 0 });
    expect(r.failures.map((f) => [f.round, f.status])).toEqual([[3, 'wrong'], [4, 'crash'], [6, 'error'], [7, 'fatal']]);
    expect(r.processes).toBe(3);
    expect(r.reference).toMatchObject({ checksum: ref, pythonChecksum: ref });
  });
  it('kills a pymt that makes no progress and counts the round as a hang', async () => {
    const build = makeFakeBuild();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-stress-'));
    dirs.push(build, work);
    const env = { ...process.env, FAKE_PLAN: JSON.stringify([['ok', 'hang']]), FAKE_STATE: path.join(work, 'state') };
    const r = await runStress(openBuildDir(build), { threads: 2, rounds: 3, workDir: work, env, idleTimeoutMs: 1500 });
    expect(r.counts).toMatchObject({ correct: 2, hang: 1 });
    expect(r.failures).toEqual([{ round: 2, status: 'hang', detail: 'no progress within the time limit; pymt killed' }]);
  });
});

describe('stressWorkload', () => {
  it('is Python 2.4 (no with, no conditional expressions) and prints one checksum', () => {
    const src = stressWorkload(2);
    expect(src).toContain('SCALE = 2');
    expect(src).not.toMatch(/^\s*with\b|\bexcept \w+ as\b/m);
    expect(src.match(/PYMT-CHECKSUM/g)).toHaveLength(1);
  });
});
