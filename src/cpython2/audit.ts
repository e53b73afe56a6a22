// The object-file oracle (DESIGN §5.2): after a build, every writable data symbol in libpython's
// objects and in the extension modules' objects is a global the scan must know. This reads the
// symbols with readelf, maps each object back to its source, and matches symbols against a scan
// with multiplicity: three `cache_str.N` symbols in typeobject.o need three scanned `cache_str`.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '../engine/errors.ts';
import type { Classification, Global, ScanResult } from '../engine/model.ts';
import { readObjects, type ElfObject, type ElfSymbol } from './audit/readelf.ts';
import { makeWords, parseMakeVars } from './audit/makefile.ts';
import { projectRoot } from './target/tree.ts';

export type Part = 'libpython' | 'extension';
/** global: external linkage; file: file-scope static; function: function-local static (`name.N`). */
export type SymbolScope = 'global' | 'file' | 'function';
/**
 * writable: .data, .bss, .data.rel, .data.rel.local (and -fdata-sections variants), COMMON;
 * tls: .tdata / .tbss, one copy per thread; relro: .data.rel.ro*, written only by the dynamic
 * loader's relocations, read-only afterwards (const data that holds addresses); readonly: .rodata.
 */
export type DataKind = 'writable' | 'tls' | 'relro' | 'readonly';

export interface AuditSymbol {
  /** Object file relative to the build directory. */
  object: string;
  /** Source file relative to the source root (Modules/config.c.in for the generated config.c). */
  source: string;
  part: Part;
  /** The name in the symbol table, e.g. cache_str.12. */
  symbol: string;
  /** The C name: the symbol without a function-local `.N` suffix. */
  name: string;
  scope: SymbolScope;
  binding: string;
  section: string;
  size: number;
  kind: DataKind;
}

export interface AuditObject {
  object: string;
  source: string;
  /**
   * How the source was found: DWARF compile unit; the object's path under build/temp.*, which
   * mirrors the source's absolute path when setup.py names sources absolutely (2.7); STT_FILE
   * symbol; or the object's own name.
   */
  sourceFrom: 'dwarf' | 'object-path' | 'file-symbol' | 'object-name';
  part: Part;
  writable: Tally;
  tls: Tally;
}

export interface Tally {
  symbols: number;
  bytes: number;
}

export interface Inventory {
  objects: number;
  /** Writable, non-TLS data: the shared state of a stock build. */
  writable: Tally;
  bySection: Record<string, Tally>;
  byScope: Record<SymbolScope, Tally>;
  byDirectory: Record<string, Tally>;
  /** Thread-local data: the per-thread footprint. */
  tls: Tally;
  /** .data.rel.ro*: not counted as writable (read-only once relocated). */
  relro: Tally;
}

export interface Ratio {
  matched: number;
  total: number;
  /** matched / total, 1 when total is 0. */
  recall: number;
}

/** The scanned global a symbol was matched with, reduced to what a report needs. */
export interface GlobalRef {
  id: string;
  name: string;
  file: string;
  line: number;
  column: number;
  function?: string;
  classification: Classification;
  reason: string;
}

export interface SymbolMatch {
  symbol: AuditSymbol;
  global: GlobalRef;
}

export interface ScanAudit {
  globals: number;
  /** Globals with a definition (kind definition or tentative). */
  defined: number;
  recall: { overall: Ratio; libpython: Ratio; extensions: Ratio };
  /** Writable or TLS symbols with no defined scanned global of that name in the source or its headers. */
  missed: AuditSymbol[];
  /** Defined globals in compiled files that no object holds: the compiler dropped them (information). */
  dropped: GlobalRef[];
  /** Defined globals that compiled into read-only data (.rodata, .data.rel.ro). */
  readOnly: number;
  /** Defined globals in files that no audited object compiles (other platforms, modules not built). */
  notBuilt: number;
  /** TLS build only: writable non-TLS symbols the scan classifies thread-local (the rewrite missed them). */
  notTls: SymbolMatch[];
  /** TLS build only: writable non-TLS symbols the scan classifies shared, with its reason: accounted for. */
  shared: SymbolMatch[];
  /** TLS build only: TLS symbols the scan classifies shared: per-thread copies that need not exist. */
  tlsButShared: SymbolMatch[];
  /** missed + notTls: the audit fails when this is not 0. */
  unaccounted: number;
}

export interface AuditResult {
  tool: { name: 'pyglobal'; version: string };
  dir: string;
  sourceRoot: string;
  /** From pyglobal-build.json when present. */
  variant: string | null;
  /** The variant says tls, or TLS symbols are present. */
  tlsBuild: boolean;
  objects: AuditObject[];
  inventory: { libpython: Inventory; extensions: Inventory; total: Inventory };
  /** Every writable and TLS data symbol, in object order. */
  symbols: AuditSymbol[];
  scan?: ScanAudit;
  warnings: string[];
}

