// Atomic, byte-exact writes of a set of files.
//
// Text is latin1-decoded bytes (see SourceText), so it is encoded back with latin1: one code
// unit, one byte. Never utf8, which would turn a lone 0xE9 into two bytes.
//
// Every file is written to a temp file in its own directory, fsynced, then renamed over the
// original, so a reader sees either the old or the new file. The run has two phases: first
// every temp file is prepared; only when all are ready are they renamed. An exception or a
// signal (SIGINT, SIGTERM, SIGHUP) before the renames leaves the tree untouched; one during
// the renames leaves each file old or new. Temp files are removed in every case.
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface FileChange {
  /** Path relative to root, forward slashes. */
  path: string;
  /** New content as latin1-decoded bytes: every code unit must be <= 0xFF. */
  text: string;
}

/**
 * written: the file was replaced (in a dry run: would be);
 * nochange: its bytes are already identical, so it was not touched;
 * error: nothing was written to it; message says why.
 */
export type WriteOutcome = 'written' | 'nochange' | 'error';

export interface WriteResult {
  path: string;
  outcome: WriteOutcome;
  message?: string;
  /** Size of the new content in bytes. */
  bytes: number;
  /** True when the file did not exist before. */
  created: boolean;
}

export type WriteStep = 'prepared' | 'renamed';

export interface WriteOptions {
  /** Check everything a real run would check (read-only files, encodings), write nothing. */
  dryRun: boolean;
  /**
   * Commit the files that could be prepared even when others failed. Off by default: a half
   * rewritten tree does not compile, so one failure means no file is changed.
   */
  partial?: boolean;
  /** fsync temp files and directories (default true). Tests on tmpfs may turn it off. */
  fsync?: boolean;
  /** Called after each step of each file: progress reporting, and a way for tests to crash mid-run. */
  onStep?: (step: WriteStep, relPath: string) => void | Promise<void>;
}

/** Thrown when a signal arrived during the run; the results so far are attached. */
export class WriteInterruptedError extends Error {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly results: WriteResult[],
  ) {
    const written = results.filter((r) => r.outcome === 'written').length;
    super(`interrupted by ${signal}: ${written} of ${results.length} files replaced, the rest left as they were`);
    this.name = 'WriteInterruptedError';
  }
}

interface Pending {
  index: number;
  /** Absolute path of the file that is replaced (symlinks resolved). */
  target: string;
  temp?: string;
  data: Buffer;
}

