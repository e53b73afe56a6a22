// The second kind of target: a folder of extension-module sources (one module, or a package of
// several) built against a CPython tree that pyglobal has already rewritten. The extension's own
// .c/.h files, and its C++ sources and headers (parsed with tree-sitter-cpp), are scanned and edited; the tree's Include/*.h are scanned with them as read-only
// context, so that `&PyType_Type` or `Py_None` in an initializer is seen to name thread-local data.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '../../engine/errors.ts';
import { openTree, type Tree } from './tree.ts';
import type { ScanResult } from '../../engine/model.ts';
import { languageOf } from '../../engine/parse.ts';

export interface ExtensionFolder {
  kind: 'extension';
  root: string;
  /** The rewritten CPython tree whose headers the extension compiles against. */
  python: Tree;
  /** The extension's own C and C++ sources and headers, relative to root, sorted. */
  own: string[];
  /** The tree's headers, as `Include/<name>` (never one the extension has itself), read-only. */
  context: string[];
  /** Which of `own` are C++ (scanned as C++, see engine/parse.ts languageOf). */
  cxx: string[];
  /**
   * The folder holds one translation unit of a larger build, not the whole package (the
   * compiler wrapper's mirror): what it declares but does not define is defined in another unit.
   */
  unit?: boolean;
}

/** Folders that hold build output or other projects, never the extension's sources. */
const ignored = ['**/build/**', '**/node_modules/**', '**/.git/**'];

/** C++ sources and headers; a .h is C (see engine/parse.ts languageOf). */
const cxxPatterns = ['**/*.cc', '**/*.cpp', '**/*.cxx', '**/*.C', '**/*.hpp', '**/*.hh', '**/*.hxx'];

/** The C and C++ sources and headers of a folder, relative paths, sorted (`.inc`: C made to be #included, as numpy generates). */
export function listExtensionSources(root: string, opts: { unit?: boolean } = {}): string[] {
  // A unit's mirror holds just what the compiler reads, generated files under build/ included.
  return fg
    .sync(['**/*.c', '**/*.h', '**/*.inc', ...cxxPatterns], { cwd: root, onlyFiles: false, markDirectories: true, dot: false, followSymbolicLinks: false, ignore: opts.unit ? [] : ignored })
    .filter((p) => !p.endsWith('/'))
    .sort();
}

/** Opens an extension folder against a rewritten tree; UsageError (exit 2) for bad input. */
export function openExtension(src: string, python: string, opts: { unit?: boolean } = {}): ExtensionFolder {
  const root = path.resolve(src);
  if (!fs.existsSync(root)) throw new UsageError(`${root}: no such directory`);
  if (!fs.statSync(root).isDirectory()) throw new UsageError(`${root}: not a directory`);
  const tree = openTree(python);
  if (!fs.existsSync(path.join(tree.root, 'Include/pyglobal.h'))) {
    throw new UsageError(
      `${tree.root}: --python must be a tree rewritten by pyglobal apply (Include/pyglobal.h is missing)`,
      'Run `pyglobal apply <CPython tree> --out <dir>` first and pass that folder: its headers say which of the interpreter\'s globals are thread-local.',
    );
  }
  if (path.relative(tree.root, root) === '' ) throw new UsageError(`${root}: the extension folder is the Python tree itself; scan it without --python`);
  const own = listExtensionSources(root, opts);
  const cxx = own.filter((p) => languageOf(p) === 'cxx');
  if (!own.some((p) => /\.(c|cc|cpp|cxx|C)$/.test(p))) {
    throw new UsageError(`${root}: no C or C++ sources (.c, .cc, .cpp, .cxx) in this folder`, 'Point pyglobal at the folder that holds the extension module\'s sources.');
  }
  const mine = new Set(own);
  const context = fg
    .sync(['Include/*.h'], { cwd: tree.root, onlyFiles: true, dot: false })
    .filter((p) => !mine.has(p))
    .sort();
  return { kind: 'extension', root, python: tree, own, context, cxx, ...(opts.unit ? { unit: true } : {}) };
}

/** Reads one file of the target: the extension's own from its folder, context from the tree. */
export function extensionFile(ext: ExtensionFolder, rel: string): string {
  return ext.own.includes(rel) ? path.join(ext.root, rel) : path.join(ext.python.root, rel);
}

/** The scan as the extension's user reads it: its own files and globals, the tree's headers left out. */
export function extensionView(scan: ScanResult): ScanResult {
  const context = new Set(scan.context?.files ?? []);
  return {
    ...scan,
    files: scan.files.filter((f) => !context.has(f.path)),
    globals: scan.globals.filter((g) => !g.declarations.every((d) => context.has(d.file))),
    findings: scan.findings.filter((f) => !context.has(f.file)),
    context: scan.context && { python: scan.context.python, files: [] },
  };
}

export function describeExtension(ext: ExtensionFolder): string {
  return `extension folder ${ext.root}: ${ext.own.length} C/C++ sources and headers, against the rewritten tree ${ext.python.root} (${ext.context.length} headers as context)` + (cxxNotice(ext) ? `\n${cxxNotice(ext)}` : '');
}

/** What the user must know when a folder has C++ sources: which, and what apply leaves to them. */
export function cxxNotice(ext: ExtensionFolder): string | undefined {
  if (!ext.cxx.length) return undefined;
  const shown = ext.cxx.slice(0, 5).join(', ') + (ext.cxx.length > 5 ? `, ... (${ext.cxx.length - 5} more)` : '');
  return `note: ${ext.cxx.length} C++ sources scanned as C++ (${shown}); a global with a constructor or destructor is reported as cxx-needs-review, never edited`;
}