export interface AuditOptions {
  /** readelf processes at once (default 2). */
  jobs?: number;
}

const buildHint = 'run pyglobal build first, and point audit at its output directory';

/** Audits a built tree; with a scan, matches every symbol against it. Throws UsageError on bad input. */
export async function auditBuild(dir: string, scan?: ScanResult, opts: AuditOptions = {}): Promise<AuditResult> {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new UsageError(`${root}: no such directory`, buildHint);
  }
  const makefile = path.join(root, 'Makefile');
  if (!fs.existsSync(makefile)) throw new UsageError(`${root}: not a configured build (no Makefile)`, buildHint);
  const vars = parseMakeVars(fs.readFileSync(makefile, 'latin1'));
  const sourceRoot = path.resolve(root, makeWords(vars, 'srcdir')[0] ?? '.');
  const warnings: string[] = [];

  const libObjs = makeWords(vars, 'LIBRARY_OBJS');
  if (!libObjs.length) throw new UsageError(`${makefile}: LIBRARY_OBJS is empty or missing`, buildHint);
  const missingLib = libObjs.filter((o) => !fs.existsSync(path.join(root, o)));
  if (missingLib.length === libObjs.length) {
    throw new UsageError(`${root}: none of the ${libObjs.length} objects of LIBRARY_OBJS exist`, buildHint);
  }
  if (missingLib.length) {
    throw new UsageError(
      `${root}: ${missingLib.length} object(s) of LIBRARY_OBJS are missing: ${missingLib.slice(0, 5).join(', ')}`,
      'The build is incomplete; an audit of part of it could pass while missing globals. ' + buildHint,
    );
  }
  const extObjs = fg.sync('build/temp.*/**/*.o', { cwd: root, onlyFiles: true }).sort();
  if (!extObjs.length) warnings.push(`${root}: no extension objects under build/temp.*/ (were shared modules built?)`);
  const temps = new Set(extObjs.map((o) => o.split('/')[1]));
  if (temps.size > 1) warnings.push(`several extension build folders audited together: ${[...temps].join(', ')}`);

  const elf = await readObjects([...libObjs, ...extObjs], { cwd: root, jobs: opts.jobs });
  const objects: AuditObject[] = [];
  const symbols: AuditSymbol[] = [];
  const others: AuditSymbol[] = [];
  const aliases = new Map<string, string[]>();
  for (const [list, part] of [
    [libObjs, 'libpython'],
    [extObjs, 'extension'],
  ] as const) {
    for (const o of list) {
      const obj = elf.get(o)!;
      const src = resolveSource(obj, o, root, sourceRoot, part);
      if (src.alias) aliases.set(src.source, [src.alias]);
      if (src.from === 'object-name' && !fs.existsSync(path.join(sourceRoot, src.source))) {
        warnings.push(`${o}: source not found (no debug info or file symbol); assuming ${src.source}`);
      }
      const ao: AuditObject = {
        object: o,
        source: src.source,
        sourceFrom: src.from,
        part,
        writable: { symbols: 0, bytes: 0 },
        tls: { symbols: 0, bytes: 0 },
      };
      objects.push(ao);
      for (const s of dataSymbols(obj, ao)) {
        if (s.kind === 'writable') add(ao.writable, s.size);
        else if (s.kind === 'tls') add(ao.tls, s.size);
        (s.kind === 'writable' || s.kind === 'tls' ? symbols : others).push(s);
      }
    }
  }

  const inventory = {
    libpython: inventoryOf(objects, symbols, others, 'libpython'),
    extensions: inventoryOf(objects, symbols, others, 'extension'),
    total: inventoryOf(objects, symbols, others),
  };
  const variant = readVariant(root, warnings);
  const tlsBuild = variant === 'tls' || inventory.total.tls.symbols > 0;
  if (variant === 'tls' && !inventory.total.tls.symbols) {
    warnings.push(`${root}: built as the tls variant, but no object has a TLS symbol (was PYGLOBAL defined empty?)`);
  }
  const result: AuditResult = {
    tool: { name: 'pyglobal', version: toolVersion() },
    dir: root,
    sourceRoot,
    variant,
    tlsBuild,
    objects,
    inventory,
    symbols,
    warnings,
  };
  if (scan) result.scan = matchScan(scan, objects, symbols, others, aliases, tlsBuild);
  return result;
}

