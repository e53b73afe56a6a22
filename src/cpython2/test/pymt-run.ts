// Runs pymt as a child process and reads its JSON Lines. A child, because the point is to
// count crashes: a segfault or a Py_FatalError abort kills pymt, not the harness. pymt writes
// which interpreter and round a fatal signal hit on stderr; that line, the exit signal and
// any "Fatal Python error" text are parsed here into plain data.
import { spawn } from 'node:child_process';

export interface PymtInterpRecord {
  type: 'interp';
  round: number;
  interp: number;
  ok: boolean;
  exit: number;
  seconds: number;
  reason: string;
  output?: string;
  outputFile?: string;
}
export interface PymtRoundRecord {
  type: 'round';
  round: number;
  rssKb: number;
  peakRssKb: number;
}
export interface PymtSummaryRecord {
  type: 'summary';
  interpreters: number;
  rounds: number;
  failed: number;
  failedRounds: number;
  seconds: number;
  rssKb: number;
  peakRssKb: number;
  modelTriangles: number;
  pyglobal: string | null;
}
export type PymtRecord = PymtInterpRecord | PymtRoundRecord | PymtSummaryRecord;

/** A fatal signal as pymt reported it before dying. */
export interface PymtDeath {
  interp: number | null;
  round: number;
  signal: number;
  name: string;
}

export interface PymtRun {
  records: PymtRecord[];
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  /** The signal that ended pymt (e.g. SIGSEGV), or null. */
  signal: string | null;
  deaths: PymtDeath[];
  /** "Fatal Python error: ..." lines on stderr. */
  fatalErrors: string[];
  /** Killed by the harness: no progress within the idle limit, or over the total limit. */
  timedOut: boolean;
  stderr: string;
  seconds: number;
  /** Lines of stdout that were not JSON records (there should be none with --json). */
  strayStdout: string[];
}

const deathLine = /^pymt: interpreter (\d+|\(none: main thread\)) round (\d+): killed by signal (\d+) \((\w+)\)$/;

export function parsePymtStderr(stderr: string): { deaths: PymtDeath[]; fatalErrors: string[] } {
  const deaths: PymtDeath[] = [];
  const fatalErrors: string[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    const m = deathLine.exec(line);
    if (m) {
      deaths.push({
        interp: /^\d+$/.test(m[1]) ? Number(m[1]) : null,
        round: Number(m[2]),
        signal: Number(m[3]),
        name: m[4],
      });
    }
    const f = line.indexOf('Fatal Python error:');
    if (f >= 0) fatalErrors.push(line.slice(f).trim());
  }
  return { deaths, fatalErrors };
}

/** Parses one stdout line; null for anything that is not a pymt record. */
export function parsePymtLine(line: string): PymtRecord | null {
  if (!line.startsWith('{')) return null;
  try {
    const r = JSON.parse(line) as PymtRecord;
    if (r && (r.type === 'interp' || r.type === 'round' || r.type === 'summary')) return r;
  } catch {
    // a line cut short by a crash
  }
  return null;
}

export interface RunPymtOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Kill pymt when no record arrived for this long (a hang); 0 = never. */
  idleTimeoutMs?: number;
  /** Kill pymt after this long in all; 0 = never. */
  totalTimeoutMs?: number;
  onRecord?: (r: PymtRecord) => void;
  onStderrLine?: (line: string) => void;
}

export function runPymt(pymt: string, args: string[], opts: RunPymtOptions): Promise<PymtRun> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(pymt, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const records: PymtRecord[] = [];
    const stray: string[] = [];
    let stderr = '';
    let outBuf = '';
    let errBuf = '';
    let timedOut = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    const armIdle = () => {
      if (!opts.idleTimeoutMs) return;
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(kill, opts.idleTimeoutMs);
    };
    const totalTimer = opts.totalTimeoutMs ? setTimeout(kill, opts.totalTimeoutMs) : undefined;
    armIdle();
    // pymt escapes every byte >= 0x80 as \u00XX, so the stream itself is ASCII.
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('latin1');
    const takeLine = (line: string) => {
      const r = parsePymtLine(line);
      if (r) {
        records.push(r);
        armIdle();
        opts.onRecord?.(r);
      } else if (line.trim()) {
        stray.push(line);
      }
    };
    child.stdout.on('data', (chunk: string) => {
      outBuf += chunk;
      let nl: number;
      while ((nl = outBuf.indexOf('\n')) >= 0) {
        takeLine(outBuf.slice(0, nl));
        outBuf = outBuf.slice(nl + 1);
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      errBuf += chunk;
      let nl: number;
      while ((nl = errBuf.indexOf('\n')) >= 0) {
        opts.onStderrLine?.(errBuf.slice(0, nl));
        errBuf = errBuf.slice(nl + 1);
      }
    });
    child.on('error', (e) => {
      if (idleTimer) clearTimeout(idleTimer);
      if (totalTimer) clearTimeout(totalTimer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (idleTimer) clearTimeout(idleTimer);
      if (totalTimer) clearTimeout(totalTimer);
      if (outBuf) takeLine(outBuf);
      const { deaths, fatalErrors } = parsePymtStderr(stderr);
      resolve({
        records,
        exitCode: code,
        signal,
        deaths,
        fatalErrors,
        timedOut,
        stderr,
        seconds: (Date.now() - t0) / 1000,
        strayStdout: stray,
      });
    });
  });
}

/** One line saying how a pymt process ended, for reports; rounds counted from roundOffset + 1. */
export function describeEnd(run: PymtRun, roundOffset = 0): string {
  if (run.timedOut) return 'killed by the harness (timeout: no progress)';
  if (run.signal) {
    const d = run.deaths[run.deaths.length - 1];
    const who = d && d.interp !== null ? ` in interpreter ${d.interp}, round ${d.round + roundOffset}` : '';
    const fatal = run.fatalErrors.length ? ` after "${run.fatalErrors[0]}"` : '';
    return `killed by ${run.signal}${who}${fatal}`;
  }
  return `exit code ${run.exitCode}`;
}