interface Planned {
  index: number;
  target: string;
  data: Buffer;
  /** Mode and owner of the file being replaced; undefined for a new file. */
  mode?: number;
  owner?: { uid: number; gid: number };
  dirExists: boolean;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** Temp files written at once: enough to overlap fsyncs, few enough to stay polite. */
const TEMP_WRITERS = 8;

export async function writeFilesAtomic(
  root: string,
  changes: readonly FileChange[],
  opts: WriteOptions,
): Promise<WriteResult[]> {
  const doSync = opts.fsync ?? true;
  // Every result starts as 'error' so that a run stopped half-way never reports a file as
  // written that was not; each step below overwrites it.
  const results: WriteResult[] = changes.map((c) => ({
    path: c.path,
    outcome: 'error',
    message: `${c.path}: not written: the run stopped before this file`,
    bytes: 0,
    created: false,
  }));
  const pending: Pending[] = [];
  const temps = new Set<string>();

  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const checkpoint = () => {
    if (interrupted) throw new WriteInterruptedError(interrupted, results);
  };

  try {
    // Phase 1a: check every file, in order (so "listed twice" blames the second listing).
    const seen = new Set<string>();
    const planned: Planned[] = [];
    for (let i = 0; i < changes.length; i++) {
      checkpoint();
      try {
        const p = await check(root, changes[i], seen, results[i]);
        if (p) planned.push({ ...p, index: i });
      } catch (err) {
        setOutcome(results[i], 'error', errorMessage(changes[i].path, err));
      }
    }

    // Phase 1b: write and fsync the temp files, a few at a time (fsyncs overlap well);
    // nothing visible changes yet.
    const plannedIdx = new Set(planned.map((p) => p.index));
    const doomed = !opts.partial && results.some((r, i) => r.outcome === 'error' && !plannedIdx.has(i));
    if (opts.dryRun || doomed) {
      // Nothing to write: a dry run, or a failure that means no file is changed anyway.
      for (const p of planned) pending.push({ index: p.index, target: p.target, data: p.data });
    } else {
      let next = 0;
      let abort: { err: unknown } | undefined;
      const worker = async () => {
        while (!abort && !interrupted && next < planned.length) {
          const p = planned[next++];
          try {
            pending.push({ index: p.index, target: p.target, data: p.data, temp: await writeTemp(p, doSync, temps) });
          } catch (err) {
            setOutcome(results[p.index], 'error', errorMessage(changes[p.index].path, err));
            continue;
          }
          try {
            // An exception from the hook aborts the run; it is no file's error.
            await opts.onStep?.('prepared', changes[p.index].path);
          } catch (err) {
            abort ??= { err };
          }
        }
      };
      // Every worker has stopped before this returns, so no temp file appears after cleanup.
      await Promise.all(Array.from({ length: Math.min(TEMP_WRITERS, planned.length) }, worker));
      if (abort) throw abort.err;
      checkpoint();
      pending.sort((a, b) => a.index - b.index);
    }

    const ready = new Set(pending.map((p) => p.index));
    const failed = results.filter((r, i) => r.outcome === 'error' && !ready.has(i));
    if (failed.length > 0 && !opts.partial) {
      for (const p of pending) {
        setOutcome(
          results[p.index],
          'error',
          `${changes[p.index].path}: not written, because ${failed.length} other file(s) failed ` +
            `(first: ${failed[0].path}) and then no file is changed`,
        );
      }
      pending.length = 0;
    }
    if (opts.dryRun) {
      for (const p of pending) setOutcome(results[p.index], 'written');
      checkpoint();
      return results;
    }

    // Phase 2: rename every prepared temp file over its target.
    const dirs = new Set<string>();
    for (const p of pending) {
      checkpoint();
      try {
        await fsp.rename(p.temp!, p.target);
        temps.delete(p.temp!);
        setOutcome(results[p.index], 'written');
        dirs.add(path.dirname(p.target));
      } catch (err) {
        setOutcome(results[p.index], 'error', errorMessage(changes[p.index].path, err));
        continue;
      }
      await opts.onStep?.('renamed', changes[p.index].path);
    }
    // The renames themselves are durable only once their directories are synced.
    if (doSync) for (const d of dirs) await syncDir(d);
    // A signal that came during the last step is still reported, not swallowed.
    checkpoint();
    return results;
  } finally {
    for (const t of temps) await fsp.rm(t, { force: true }).catch(() => undefined);
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}

/** Everything short of writing: encoding, permissions, and whether the bytes change at all. */
async function check(
  root: string,
  change: FileChange,
  seen: Set<string>,
  result: WriteResult,
): Promise<Omit<Planned, 'index'> | undefined> {
  const rel = change.path;
  if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) {
    throw new Error(`path must be relative to the root and stay inside it`);
  }
  const wide = /[^\x00-\xff]/.exec(change.text);
  if (wide) {
    const line = change.text.slice(0, wide.index).split('\n').length;
    throw new Error(
      `line ${line}: character U+${wide[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not a byte; ` +
        `text must be latin1-decoded bytes`,
    );
  }
  const data = Buffer.from(change.text, 'latin1');
  result.bytes = data.length;

  let target = path.resolve(root, rel);
  let mode: number | undefined;
  let owner: { uid: number; gid: number } | undefined;
  const st = await fsp.lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (st) {
    if (st.isSymbolicLink()) target = await fsp.realpath(target);
    const real = st.isSymbolicLink() ? await fsp.stat(target) : st;
    if (!real.isFile()) throw new Error(`not a regular file`);
    mode = real.mode & 0o7777;
    owner = { uid: real.uid, gid: real.gid };
    // Replacing by rename would bypass the file's own permissions (and root bypasses them all),
    // so a file that nobody may write is refused rather than silently replaced.
    if ((mode & 0o222) === 0) throw new Error(`read-only file (mode ${mode.toString(8).padStart(4, '0')})`);
    await fsp.access(target, fsc.W_OK);
  }
  if (seen.has(target)) throw new Error(`listed twice in one write (as ${target})`);
  seen.add(target);

  const dir = path.dirname(target);
  const dst = await fsp.stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && !st) return undefined; // a new file in a new directory
    throw err;
  });
  if (dst) {
    if (!dst.isDirectory()) throw new Error(`${path.relative(root, dir) || dir} is not a directory`);
    if ((dst.mode & 0o222) === 0) {
      throw new Error(`read-only directory ${path.relative(root, dir) || dir} (mode ${(dst.mode & 0o7777).toString(8).padStart(4, '0')})`);
    }
    await fsp.access(dir, fsc.W_OK);
  }

  if (st) {
    const old = await fsp.readFile(target);
    if (old.equals(data)) {
      setOutcome(result, 'nochange');
      return undefined;
    }
  } else {
    result.created = true;
  }
  return { target, data, mode, owner, dirExists: dst !== undefined };
}

async function writeTemp(p: Planned, doSync: boolean, temps: Set<string>): Promise<string> {
  const dir = path.dirname(p.target);
  if (!p.dirExists) await fsp.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(p.target)}.pyglobal-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  // Registered before it exists, so a failure half-way through still removes it.
  temps.add(temp);
  const fh = await fsp.open(temp, 'wx', p.mode ?? 0o666);
  try {
    await fh.writeFile(p.data);
    if (p.mode !== undefined) {
      // open() applied the umask; the replacement keeps exactly the original mode and owner.
      await fh.chmod(p.mode);
      if (p.owner && process.getuid?.() === 0) await fh.chown(p.owner.uid, p.owner.gid).catch(() => undefined);
    }
    if (doSync) await fh.sync();
  } finally {
    await fh.close();
  }
  return temp;
}

function setOutcome(r: WriteResult, outcome: WriteOutcome, message?: string): void {
  r.outcome = outcome;
  if (message === undefined) delete r.message;
  else r.message = message;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

function errorMessage(rel: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const what: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on device',
      ENOTDIR: 'a parent of this path is not a directory',
      EISDIR: 'is a directory',
      EDQUOT: 'disk quota exceeded',
    };
    return `${rel}: ${what[e.code] ?? e.message} (${e.code})`;
  }
  return `${rel}: ${e?.message ?? String(err)}`;
}
