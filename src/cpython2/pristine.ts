// Is this the pristine release, a modified copy, or a tree we have no manifest for? The
// profile's manifests (rules/cpython-2.4/cpython-2.4.6.sha256.json) pin the SHA-256 of the files pyglobal reads.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rulePath } from './profile.ts';
import type { Tree } from './target/tree.ts';

export interface PristineStatus {
  /** A manifest exists for this version. */
  known: boolean;
  pristine: boolean;
  /** Files whose bytes differ from the release, and release files that are absent. */
  changed: string[];
  missing: string[];
}

export function pristineStatus(tree: Tree): PristineStatus {
  const file = tree.profile.manifests[tree.version];
  if (!file) return { known: false, pristine: false, changed: [], missing: [] };
  const manifest: { files: Record<string, string> } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [rel, sum] of Object.entries(manifest.files)) {
    const p = path.join(tree.root, rel);
    if (!fs.existsSync(p)) {
      missing.push(rel);
      continue;
    }
    if (crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex') !== sum) changed.push(rel);
  }
  return { known: true, pristine: changed.length === 0 && missing.length === 0, changed, missing };
}

export function describeTree(tree: Tree, s: PristineStatus): string {
  if (tree.fixture) return `${tree.root}: the bundled fixture (${tree.version})`;
  if (!s.known) return `${tree.root}: CPython ${tree.version} (no manifest for this version in ${rulePath(path.dirname(tree.profile.file))}/)`;
  if (s.pristine) return `${tree.root}: pristine CPython ${tree.version}`;
  const rewritten = fs.existsSync(path.join(tree.root, 'Include/pyglobal.h')) ? ', rewritten by pyglobal apply' : '';
  return `${tree.root}: CPython ${tree.version}, ${s.changed.length} files changed and ${s.missing.length} missing since the release${rewritten}`;
}
