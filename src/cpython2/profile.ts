// A version profile: what is true of one CPython version, as data under rules/. Each
// rules/cpython-X.Y/profile.json names the versions it covers and its layers; the loaders read
// a profile's files from every layer in order: rules/ itself first (what holds for any tree
// pyglobal writes: the C library, pyglobal's own C files), then the named layers (cpython-2:
// every 2.x tree; cpython-2.4: 2.4 alone). Macros merge by name, the later layer winning;
// row lists are concatenated. The code reads the profile and never asks the version itself.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../engine/errors.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const rulesDir = path.join(projectRoot, 'rules');

/** How a stock build of this version is made on today's Linux and gcc; each fact has its reason. */
export interface BuildFacts {
  /** Flags every compile needs (BASECFLAGS), checked in the build log. */
  cflags: string[];
  /** More flags for the tls variant only (a thread-local build's compiler or linker limits). */
  tlsCflags?: string[];
  /** The kernel release configure is run under (setarch --uname-2.6: sys.platform linux2). */
  uname: string;
  /** Write setup.cfg's [build_ext] library_dirs with Debian's multiarch folder. */
  multiarchSetupCfg: boolean;
  /** What setup.py can attempt on linux2, in its order (a file of the profile). */
  extensions: ExtensionCandidate[];
  /** Generated files a rewritten tree's build keeps as the release has them (make -o), unless an input is newer. */
  generatedKept?: GeneratedKept;
}

export interface GeneratedKept {
  /** The generated files, relative to the tree: Include/graminit.h. */
  files: string[];
  /** What they are generated from: when one is newer than a file, the user changed it and make must regenerate. */
  inputs: string[];
}

export interface ExtensionCandidate {
  name: string;
  /** Only attempted when sys.maxint is 32-bit (setup.py disables it on 64-bit hosts). */
  only32bit?: boolean;
  /** What the module needs, shown when it is missing: the usual reason on a modern Linux. */
  needs?: string;
}

export interface Profile {
  /** The profile's folder name under rules/: cpython-2.4. */
  id: string;
  /** rules/cpython-2.4/profile.json, absolute. */
  file: string;
  /** Folders read in order, absolute: rules/, then each named layer. */
  layers: string[];
  /** PY_VERSION values it covers. */
  versions: RegExp;
  /** How rewritten sources name this profile's rule files (see cite). */
  citeAs?: string;
  /** PY_VERSION → checksum manifest of that release (absolute path). */
  manifests: Record<string, string>;
  build: BuildFacts;
  /** Sources, relative to the project, joined into the tree's Lib/thread.py (the thread-local build's thread module). */
  threadModule: string[];
}

const reasoned = (v: any) => v && typeof v === 'object' && typeof v.reason === 'string' && v.reason.trim().length >= 10;