/** Reads and minimally validates a ScanResult JSON file; UsageError with the parse error otherwise. */
export function loadScan(file: string): ScanResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read scan: ${(e as Error).message}`);
  }
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON: ${(e as Error).message}`, 'Write it with: pyglobal scan <src> --json > scan.json');
  }
  if (!data || typeof data !== 'object' || !Array.isArray(data.globals) || !Array.isArray(data.files)) {
    throw new UsageError(`${file}: not a pyglobal scan result (expected "globals" and "files" arrays)`, 'Write it with: pyglobal scan <src> --json > scan.json');
  }
  data.globals.forEach((g: any, i: number) => {
    if (!g || typeof g.name !== 'string' || typeof g.file !== 'string') {
      throw new UsageError(`${file}: globals[${i}] has no name or file`);
    }
  });
  return data as ScanResult;
}

// ---------------------------------------------------------------------------------------------

function add(t: Tally, bytes: number): void {
  t.symbols++;
  t.bytes += bytes;
}

interface SourceGuess {
  source: string;
  from: AuditObject['sourceFrom'];
  alias?: string;
}

/** Maps an object to its source, relative to the source root. */
function resolveSource(obj: ElfObject, objRel: string, buildRoot: string, sourceRoot: string, part: Part): SourceGuess {
  let guess: SourceGuess | undefined;
  if (obj.cuName) {
    const abs = path.resolve(obj.cuDir ?? buildRoot, obj.cuName);
    const rel = inTree(abs, sourceRoot) ?? inTree(abs, buildRoot) ?? bySuffix(abs, sourceRoot) ?? bySuffix(abs, buildRoot);
    if (rel) guess = { source: rel, from: 'dwarf' };
  }
  // No compile unit: a source whose whole text is #if'd out on this platform (libffi's x86/ffi.c
  // and sysv.S on x86_64 hold nothing). 2.7's setup.py passes absolute source paths, and
  // distutils mirrors them under build/temp.*/, so the object's own path names its source.
  if (!guess && part === 'extension') {
    const mirrored = objRel.split('/').slice(2).join('/').replace(/\.o$/, '');
    for (const ext of sourceExtensions) {
      const rel = mirrored.includes('/') ? bySuffix(`/${mirrored}${ext}`, sourceRoot) : undefined;
      if (rel && rel.includes('/')) {
        guess = { source: rel, from: 'object-path' };
        break;
      }
    }
  }
  if (!guess && obj.fileSymbol && part === 'extension') {
    const hits = fg.sync(`Modules/**/${fg.escapePath(path.basename(obj.fileSymbol))}`, { cwd: sourceRoot });
    if (hits.length === 1) guess = { source: hits[0], from: 'file-symbol' };
  }
  if (!guess) {
    const base = part === 'libpython' ? objRel : `Modules/${path.basename(objRel)}`;
    guess = { source: base.replace(/\.o$/, '.c'), from: 'object-name' };
  }
  // A generated source (Modules/config.c from config.c.in): the scan sees the template.
  if (fs.existsSync(path.join(sourceRoot, `${guess.source}.in`))) {
    return { ...guess, source: `${guess.source}.in`, alias: guess.source };
  }
  return guess;
}

/** What distutils compiles into an object: C, and assembler with or without the preprocessor. */
const sourceExtensions = ['.c', '.S', '.s'];

function inTree(abs: string, root: string): string | undefined {
  const rel = path.relative(root, abs);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return fs.existsSync(abs) ? rel.split(path.sep).join('/') : undefined;
}

/** The longest tail of an absolute path that exists under root: finds sources of a moved tree. */
function bySuffix(abs: string, root: string): string | undefined {
  const parts = abs.split(/[\\/]+/).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const rel = parts.slice(i).join('/');
    if (fs.existsSync(path.join(root, rel))) return rel;
  }
  return undefined;
}

const dataTypes = new Set(['OBJECT', 'TLS', 'NOTYPE', 'COMMON']);

function dataSymbols(obj: ElfObject, ao: AuditObject): AuditSymbol[] {
  const sections = new Map(obj.sections.map((s) => [String(s.index), s]));
  const out: AuditSymbol[] = [];
  for (const sym of obj.symbols) {
    if (!dataTypes.has(sym.type) || !sym.name || sym.ndx === 'UND' || sym.ndx === 'ABS') continue;
    // .LCn and friends: assembler labels for string literals and constants, not C variables.
    if (sym.name.startsWith('.L')) continue;
    const placed = placement(sym, sections);
    if (!placed) continue;
    const fn = sym.bind === 'LOCAL' ? /^(.+)\.(\d+)$/.exec(sym.name) : null;
    out.push({
      object: ao.object,
      source: ao.source,
      part: ao.part,
      symbol: sym.name,
      name: fn ? fn[1] : sym.name,
      scope: sym.bind !== 'LOCAL' ? 'global' : fn ? 'function' : 'file',
      binding: sym.bind,
      section: placed.section,
      size: sym.size,
      kind: placed.kind,
    });
  }
  return out;
}

