// What scan, apply and check work on: a CPython tree (./tree.ts) or a folder of extension
// sources built against a rewritten tree (./extension/). Each kind has its own module; this one
// only tells them apart and gives the stages one view of the files.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import { listSources, openTree, type Tree } from './tree.ts';
import { extensionFile, openExtension, type ExtensionFolder } from './extension.ts';
import type { Profile } from '../profile.ts';

export type Target = Tree | ExtensionFolder;

export function isExtension(t: Target): t is ExtensionFolder {
  return (t as ExtensionFolder).kind === 'extension';
}

/** The version profile a target is read with: an extension folder's is its tree's. */
export function profileOf(t: Target): Profile {
  return isExtension(t) ? t.python.profile : t.profile;
}

export interface TargetFiles {
  /** Every file scanned: the target's own, then read-only context. */
  all: string[];
  /** The files findings and edits may touch. */
  own: string[];
  /** Read-only files scanned for their declarations only (the tree's headers). */
  context: string[];
  /** The absolute path of a file of the target. */
  abs(rel: string): string;
}

export function targetFiles(t: Target, opts: { platforms?: boolean } = {}): TargetFiles {
  if (isExtension(t)) return { all: [...t.own, ...t.context], own: t.own, context: t.context, abs: (rel) => extensionFile(t, rel) };
  const all = listSources(t, opts);
  return { all, own: all, context: [], abs: (rel) => path.join(t.root, rel) };
}

/**
 * `src` alone: a CPython tree. `src` with `python`: an extension folder built against that
 * rewritten tree. A folder that is not a tree without `--python` gets a message that says so.
 */
export function openTarget(src: string | undefined, opts: { python?: string; unit?: boolean } = {}): Target {
  if (opts.python === undefined) {
    const root = src === undefined ? undefined : path.resolve(src);
    if (root && fs.existsSync(root) && fs.statSync(root).isDirectory() && !fs.existsSync(path.join(root, 'Include/patchlevel.h'))) {
      throw new UsageError(
        `${root}: not a CPython source tree (Include/patchlevel.h is missing)`,
        'Point pyglobal at the top of a CPython 2.x checkout; for a folder of extension sources, add --python <a tree rewritten by pyglobal apply>.',
      );
    }
    return openTree(src);
  }
  if (src === undefined) throw new UsageError('--python needs the extension folder as the first argument');
  if (fs.existsSync(path.join(path.resolve(src), 'Include/patchlevel.h'))) {
    throw new UsageError(`${path.resolve(src)}: this is a CPython tree; --python is for a folder of extension sources`);
  }
  return openExtension(src, opts.python, { unit: opts.unit });
}