/** Line of the first occurrence of `"key"` in a JSON text, for file:line errors. */
function lineOf(text: string, key: string): number {
  const at = text.indexOf(`"${key}"`);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/** Reads and validates rules/<id>/profile.json; any fault is a UsageError with file:line. */
export function loadProfile(id: string, root = rulesDir): Profile {
  const file = path.join(root, id, 'profile.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}:1: cannot read profile: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : 1;
    throw new UsageError(`${file}:${line}: not valid JSON: ${(e as Error).message}`);
  }
  const bad = (key: string, what: string) => new UsageError(`${file}:${lineOf(text, key)}: field "${key}" ${what}`);
  if (doc.id !== id) throw bad('id', `must be the folder name "${id}"`);
  if (!Array.isArray(doc.layers) || !doc.layers.length || doc.layers.some((l: unknown) => typeof l !== 'string' || !l || l.includes('..'))) throw bad('layers', 'must list folder names under rules/');
  if (doc.layers[doc.layers.length - 1] !== id) throw bad('layers', `must end with the profile itself ("${id}")`);
  for (const l of doc.layers) if (!fs.existsSync(path.join(root, l))) throw bad('layers', `names "${l}", which rules/ does not have`);
  if (!reasoned(doc.versions) || typeof doc.versions.pattern !== 'string') throw bad('versions', 'needs a "pattern" (a regular expression over PY_VERSION) and a "reason"');
  let versions: RegExp;
  try {
    versions = new RegExp(doc.versions.pattern);
  } catch (e) {
    throw bad('versions', `has a bad pattern: ${(e as Error).message}`);
  }
  if (doc.citeAs !== undefined && (!reasoned(doc.citeAs) || typeof doc.citeAs.prefix !== 'string')) throw bad('citeAs', 'needs a "prefix" and a "reason"');
  const manifests: Record<string, string> = {};
  for (const [v, f] of Object.entries(doc.manifests ?? {})) {
    if (typeof f !== 'string' || !fs.existsSync(path.join(root, id, f))) throw bad('manifests', `names ${JSON.stringify(f)} for ${v}, which ${id}/ does not have`);
    manifests[v] = path.join(root, id, f);
  }
  const b = doc.build;
  if (!b || typeof b !== 'object') throw bad('build', 'is required: how a stock build of this version is made');
  for (const k of ['cflags', 'uname', 'multiarchSetupCfg', 'extensions']) if (!reasoned(b[k])) throw bad(k, 'needs a value and a "reason"');
  if (!Array.isArray(b.cflags.flags) || b.cflags.flags.some((f: unknown) => typeof f !== 'string')) throw bad('cflags', 'needs "flags", a list of strings');
  if (typeof b.uname.release !== 'string') throw bad('uname', 'needs "release"');
  if (typeof b.multiarchSetupCfg.write !== 'boolean') throw bad('multiarchSetupCfg', 'needs "write": true or false');
  const tm = doc.threadModule;
  if (tm !== undefined && (!reasoned(tm) || !Array.isArray(tm.files) || tm.files.some((f: unknown) => typeof f !== 'string' || !fs.existsSync(path.join(projectRoot, f)))))
    throw bad('threadModule', 'needs "files" (sources under the project, joined in order into Lib/thread.py) and a "reason"');
  const ext = b.extensions.candidates;
  if (!Array.isArray(ext) || ext.some((c: any) => typeof c?.name !== 'string')) throw bad('extensions', 'needs "candidates", a list of {name, only32bit?, needs?}');
  if (b.tlsCflags !== undefined && (!reasoned(b.tlsCflags) || !Array.isArray(b.tlsCflags.flags) || b.tlsCflags.flags.some((f: unknown) => typeof f !== 'string')))
    throw bad('tlsCflags', 'needs "flags", a list of strings, and a "reason"');
  const kept = b.generatedKept;
  const relPaths = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((f) => typeof f === 'string' && f && !f.startsWith('/') && !f.includes('..'));
  if (kept !== undefined && (!reasoned(kept) || !relPaths(kept.files) || !relPaths(kept.inputs)))
    throw bad('generatedKept', 'needs "files" and "inputs", lists of paths in the tree, and a "reason"');
  return {
    id,
    file,
    layers: [root, ...doc.layers.map((l: string) => path.join(root, l))],
    versions,
    ...(doc.citeAs ? { citeAs: doc.citeAs.prefix } : {}),
    manifests,
    build: {
      cflags: b.cflags.flags,
      ...(b.tlsCflags ? { tlsCflags: b.tlsCflags.flags } : {}),
      uname: b.uname.release,
      multiarchSetupCfg: b.multiarchSetupCfg.write,
      extensions: ext,
      ...(kept ? { generatedKept: { files: kept.files, inputs: kept.inputs } } : {}),
    },
    threadModule: tm?.files ?? ['src/py/thread.py'],
  };
}

/** Every profile under rules/, in name order. */
export function knownProfiles(root = rulesDir): Profile[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'profile.json')))
    .map((e) => e.name)
    .sort()
    .map((id) => loadProfile(id, root));
}

const cache = new Map<string, Profile | undefined>();
/** The profile covering PY_VERSION `version`, or undefined; two that cover it are an error. */
export function profileFor(version: string, root = rulesDir): Profile | undefined {
  const key = `${root}\0${version}`;
  if (cache.has(key)) return cache.get(key);
  const hits = knownProfiles(root).filter((p) => p.versions.test(version));
  if (hits.length > 1) throw new UsageError(`${hits[1].file}:1: covers ${version}, which ${hits[0].file} covers too`);
  cache.set(key, hits[0]);
  return hits[0];
}

/** The profile of the bundled fixture (2.4.0+minipy): the default where no tree is named. */
export function defaultProfile(): Profile {
  return profileFor('2.4.0+minipy')!;
}

/** A file of the given name in each layer that has it, in layer order. */
export function layerFiles(p: Profile, name: string): string[] {
  return p.layers.map((l) => path.join(l, name)).filter((f) => fs.existsSync(f));
}

/** The last layer's file of that name: for single documents (core-files.json), the most specific wins. */
export function profileFile(p: Profile, name: string): string {
  const all = layerFiles(p, name);
  if (!all.length) throw new UsageError(`${p.file}:1: no layer of ${p.id} (${p.layers.map((l) => path.relative(projectRoot, l) || 'rules').join(', ')}) has ${name}`);
  return all[all.length - 1];
}

/** The repository-relative path of a rules file: rules/cpython-2.4/hooks/x.json. */
export function rulePath(file: string): string {
  return path.relative(projectRoot, file).split(path.sep).join('/');
}

/**
 * How rewritten sources name a rules file (hook markers, generated comments). A profile with
 * citeAs names its layers' files under that prefix instead: 2.4's rewrite keeps the names it
 * wrote before profiles existed (rules/hooks/x.json), so its bytes stay the same and a rerun
 * recognizes its own markers.
 */
export function cite(p: Profile, file: string): string {
  const rel = rulePath(file);
  if (p.citeAs === undefined) return rel;
  for (const l of p.layers.slice(1)) {
    const prefix = rulePath(l) + '/';
    if (rel.startsWith(prefix)) return `${p.citeAs}/${rel.slice(prefix.length)}`;
  }
  return rel;
}
