// The build copies <src> into --out and builds there, so <src> is never touched. --force may
// only empty a folder that an earlier `pyglobal build` wrote, so a typo cannot wipe a home folder.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../engine/errors.ts';

export const logName = 'pyglobal-build.log';
export const summaryName = 'pyglobal-build.json';

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    // Not there yet: resolve the nearest existing parent so symlinked parents still compare right.
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realOrResolved(parent), path.basename(p));
  }
}

/** Checks --out against <src> and its current content; throws UsageError, changes nothing. */
export function checkOutDir(out: string, src: string, force: boolean): { existing: boolean } {
  const o = realOrResolved(out);
  const s = realOrResolved(src);
  if (isInside(o, s)) {
    throw new UsageError(
      `--out ${out} is inside the source tree ${src}`,
      'The build copies <src> into --out; choose a folder outside <src>, e.g. a sibling folder.',
    );
  }
  if (isInside(s, o)) {
    throw new UsageError(`--out ${out} contains the source tree ${src}; choose another folder`);
  }
  if (!fs.existsSync(out)) return { existing: false };
  if (!fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory`);
  const entries = fs.readdirSync(out);
  if (entries.length === 0) return { existing: true };
  if (!force) {
    throw new UsageError(
      `--out ${out} exists and is not empty`,
      'Pass --force to replace an earlier pyglobal build there, or choose a new folder.',
    );
  }
  if (!entries.includes(logName) && !entries.includes(summaryName)) {
    throw new UsageError(
      `--out ${out} is not empty and holds no ${logName}: it is not an earlier pyglobal build, so --force will not empty it`,
      'Remove or empty the folder yourself if you really mean to build there.',
    );
  }
  return { existing: true };
}

/** Empties an earlier build folder (checked by checkOutDir) or creates a fresh one. */
export function prepareOutDir(out: string): void {
  if (fs.existsSync(out)) {
    for (const e of fs.readdirSync(out)) fs.rmSync(path.join(out, e), { recursive: true, force: true });
  } else {
    fs.mkdirSync(out, { recursive: true });
  }
}
