// Part (a): the regression suite in one interpreter, as a user runs it:
// ./python -E -tt Lib/test/regrtest.py in the build directory. stdout and stderr share one
// file, so regrtest's lines keep their order; the file is polled for progress.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BuildDir } from './builddir.ts';
import { parseRegrtestOutput, type RegrtestResult } from './regrtest-output.ts';
import { hideThreadRegrtestArgs } from './thread-tests.ts';

export interface SuiteRun {
  command: string[];
  cwd: string;
  outputFile: string;
  seconds: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  result: RegrtestResult;
}

export interface RunRegrtestOptions {
  /** Where the combined output goes (kept for the user). */
  outputFile: string;
  /** Only these tests (default: all, as regrtest finds them). */
  tests?: string[];
  /** With the whole suite: leave these out (regrtest -x). */
  exclude?: string[];
  /** Run with the thread module hidden (rules/thread-tests.json, mode hide-thread); needs tests. */
  hideThread?: boolean;
  /** Called when regrtest prints the name of the test it starts. */
  onTest?: (test: string, started: number) => void;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** New complete lines appended to a file since the last call. */
export function lineTailer(file: string): () => string[] {
  let offset = 0;
  let partial = '';
  return () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return [];
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= offset) return [];
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const text = partial + buf.toString('latin1');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      return lines;
    } finally {
      fs.closeSync(fd);
    }
  };
}

/** Runs a command with stdout and stderr into one file; polls it with onPoll every second. */
export function runToFile(
  cmd: string,
  args: string[],
  opts: { cwd: string; outputFile: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; onPoll?: () => void },
): Promise<{ exitCode: number | null; signal: string | null; timedOut: boolean; seconds: number }> {
  const t0 = Date.now();
  fs.mkdirSync(path.dirname(opts.outputFile), { recursive: true });
  const fd = fs.openSync(opts.outputFile, 'w');
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const poll = opts.onPoll ? setInterval(opts.onPoll, 1000) : undefined;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (e) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      opts.onPoll?.();
      resolve({ exitCode: code, signal, timedOut, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

export async function runRegrtest(b: BuildDir, opts: RunRegrtestOptions): Promise<SuiteRun> {
  const args = opts.hideThread
    ? hideThreadRegrtestArgs(opts.tests ?? [])
    : ['-E', '-tt', 'Lib/test/regrtest.py', ...(opts.tests ?? (opts.exclude?.length ? ['-x', ...opts.exclude] : []))];
  const tail = lineTailer(opts.outputFile);
  let started = 0;
  const r = await runToFile(b.python, args, {
    cwd: b.dir,
    outputFile: opts.outputFile,
    env: opts.env,
    timeoutMs: opts.timeoutMs,
    onPoll: () => {
      for (const line of tail()) {
        if (/^test_[A-Za-z0-9_]+$/.test(line)) opts.onTest?.(line, ++started);
      }
    },
  });
  const text = fs.readFileSync(opts.outputFile, 'latin1');
  return {
    command: ['./python', ...args],
    cwd: b.dir,
    outputFile: opts.outputFile,
    seconds: r.seconds,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    result: parseRegrtestOutput(text),
  };
}
