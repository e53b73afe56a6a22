// Recognises a CPython 2.4 source tree (or the bundled fixture that mimics its layout)
// and names the files each command works on. Knows CPython's layout; the engine does not.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { UsageError } from '../../engine/errors.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const defaultTree = path.join(projectRoot, 'fixtures/minipy');

export interface Tree {
  root: string;
  /** PY_VERSION from Include/patchlevel.h. */
  version: string;
  /** True for the bundled fixture, which mimics the layout but is not CPython. */
  fixture: boolean;
}

/** The directories every command covers, and the ones only reported when asked. */
export const coreDirs = ['Include', 'Objects', 'Python', 'Parser', 'Modules'];
export const platformDirs = ['PC', 'Mac', 'RISCOS'];

/** Opens and validates a tree; throws UsageError (exit 2) for anything that is not a 2.4 tree. */
export function openTree(src: string | undefined): Tree {
  const root = path.resolve(src ?? defaultTree);
  if (!fs.existsSync(root)) throw new UsageError(`${root}: no such directory`);
  if (!fs.statSync(root).isDirectory()) throw new UsageError(`${root}: not a directory`);
  const patch = path.join(root, 'Include/patchlevel.h');
  if (!fs.existsSync(patch)) {
    throw new UsageError(
      `${root}: not a CPython source tree (Include/patchlevel.h is missing)`,
      'Point pyglobal at the top of a CPython 2.4 checkout, the folder that holds configure and Include/.',
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
  if (!/^2\.4(\.|$|[a-z+])/.test(version)) {
    const line = text.slice(0, m.index).split('\n').length;
    throw new UsageError(
      `${patch}:${line}: this tree is CPython ${version}; pyglobal knows the 2.4 tree only`,
      'Its rules (rules/) describe 2.4 macros and globals; another version needs its own rules.',
    );
  }
  return { root, version, fixture: /minipy/.test(version) };
}

/** All C sources and headers under the given top-level directories, sorted, relative paths. */
export function listSources(tree: Tree, opts: { platforms?: boolean } = {}): string[] {
  const dirs = [...coreDirs, ...(opts.platforms ? platformDirs : [])];
  const patterns = dirs.flatMap((d) => [`${d}/**/*.c`, `${d}/**/*.h`, `${d}/**/*.c.in`]);
  // Not onlyFiles: a dangling symlink must surface as an unreadable file, never vanish silently.
  const found = fg
    .sync(patterns, { cwd: tree.root, onlyFiles: false, markDirectories: true, dot: false, followSymbolicLinks: false })
    .filter((p) => !p.endsWith('/'));
  // A platform's own core files (rules/platform-sources.json) are covered whatever the platform.
  const extra = platformCoreFiles().filter((f) => fs.existsSync(path.join(tree.root, f)));
  return [...new Set([...found, ...extra])].sort();
}

let platformFiles: string[] | undefined;
/** rules/platform-sources.json: files outside the core directories that a platform compiles into the core. */
export function platformCoreFiles(): string[] {
  if (platformFiles) return platformFiles;
  const file = path.join(projectRoot, 'rules/platform-sources.json');
  let doc: { platforms?: { name?: string; files?: unknown; reason?: string }[] };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}:1: cannot load: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc.platforms)) throw new UsageError(`${file}:1: field "platforms" must be a list`);
  platformFiles = doc.platforms.flatMap((p, i) => {
    if (!p.name || !Array.isArray(p.files) || !p.files.every((f) => typeof f === 'string') || !p.reason || p.reason.length < 10) {
      throw new UsageError(`${file}: platforms[${i}] needs a name, a list of files and a reason`);
    }
    return p.files as string[];
  });
  return platformFiles;
}
