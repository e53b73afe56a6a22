// The process-wide queues under the interpqueue module, from several threads at once with no
// Python (test/c/queue_harness.c): exact item counts with several producers and consumers,
// timeouts, close waking waiters, handles and names. Plain, under ThreadSanitizer (silent),
// and the negative twin whose put takes no lock (ThreadSanitizer must report it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cpython2/target/tree.ts';
import { hasTsan } from '../e2e/has-tsan.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-queue-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const sources = [path.join(projectRoot, 'test/c/queue_harness.c'), path.join(projectRoot, 'src/c/pyglobal_queue.c')];

function build(name: string, flags: string[]): string {
  const exe = path.join(dir, name);
  const r = spawnSync('gcc', ['-std=gnu99', '-Wall', '-Werror', '-pthread', '-DPGQ_STANDALONE', `-I${path.join(projectRoot, 'src/c')}`, ...flags, ...sources, '-o', exe], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return exe;
}
function run(exe: string, args: string[], timeout = 60_000) {
  const r = spawnSync(exe, args, { encoding: 'utf8', timeout, env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=0 exitcode=66' } });
  return { ...r, races: (r.stderr.match(/WARNING: ThreadSanitizer/g) ?? []).length };
}

describe('process-wide queues, from C threads', () => {
  it('every item arrives exactly once; timeouts, close and handles behave', () => {
    const r = run(build('harness', ['-O2', '-g']), ['4', '4', '5000']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('many-to-many: 4 producers, 4 consumers, 20000 items, each exactly once');
    expect(r.stdout).toContain('timeouts and close: ok');
    expect(r.stdout).toContain('names, handles, types: ok');
  });

  it.runIf(hasTsan)('ThreadSanitizer reports nothing', () => {
    const r = run(build('harness-tsan', ['-O1', '-g', '-fsanitize=thread']), ['3', '3', '2000']);
    expect(r.races, r.stderr.slice(0, 4000)).toBe(0);
    expect(r.status, r.stdout).toBe(0);
  });

  it.runIf(hasTsan)('ThreadSanitizer reports the twin whose put takes no lock', () => {
    // The broken queue may also lose wake-ups and hang: the run is cut short, the reports stay.
    const r = run(build('harness-racy', ['-O1', '-g', '-fsanitize=thread', '-DPYGLOBAL_QUEUE_TEST_UNLOCKED']), ['2', '2', '200'], 20_000);
    expect(r.races).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/PyGlobals_QueuePutItem .*pyglobal_queue\.c:\d+/);
  }, 30_000);
});
