// Recognises a CPython 2.x source tree (or the bundled fixture that mimics its layout), picks
// its version profile from PY_VERSION, and names the files each command works on. Knows
// CPython's layout; the engine does not.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '../../engine/errors.ts';
import { knownProfiles, profileFile, profileFor, projectRoot, type Profile } from '../profile.ts';

export { projectRoot };
export const defaultTree = path.join(projectRoot, 'fixtures/minipy');

export interface Tree {
  root: string;
  /** PY_VERSION from Include/patchlevel.h. */
  version: string;
  /** True for the bundled fixture, which mimics the layout but is not CPython. */
  fixture: boolean;
  /** The version profile (rules/cpython-X.Y/) that covers `version`. */
  profile: Profile;
}

/** The directories every command covers, and the ones only reported when asked. */
export const coreDirs = ['Include', 'Objects', 'Python', 'Parser', 'Modules'];
export const platformDirs = ['PC', 'Mac', 'RISCOS'];

/** Opens and validates a tree; throws UsageError (exit 2) for a tree no profile covers. */
export function openTree(src: string | undefined): Tree {
  const root = path.resolve(src ?? defaultTree);
  if (!fs.existsSync(root)) throw new UsageError(`${root}: no such directory`);
  if (!fs.statSync(root).isDirectory()) throw new UsageError(`${root}: not a directory`);
  const patch = path.join(root, 'Include/patchlevel.h');
  if (!fs.existsSync(patch)) {
    throw new UsageError(
      `${root}: not a CPython source tree (Include/patchlevel.h is missing)`,
      'Point pyglobal at the top of a CPython 2.x checkout, the folder that holds configure and Include/.',
    );
  }
  let text: string;
  try {
    text = fs.readFileSync(patch, 'latin1');
  } catch (e) {
    throw new UsageError(`${patch}:1: cannot read: ${(e as Error).message}`);
  }
  const m = /#\s*define\s+PY_VERSION\s+"([^"]+)"/.exec(text);
  if (!m) throw new UsageError(`${patch}:1: no PY_VERSION define; not a CPython tree`);
  const version = m[1];
  const profile = profileFor(version);
  if (!profile) {
    const line = text.slice(0, m.index).split('\n').length;
    const known = knownProfiles().map((p) => `${p.id.replace(/^cpython-/, '')}.x (rules/${p.id})`);
    throw new UsageError(
      `${patch}:${line}: this tree is CPython ${version}; pyglobal has profiles for ${known.join(', ')} only`,
      'A profile (rules/cpython-X.Y/profile.json) holds what is true of one version: its macros, reviewed globals, hooks and core files. Another version needs its own.',
    );
  }
  return { root, version, fixture: /minipy/.test(version), profile };
}

/** All C sources and headers under the given top-level directories, sorted, relative paths. */
export function listSources(tree: Tree, opts: { platforms?: boolean } = {}): string[] {
  const dirs = [...coreDirs, ...(opts.platforms ? platformDirs : [])];
  const patterns = dirs.flatMap((d) => [`${d}/**/*.c`, `${d}/**/*.h`, `${d}/**/*.c.in`]);
  // Not onlyFiles: a dangling symlink must surface as an unreadable file, never vanish silently.
  const found = fg
    .sync(patterns, { cwd: tree.root, onlyFiles: false, markDirectories: true, dot: false, followSymbolicLinks: false })
    .filter((p) => !p.endsWith('/'));
  // A platform's own core files (the profile's platform-sources.json) are covered whatever the platform.
  const extra = platformCoreFiles(tree.profile).filter((f) => fs.existsSync(path.join(tree.root, f)));
  return [...new Set([...found, ...extra])].sort();
}

const platformFiles = new Map<Profile, string[]>();
/** The profile's platform-sources.json: files outside the core directories that a platform compiles into the core. */
export function platformCoreFiles(profile: Profile): string[] {
  const cached = platformFiles.get(profile);
  if (cached) return cached;
  const file = profileFile(profile, 'platform-sources.json');
  let doc: { platforms?: { name?: string; files?: unknown; reason?: string }[] };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}:1: cannot load: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc.platforms)) throw new UsageError(`${file}:1: field "platforms" must be a list`);
  const files = doc.platforms.flatMap((p, i) => {
    if (!p.name || !Array.isArray(p.files) || !p.files.every((f) => typeof f === 'string') || !p.reason || p.reason.length < 10) {
      throw new UsageError(`${file}: platforms[${i}] needs a name, a list of files and a reason`);
    }
    return p.files as string[];
  });
  platformFiles.set(profile, files);
  return files;
}
