// Runs one build command with stdout and stderr merged into a single pipe, so the log keeps the
// order in which make, gcc and setup.py printed (distutils flushes its own lines before each
// spawn). Raw bytes go to the log; lines (decoded as latin1, one byte per unit) go to a callback.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface LogFile {
  path: string;
  fd: number;
}

export function openLog(path: string): LogFile {
  return { path, fd: fs.openSync(path, 'a') };
}

export function writeLog(log: LogFile, text: string | Buffer): void {
  if (typeof text === 'string') fs.writeSync(log.fd, text);
  else fs.writeSync(log.fd, text);
}

export function closeLog(log: LogFile): void {
  fs.closeSync(log.fd);
}

/** The last `n` lines of the log, for error messages. */
export function logTail(path: string, n: number): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n);
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: LogFile;
  onLine?: (line: string) => void;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function runLogged(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  writeLog(opts.log, `$ ${[cmd, ...args].map(shellQuote).join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'exec "$@" 2>&1', 'sh', cmd, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    const onData = (chunk: Buffer) => {
      writeLog(opts.log, chunk);
      if (!opts.onLine) return;
      const text = partial + chunk.toString('latin1');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onLine(l.replace(/\r$/, ''));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (partial && opts.onLine) opts.onLine(partial);
      if (partial) writeLog(opts.log, '\n');
      resolve({ code, signal });
    });
  });
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Absolute path of a program on PATH, or undefined. */
export async function which(prog: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', 'command -v "$1"', 'sh', prog], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 && out.trim() ? out.trim() : undefined));
  });
}

/** Runs a short command to completion and returns its exit code and output. */
export async function capture(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const withInput = opts.input !== undefined;
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [withInput ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (withInput) {
      // A child that exits without reading its input must not crash us with EPIPE.
      child.stdin!.on('error', () => {});
      child.stdin!.end(opts.input);
    }
  });
}