function placement(sym: ElfSymbol, sections: Map<string, { name: string; flags: string }>): { section: string; kind: DataKind } | undefined {
  if (sym.ndx === 'COM') return { section: 'COMMON', kind: sym.type === 'TLS' ? 'tls' : 'writable' };
  const sec = sections.get(sym.ndx);
  if (!sec || !sec.flags.includes('A')) return undefined;
  if (sym.type === 'TLS' || sec.flags.includes('T')) return { section: sec.name, kind: 'tls' };
  if (sec.flags.includes('X')) return undefined;
  // NOTYPE symbols are only data when they sit in a data section and are not section markers.
  if (sym.type === 'NOTYPE' && sym.size === 0) return undefined;
  if (/^\.data\.rel\.ro(\.|$)/.test(sec.name)) return { section: sec.name, kind: 'relro' };
  if (!sec.flags.includes('W')) return { section: sec.name, kind: 'readonly' };
  // Constructor tables and the like are writable but hold no C variables.
  if (/^\.(init|fini|preinit)_array/.test(sec.name)) return undefined;
  return { section: sec.name, kind: 'writable' };
}

function inventoryOf(objects: AuditObject[], symbols: AuditSymbol[], others: AuditSymbol[], part?: Part): Inventory {
  const inv: Inventory = {
    objects: objects.filter((o) => !part || o.part === part).length,
    writable: { symbols: 0, bytes: 0 },
    bySection: {},
    byScope: { global: { symbols: 0, bytes: 0 }, file: { symbols: 0, bytes: 0 }, function: { symbols: 0, bytes: 0 } },
    byDirectory: {},
    tls: { symbols: 0, bytes: 0 },
    relro: { symbols: 0, bytes: 0 },
  };
  for (const s of symbols) {
    if (part && s.part !== part) continue;
    if (s.kind === 'tls') {
      add(inv.tls, s.size);
      continue;
    }
    add(inv.writable, s.size);
    add((inv.bySection[s.section] ??= { symbols: 0, bytes: 0 }), s.size);
    add(inv.byScope[s.scope], s.size);
    add((inv.byDirectory[s.source.split('/')[0]] ??= { symbols: 0, bytes: 0 }), s.size);
  }
  for (const s of others) {
    if ((!part || s.part === part) && s.kind === 'relro') add(inv.relro, s.size);
  }
  return inv;
}

function readVariant(root: string, warnings: string[]): string | null {
  const f = path.join(root, 'pyglobal-build.json');
  if (!fs.existsSync(f)) return null;
  try {
    const v = JSON.parse(fs.readFileSync(f, 'utf8'))?.variant;
    return typeof v === 'string' ? v : null;
  } catch (e) {
    warnings.push(`${f}: unreadable (${(e as Error).message}); variant taken from the symbols`);
    return null;
  }
}

