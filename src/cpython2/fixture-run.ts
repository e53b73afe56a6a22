// The whole pipeline on a fixture tree that builds with its own Makefile (the bundled minipy):
// scan, apply into a copy, check, compile with PYGLOBAL = __thread, run N threads at once, and
// optionally the same under ThreadSanitizer, plus the unrewritten twin for contrast.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openTree } from './target/tree.ts';
import { scanOpened } from './scan.ts';
import { applyTree } from './apply.ts';
import { checkTree } from './check.ts';
import { UsageError } from '../engine/errors.ts';

export interface RunOutcome {
  command: string;
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** ThreadSanitizer reports in stderr. */
  races: number;
}

export interface FixtureResult {
  work: string;
  scan: Record<string, number>;
  apply: { moved: number; edits: number; files: number };
  checkErrors: number;
  rewritten: RunOutcome;
  stock?: RunOutcome;
  tsan?: RunOutcome;
  tsanStock?: RunOutcome;
}

export interface FixtureOptions {
  src?: string;
  work?: string;
  threads?: number;
  iterations?: number;
  /** Also build and run under -fsanitize=thread (rewritten, and the stock twin). */
  tsan?: boolean;
  /** Also run the unrewritten fixture's threads, which must fail. */
  stock?: boolean;
  onStep?: (msg: string) => void;
}

/** Unrewritten threads can corrupt shared state into an endless loop: they get a short leash. */
function run(cmd: string, args: string[], cwd?: string, timeoutMs = 300_000): RunOutcome {
  const r = spawnSync(cmd, args, { cwd, encoding: 'latin1', maxBuffer: 64 << 20, timeout: timeoutMs, env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=0 exitcode=66 history_size=7' } });
  const stderr = r.stderr ?? '';
  return {
    command: [cmd, ...args].join(' '),
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr,
    races: (stderr.match(/WARNING: ThreadSanitizer/g) ?? []).length,
  };
}

function make(tree: string, build: string, extra: string[]): void {
  const r = run('make', ['-s', '-C', tree, `BUILD=${build}`, ...extra, `${build}/threads`]);
  if (r.status !== 0) throw new UsageError(`make in ${tree} failed (exit ${r.status}):\n${(r.stderr || r.stdout).split('\n').slice(-20).join('\n')}`);
}

export async function runFixturePipeline(opts: FixtureOptions = {}): Promise<FixtureResult> {
  const tree = openTree(opts.src);
  if (!fs.existsSync(path.join(tree.root, 'Makefile')) || !fs.existsSync(path.join(tree.root, 'driver/threads.c'))) {
    throw new UsageError(`${tree.root}: the fixture pipeline needs a Makefile and driver/threads.c (the bundled fixtures/minipy has them)`);
  }
  const work = opts.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-demo-'));
  const threads = String(opts.threads ?? 4);
  const iterations = String(opts.iterations ?? 200);
  const step = opts.onStep ?? (() => {});

  step(`scan ${tree.root}`);
  const scan = scanOpened(tree);
  const rw = path.join(work, 'minipy-rewritten');
  step(`apply → ${rw}`);
  fs.rmSync(rw, { recursive: true, force: true });
  const applied = await applyTree(tree.root, { out: rw });
  if (applied.findings.some((f) => f.severity === 'error')) {
    throw new UsageError(`apply refused:\n${applied.findings.map((f) => `  ${f.file}:${f.line}:${f.column}: ${f.message}`).join('\n')}`);
  }
  step('check the rewritten tree');
  const checked = checkTree(rw);
  const checkErrors = checked.report.findings.filter((f) => f.severity === 'error').length;

  step(`compile with PYGLOBAL = __thread and run ${threads} threads`);
  const tlsBuild = path.join(work, 'build-tls');
  make(rw, tlsBuild, ['THREADS=1', 'CFLAGS=-O2 -g']);
  const result: FixtureResult = {
    work,
    scan: scan.totals,
    apply: { moved: applied.plan.moved.length, edits: applied.plan.edits, files: applied.files.filter((f) => f.outcome === 'written').length },
    checkErrors,
    rewritten: run(path.join(tlsBuild, 'threads'), [threads, iterations]),
  };
  if (opts.stock) {
    step(`the unrewritten fixture, ${threads} threads (shared globals)`);
    const stockBuild = path.join(work, 'build-stock');
    make(tree.root, stockBuild, ['CFLAGS=-O2 -g']);
    result.stock = run(path.join(stockBuild, 'threads'), [threads, iterations], undefined, 30_000);
  }
  if (opts.tsan) {
    step(`ThreadSanitizer: rewritten and unrewritten, ${threads} threads`);
    const tsanRw = path.join(work, 'build-tsan');
    make(rw, tsanRw, ['THREADS=1', 'CFLAGS=-O1 -g -fsanitize=thread']);
    result.tsan = run(path.join(tsanRw, 'threads'), [threads, iterations]);
    const tsanStock = path.join(work, 'build-tsan-stock');
    make(tree.root, tsanStock, ['CFLAGS=-O1 -g -fsanitize=thread']);
    result.tsanStock = run(path.join(tsanStock, 'threads'), [threads, iterations], undefined, 60_000);
  }
  return result;
}
