// Which macros each file sees, built from every file's #defines and resolved #includes. The
// input is plain data, so a worker thread rebuilds the very same index from one message and
// parses any file of the tree under the same macros the main thread would.
import type { MacroDef } from './macro-defs.ts';
import type { MacroRules } from './macro-rules.ts';
import { finishFile, prepareFile, type Lexed, type ParsedFile, type PreparedFile } from './scan-file.ts';
import { treeFacts } from './tree-facts.ts';
import type { Token } from './lex.ts';

export interface FileLex {
  path: string;
  defines: MacroDef[];
  /** Quoted includes in order; target is the in-tree file the name resolves to, if any. */
  includes: { name: string; at: number; target?: string }[];
  lines: number[];
}

export class LexicalIndex {
  readonly files = new Map<string, FileLex>();
  /** In-tree files each file includes directly, deduplicated, in order of first include. */
  readonly includes = new Map<string, string[]>();
  // A .c file that another .c file includes is compiled only there, under that file's macros
  // (xmltok.c includes xmltok_ns.c twice, with NS(x) defined differently each time).
  private readonly includedBy = new Map<string, { includer: string; at: number }[]>();
  private readonly closureCache = new Map<string, Map<string, MacroDef>>();

  /** files in tree order: the order decides which context comes first, hence which declaration is kept. */
  constructor(files: FileLex[]) {
    for (const f of files) {
      this.files.set(f.path, f);
      this.includes.set(f.path, [...new Set(f.includes.map((i) => i.target).filter((x): x is string => !!x))]);
    }
    // So is a header that only .c files include, each once: its text is read only there, under
    // each includer's macros (zlib's crc32.h needs crc32.c's `#define local static`;
    // _multiprocessing's connection.h defines CONNECTION_TYPE, which socket_connection.c and
    // pipe_connection.c each name).
    const includers = new Map<string, { includer: string; at: number }[]>();
    for (const f of files) {
      for (const inc of f.includes) {
        const target = inc.target;
        if (!target || target === f.path) continue;
        const list = includers.get(target) ?? [];
        list.push({ includer: f.path, at: inc.at });
        includers.set(target, list);
      }
    }
    for (const [target, list] of includers) {
      const fromC = list.filter((i) => i.includer.endsWith('.c'));
      if (target.endsWith('.c') && fromC.length) this.includedBy.set(target, fromC);
      else if (target.endsWith('.h') && fromC.length === list.length && new Set(list.map((i) => i.includer)).size === list.length) this.includedBy.set(target, fromC);
    }
  }

  /** Macros of the in-tree headers a file includes, transitively, later ones winning. */
  headerMacros(rel: string): Map<string, MacroDef> {
    const seen = new Set<string>();
    const order: string[] = [];
    const visit = (f: string) => {
      for (const h of this.includes.get(f) ?? []) {
        if (seen.has(h)) continue;
        seen.add(h);
        visit(h);
        order.push(h);
      }
    };
    visit(rel);
    const key = order.join(',');
    let m = this.closureCache.get(key);
    if (!m) {
      m = new Map();
      for (const h of order) for (const d of this.files.get(h)!.defines) m.set(d.name, d);
      this.closureCache.set(key, m);
    }
    return m;
  }

  /** The header macros a file is compiled under: one map per including .c file, or its own. */
  contextsOf(rel: string): Map<string, MacroDef>[] {
    const ctxs = this.includedBy.get(rel);
    if (!ctxs) return [this.headerMacros(rel)];
    return ctxs.map(({ includer, at }) => {
      const m = new Map(this.headerMacros(includer));
      for (const d of this.files.get(includer)!.defines) if (d.at < at) m.set(d.name, d);
      for (const [k, v] of this.headerMacros(rel)) if (!m.has(k)) m.set(k, v);
      return m;
    });
  }

  linesOf = (file: string): number[] | undefined => this.files.get(file)?.lines;

  /**
   * The contexts a file is parsed under. A header is read in its includers' contexts only when
   * it names a macro one of them defines before including it: otherwise every context gives the
   * same parse (ffitest.h, included by 142 test files, is parsed once, not 142 times).
   */
  contextsFor(rel: string, text: string): Map<string, MacroDef>[] {
    const ctxs = this.includedBy.get(rel);
    if (!ctxs || rel.endsWith('.c')) return this.contextsOf(rel);
    const named = (name: string) => {
      for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
        if (!/\w/.test(text[i - 1] ?? '') && !/\w/.test(text[i + name.length] ?? '')) return true;
      }
      return false;
    };
    const uses = ctxs.some(({ includer, at }) => this.files.get(includer)!.defines.some((d) => d.at < at && named(d.name)));
    return uses ? this.contextsOf(rel) : [this.headerMacros(rel)];
  }

  /** Parses one file of the index (its text given) under each of its contexts. */
  parse(path: string, text: string, rules: MacroRules, tokens?: Token[]): ParsedFile[] {
    return this.prepare(path, text, rules, tokens).map((p) => finishFile(p, treeFacts(p.job)));
  }

  /** parse up to the tree: one prepared file per context, for treeFacts here or in a worker, then finishFile. */
  prepare(path: string, text: string, rules: MacroRules, tokens?: Token[]): PreparedFile[] {
    const f = this.files.get(path)!;
    const lexed: Lexed = { source: { path, text }, defines: f.defines, includes: f.includes, lines: f.lines };
    return this.contextsFor(path, text).map((hm) => prepareFile(lexed, { rules, headerMacros: hm, linesOf: this.linesOf, tokens }));
  }
}
