// The scan stage over a whole tree: read, lex, resolve includes, parse, link, classify.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/errors.ts';
import { lexFile, parseFile, type Lexed } from '../engine/scan-file.ts';
import { linkSymbols } from '../engine/symbols.ts';
import { positionOf } from '../engine/lex.ts';
import type { MacroDef } from '../engine/macro-defs.ts';
import type { Declaration, FileReport, Finding, ScanResult } from '../engine/model.ts';
import { classify } from './classify.ts';
import { refineClassification } from './refine.ts';
import { loadMacroRules } from './rules.ts';
import { loadReviewed, staleRows } from './reviewed.ts';
import { listSources, openTree, type Tree } from './tree.ts';

export interface ScanOptions {
  platforms?: boolean;
  /** Restrict to these relative paths (tests, check on changed files). */
  files?: string[];
  onProgress?: (done: number, total: number, file: string) => void;
}

export const toolVersion = '0.1.0';

export function readSource(root: string, rel: string) {
  const abs = path.join(root, rel);
  try {
    return { path: rel, text: fs.readFileSync(abs).toString('latin1') };
  } catch (e) {
    throw new UsageError(`${abs}:1: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function resolveInclude(from: string, name: string, known: Set<string>): string | undefined {
  const dir = path.posix.dirname(from);
  for (const cand of [path.posix.join(dir, name), path.posix.join('Include', name), path.posix.normalize(name)]) {
    if (known.has(cand)) return cand;
  }
  return undefined;
}

export function scanTree(src: string | undefined, opts: ScanOptions = {}): ScanResult {
  const tree = openTree(src);
  return scanOpened(tree, opts);
}

export function scanOpened(tree: Tree, opts: ScanOptions = {}): ScanResult {
  const macros = loadMacroRules();
  const reviewed = loadReviewed();
  const all = listSources(tree, { platforms: opts.platforms });
  const files = opts.files ?? all;
  const known = new Set(all);
  // Lex everything first: a file's macros may come from headers it includes.
  const lexed = new Map<string, Lexed>();
  for (const rel of all) lexed.set(rel, lexFile(readSource(tree.root, rel)));
  const includes = new Map<string, string[]>();
  for (const [rel, lx] of lexed) {
    includes.set(rel, [...new Set(lx.includes.map((i) => resolveInclude(rel, i.name, known)).filter((x): x is string => !!x))]);
  }
  const closureCache = new Map<string, Map<string, MacroDef>>();
  const headerMacros = (rel: string): Map<string, MacroDef> => {
    const seen = new Set<string>();
    const order: string[] = [];
    const visit = (f: string) => {
      for (const h of includes.get(f) ?? []) {
        if (seen.has(h)) continue;
        seen.add(h);
        visit(h);
        order.push(h);
      }
    };
    visit(rel);
    const key = order.join(',');
    let m = closureCache.get(key);
    if (!m) {
      m = new Map();
      for (const h of order) for (const d of lexed.get(h)!.defines) m.set(d.name, d);
      closureCache.set(key, m);
    }
    return m;
  };
  // A .c file that another .c file includes is compiled only there, under that file's macros
  // (xmltok.c includes xmltok_ns.c twice, with NS(x) defined differently each time).
  const includedBy = new Map<string, { includer: string; at: number }[]>();
  for (const [rel, lx] of lexed) {
    if (!rel.endsWith('.c')) continue;
    for (const inc of lx.includes) {
      const target = resolveInclude(rel, inc.name, known);
      if (target && target !== rel && target.endsWith('.c')) {
        const list = includedBy.get(target) ?? [];
        list.push({ includer: rel, at: inc.at });
        includedBy.set(target, list);
      }
    }
  }
  const contextsOf = (rel: string): Map<string, MacroDef>[] => {
    const ctxs = includedBy.get(rel);
    if (!ctxs) return [headerMacros(rel)];
    return ctxs.map(({ includer, at }) => {
      const m = new Map(headerMacros(includer));
      for (const d of lexed.get(includer)!.defines) if (d.at < at) m.set(d.name, d);
      for (const [k, v] of headerMacros(rel)) if (!m.has(k)) m.set(k, v);
      return m;
    });
  };
  const decls: Declaration[] = [];
  const seen = new Set<string>();
  const reports: FileReport[] = [];
  const findings: Finding[] = [];
  files.forEach((rel, i) => {
    opts.onProgress?.(i, files.length, rel);
    const lx = lexed.get(rel);
    if (!lx) throw new UsageError(`${path.join(tree.root, rel)}: not a C source of this tree`);
    let parsed!: ReturnType<typeof parseFile>;
    for (const hm of contextsOf(rel)) {
      parsed = parseFile(lx, { rules: macros, headerMacros: hm, linesOf: (f) => lexed.get(f)?.lines });
      for (const d of parsed.declarations) {
        const key = `${d.file}|${d.offset}|${d.name}|${d.function ?? ''}|${d.viaMacro ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        decls.push(d);
      }
    }
    reports.push({
      path: rel,
      bytes: lx.source.text.length,
      errorNodes: parsed.errors.errorNodes,
      missingNodes: parsed.errors.missingNodes,
      recovered: 0,
      includes: includes.get(rel) ?? [],
    });
    for (const e of parsed.errors.topLevelErrors) {
      findings.push({
        file: rel,
        ...positionOf(lx.lines, e.start),
        ruleId: 'parse-error',
        severity: 'warning',
        message: `tree-sitter could not parse ${e.end - e.start} bytes here; declarations in this region may be missed`,
      });
    }
  });
  opts.onProgress?.(files.length, files.length, '');
  const globals = classify(linkSymbols(decls), macros, reviewed);
  refineClassification({
    globals,
    texts: new Map([...lexed].map(([p, lx]) => [p, lx.source.text])),
    defines: new Map([...lexed].map(([p, lx]) => [p, lx.defines])),
    includes,
  });
  for (const r of staleRows(reviewed, globals)) {
    findings.push({ file: `rules/reviewed/${r.source.split('#')[0]}`, line: 1, column: 1, ruleId: 'stale-reviewed-row', severity: 'error', message: `reviewed row ${r.source} (${r.file} ${r.function} ${r.name}) matches no global` });
  }
  const totals: Record<string, number> = { files: reports.length, globals: globals.length };
  for (const g of globals) totals[g.classification] = (totals[g.classification] ?? 0) + 1;
  return { tool: { name: 'pyglobal', version: toolVersion }, root: tree.root, files: reports, globals, findings, totals };
}