let version: string | undefined;
function toolVersion(): string {
  if (version === undefined) {
    try {
      version = String(JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version);
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

// ---------------------------------------------------------------------------------------------
// Matching against a scan.

interface Candidate {
  g: Global;
  file: string;
}

function isDefined(g: Global): boolean {
  return !!g.definition && (g.definition.kind === 'definition' || g.definition.kind === 'tentative');
}

function ref(g: Global): GlobalRef {
  const d = g.definition;
  return {
    id: g.id,
    name: g.name,
    file: d?.file ?? g.file,
    line: d?.line ?? 0,
    column: d?.column ?? 0,
    ...(g.function ? { function: g.function } : {}),
    classification: g.classification,
    reason: g.reason,
  };
}

function matchScan(
  scan: ScanResult,
  objects: AuditObject[],
  symbols: AuditSymbol[],
  others: AuditSymbol[],
  aliases: Map<string, string[]>,
  tlsBuild: boolean,
): ScanAudit {
  const defined = scan.globals.filter(isDefined);
  const byFile = new Map<string, Candidate[]>();
  for (const g of defined) {
    const file = g.definition?.file ?? g.file;
    let list = byFile.get(file);
    if (!list) byFile.set(file, (list = []));
    list.push({ g, file });
  }
  const includes = new Map(scan.files.map((f) => [f.path, f.includes ?? []]));
  const closureMemo = new Map<string, string[]>();
  const closure = (src: string): string[] => {
    let c = closureMemo.get(src);
    if (c) return c;
    const seen = new Set<string>();
    const todo = [src, ...(aliases.get(src) ?? [])];
    while (todo.length) {
      const f = todo.shift()!;
      if (seen.has(f)) continue;
      seen.add(f);
      todo.push(...(includes.get(f) ?? []));
    }
    closureMemo.set(src, (c = [...seen]));
    return c;
  };

  const bySymbolObject = new Map<string, AuditSymbol[]>();
  for (const s of [...symbols, ...others]) {
    let l = bySymbolObject.get(s.object);
    if (!l) bySymbolObject.set(s.object, (l = []));
    l.push(s);
  }
  const kindOrder: Record<DataKind, number> = { tls: 0, writable: 1, relro: 2, readonly: 3 };
  const matchOf = new Map<AuditSymbol, Global>();
  const used = new Set<Global>();
  const compiledFiles = new Set<string>();
  for (const o of objects) {
    const files = closure(o.source);
    files.forEach((f) => compiledFiles.add(f));
    const pool = new Map<string, Candidate[]>();
    for (const f of files) {
      for (const c of byFile.get(f) ?? []) {
        let l = pool.get(c.g.name);
        if (!l) pool.set(c.g.name, (l = []));
        l.push(c);
      }
    }
    const syms = [...(bySymbolObject.get(o.object) ?? [])].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind]);
    const taken = new Set<Candidate>();
    for (const s of syms) {
      let best: Candidate | undefined;
      let bestScore = -1;
      for (const c of pool.get(s.name) ?? []) {
        if (taken.has(c)) continue;
        // Among equals, a global no other object has claimed: a header can define the same name
        // differently under #if for two sources (cjkcodecs' jisx0213_pair_decmap).
        const sc = score(s, c.g, tlsBuild) + (used.has(c.g) ? 0 : 0.5);
        if (sc > bestScore) {
          best = c;
          bestScore = sc;
        }
      }
      if (!best) continue;
      taken.add(best);
      matchOf.set(s, best.g);
      used.add(best.g);
    }
  }

  const ratio = (list: AuditSymbol[]): Ratio => {
    const matched = list.filter((s) => matchOf.has(s)).length;
    return { matched, total: list.length, recall: list.length ? matched / list.length : 1 };
  };
  const missed = symbols.filter((s) => !matchOf.has(s));
  const notTls: SymbolMatch[] = [];
  const shared: SymbolMatch[] = [];
  const tlsButShared: SymbolMatch[] = [];
  if (tlsBuild) {
    for (const s of symbols) {
      const g = matchOf.get(s);
      if (!g) continue;
      if (s.kind === 'writable') (g.classification === 'thread-local' ? notTls : shared).push({ symbol: s, global: ref(g) });
      else if (g.classification !== 'thread-local') tlsButShared.push({ symbol: s, global: ref(g) });
    }
  }
  const dataGlobals = new Set(symbols.map((s) => matchOf.get(s)).filter((g): g is Global => !!g));
  const readOnlyGlobals = new Set(others.map((s) => matchOf.get(s)).filter((g): g is Global => !!g && !dataGlobals.has(g)));
  const dropped = defined.filter((g) => !used.has(g) && compiledFiles.has(g.definition?.file ?? g.file)).map(ref);
  dropped.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.name.localeCompare(b.name));
  return {
    globals: scan.globals.length,
    defined: defined.length,
    recall: {
      overall: ratio(symbols),
      libpython: ratio(symbols.filter((s) => s.part === 'libpython')),
      extensions: ratio(symbols.filter((s) => s.part === 'extension')),
    },
    missed,
    dropped,
    readOnly: readOnlyGlobals.size,
    notBuilt: defined.filter((g) => !compiledFiles.has(g.definition?.file ?? g.file)).length,
    notTls,
    shared,
    tlsButShared,
    unaccounted: missed.length + notTls.length,
  };
}

/** Prefers the scanned global that agrees with the symbol, so ambiguous same-name pairs resolve well. */
function score(s: AuditSymbol, g: Global, tlsBuild: boolean): number {
  let sc = 0;
  if ((s.scope === 'function') === !!g.function) sc += 2;
  if ((s.scope === 'global') === (g.linkage === 'external')) sc += 1;
  if (tlsBuild) {
    if (s.kind === 'tls' && g.classification === 'thread-local') sc += 4;
    if (s.kind === 'writable' && g.classification !== 'thread-local') sc += 4;
  }
  if ((s.kind === 'relro' || s.kind === 'readonly') && g.classification === 'shared-immutable') sc += 4;
  return sc;
}
