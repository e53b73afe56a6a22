// Temp files that a killed writer left behind.
//
// writeFilesAtomic (write.ts) prepares every file as `.NAME.pyglobal-PID-HASH.tmp` next to its
// target and removes what it has not renamed, even on SIGINT/SIGTERM/SIGHUP. A SIGKILL, a
// crash of the machine or an OOM kill leaves them, and nothing else ever would. The targets are
// never torn (each is old or new), so the temp files are pure litter: a later run removes those
// whose writer is gone. A temp file whose PID is a running process is never touched: it may be
// another run writing the same tree right now.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';

/** The name writeTemp gives a temp file: `.` + target name + `.pyglobal-` + PID + `-` + 8 hex + `.tmp`. */
export const TEMP_NAME = /^\.(.+)\.pyglobal-([1-9][0-9]{0,9})-([0-9a-f]{8})\.tmp$/;
/** The glob that finds candidates cheaply; TEMP_NAME then decides. */
const TEMP_GLOB = '**/.*.pyglobal-*-*.tmp';
const IGNORE = ['**/node_modules/**', '**/.git/**'];

export interface TempFile {
  /** Relative to the root, forward slashes. */
  path: string;
  /** The process that wrote it. */
  pid: number;
}

export interface TempScan {
  /** Temp files whose writer is no longer running: safe to remove. */
  stale: TempFile[];
  /** Temp files of a running process (another run, or this one): never removed. */
  live: TempFile[];
}

export interface TempSweep extends TempScan {
  /** The stale files this sweep removed. */
  removed: TempFile[];
  /** Stale files that could not be removed, with the reason. */
  failed: (TempFile & { message: string })[];
}

/** The PID a temp file name carries, or undefined when the name is not one of ours. */
export function tempFilePid(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  if (!m) return undefined;
  const pid = Number(m[2]);
  return pid > 0 && pid <= 0x7fffffff ? pid : undefined;
}

/**
 * Whether a process with this PID exists. EPERM means it exists but belongs to another user,
 * so only ESRCH counts as gone. This process is always running.
 */
export function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Every pyglobal temp file under root (node_modules and .git skipped), split into stale and live. */
export async function findStaleTemps(
  root: string,
  opts: { isRunning?: (pid: number) => boolean } = {},
): Promise<TempScan> {
  const running = opts.isRunning ?? isRunning;
  const names = await fg(TEMP_GLOB, {
    cwd: root,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    ignore: IGNORE,
    suppressErrors: true,
  });
  const alive = new Map<number, boolean>();
  const out: TempScan = { stale: [], live: [] };
  for (const rel of names.sort()) {
    const pid = tempFilePid(path.posix.basename(rel));
    if (pid === undefined) continue;
    let a = alive.get(pid);
    if (a === undefined) alive.set(pid, (a = running(pid)));
    (a ? out.live : out.stale).push({ path: rel, pid });
  }
  return out;
}

/** Removes the stale temp files under root; live ones stay. Never throws for one file. */
export async function removeStaleTemps(
  root: string,
  opts: { isRunning?: (pid: number) => boolean } = {},
): Promise<TempSweep> {
  const scan = await findStaleTemps(root, opts);
  const sweep: TempSweep = { ...scan, removed: [], failed: [] };
  for (const t of scan.stale) {
    try {
      await fsp.unlink(path.join(root, t.path));
      sweep.removed.push(t);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') continue; // someone else swept it first
      sweep.failed.push({ ...t, message: `${t.path}: ${e.message}` });
    }
  }
  return sweep;
}

/**
 * One line per writer, for the log: what was removed (or, in a dry run, would be), what was
 * kept because its writer still runs, and what could not be removed.
 */
export function describeTemps(scan: TempScan & Partial<Pick<TempSweep, 'removed' | 'failed'>>, opts: { dryRun: boolean }): string[] {
  const lines: string[] = [];
  const files = (n: number) => (n === 1 ? 'file' : 'files');
  const byPid = (list: TempFile[]) => {
    const m = new Map<number, number>();
    for (const t of list) m.set(t.pid, (m.get(t.pid) ?? 0) + 1);
    return [...m];
  };
  if (opts.dryRun) {
    for (const [pid, n] of byPid(scan.stale)) {
      lines.push(`found ${n} stale temp ${files(n)} left by pyglobal process ${pid} (no longer running); a dry run leaves them, the next apply removes them`);
    }
  } else {
    for (const [pid, n] of byPid(scan.removed ?? [])) {
      lines.push(`removed ${n} stale temp ${files(n)} left by pyglobal process ${pid} (no longer running)`);
    }
    for (const f of scan.failed ?? []) lines.push(`could not remove stale temp file ${f.message}`);
  }
  for (const [pid, n] of byPid(scan.live)) {
    lines.push(`kept ${n} temp ${files(n)} of pyglobal process ${pid}, which is still running (is another apply writing this tree?)`);
  }
  return lines;
}
