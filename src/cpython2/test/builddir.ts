// Recognises a built tree for `pyglobal test`: one written by `pyglobal build` (its
// pyglobal-build.json names the variant), or any configured and built 2.4 tree (./python and
// a Makefile). Knows where python, pymt and the regression tests are.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import { openTree } from '../target/tree.ts';
import type { Profile } from '../profile.ts';

export type BuildVariant = 'tls' | 'stock' | 'unknown';

export interface BuildDir {
  dir: string;
  /** From pyglobal-build.json; 'unknown' for a tree built some other way. */
  variant: BuildVariant;
  python: string;
  /** The multi-interpreter driver, when the build has one (pyglobal build --variant tls). */
  pymt: string | null;
  /** How the variant was decided, for the report. */
  source: 'pyglobal-build.json' | 'python+Makefile';
  /** WITH_THREAD in pyconfig.h (the tls variant is built without threads). */
  threads: boolean | null;
  /** thread: built with -fsanitize=thread (pyglobal build --sanitize thread, or the Makefile's
   *  flags for a tree built some other way); null: no sanitizer. */
  sanitize: 'thread' | null;
  /** The version profile of the built tree (its Include/patchlevel.h): which test lists apply. */
  profile: Profile;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function openBuildDir(dirArg: string | undefined): BuildDir {
  if (!dirArg) throw new UsageError('name a build directory (the --out of pyglobal build)');
  const dir = path.resolve(dirArg);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`${dir}: no such directory`);
  const python = path.join(dir, 'python');
  const summaryFile = path.join(dir, 'pyglobal-build.json');
  let variant: BuildVariant = 'unknown';
  let summarySanitize: BuildDir['sanitize'] | undefined;
  let source: BuildDir['source'] = 'python+Makefile';
  if (fs.existsSync(summaryFile)) {
    let s: { variant?: unknown; status?: unknown; sanitize?: unknown };
    try {
      s = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    } catch (e) {
      throw new UsageError(`${summaryFile}: not valid JSON: ${(e as Error).message}`);
    }
    if (s.variant !== 'tls' && s.variant !== 'stock')
      throw new UsageError(`${summaryFile}: "variant" is ${JSON.stringify(s.variant)}, expected "tls" or "stock"`);
    if (s.status !== undefined && s.status !== 'ok')
      throw new UsageError(
        `${summaryFile}: this build did not finish (status ${JSON.stringify(s.status)})`,
        'Look at pyglobal-build.log beside it, fix the build, then test.',
      );
    variant = s.variant;
    source = 'pyglobal-build.json';
    if (s.sanitize !== undefined && s.sanitize !== null && s.sanitize !== 'thread')
      throw new UsageError(`${summaryFile}: "sanitize" is ${JSON.stringify(s.sanitize)}, expected "thread" or null`);
    summarySanitize = s.sanitize === 'thread' ? 'thread' : null;
  } else if (!fs.existsSync(path.join(dir, 'Makefile'))) {
    throw new UsageError(
      `${dir}: not a build directory (neither pyglobal-build.json nor a Makefile)`,
      'Point pyglobal test at the --out folder of pyglobal build, or at a tree where configure and make ran.',
    );
  }
  if (!isExecutable(python)) throw new UsageError(`${python}: missing or not executable; the build is incomplete`);
  if (!fs.existsSync(path.join(dir, 'Lib', 'test', 'regrtest.py')))
    throw new UsageError(`${dir}/Lib/test/regrtest.py: missing; the regression suite is needed`);
  const pymt = path.join(dir, 'pymt');
  let threads: boolean | null = null;
  try {
    threads = /^#define WITH_THREAD 1\b/m.test(fs.readFileSync(path.join(dir, 'pyconfig.h'), 'latin1'));
  } catch {
    threads = null;
  }
  // A summary says it; a build made some other way shows it in the Makefile's compile flags.
  let sanitize: BuildDir['sanitize'] = summarySanitize ?? null;
  if (summarySanitize === undefined) {
    try {
      const mk = fs.readFileSync(path.join(dir, 'Makefile'), 'latin1');
      if (/^(?:BASECFLAGS|OPT|CFLAGS)=.*-fsanitize=thread\b/m.test(mk)) sanitize = 'thread';
    } catch {
      sanitize = null;
    }
  }
  // A build is a configured copy of its tree: the tree's own version says which rules hold.
  const profile = openTree(dir).profile;
  return { dir, variant, python, pymt: isExecutable(pymt) ? pymt : null, source, threads, sanitize, profile };
}

/** The error for parts that need pymt when the build has none (exit 2). */
export function missingPymt(b: BuildDir, part: string): UsageError {
  return new UsageError(
    `${b.dir}/pymt: missing, so ${part} cannot run (it needs N interpreters in one process)`,
    b.variant === 'tls'
      ? 'Rebuild with pyglobal build --variant tls: it links src/c/pymt.c next to ./python.'
      : 'pymt is built by pyglobal build --variant tls on a tree rewritten by pyglobal apply. Part (a) needs only ./python: --parts a.',
  );
}
