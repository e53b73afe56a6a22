// The scan stage over a whole tree: read, lex, resolve includes, parse, link, classify.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { lexFile, type Lexed, type ParsedFile } from '../engine/scan-file.ts';
import { LexicalIndex } from '../engine/lexical-index.ts';
import { PoolError, SyncPool, cpuSample, defaultPoolSize, othersBusyCores, workerModule } from '../engine/scan-pool.ts';
import type { MacroRules } from '../engine/macro-rules.ts';
import { linkSymbols } from '../engine/symbols.ts';
import { positionOf } from '../engine/lex.ts';
import type { Declaration, FileReport, Finding, ScanResult } from '../engine/model.ts';
import { classify } from './classify.ts';
import { refineClassification } from './refine.ts';
import { loadMacroRules } from './rules.ts';
import { loadReviewed, staleRows, loadReviewedTypes } from './reviewed.ts';
import { openTree } from './target/tree.ts';
import { targetFiles, isExtension, profileOf, type Target, type TargetFiles } from './target/index.ts';
import { libcIndex, libcSitesFrom, libcSpellings, staleSiteRows, loadLibcRules, loadReviewedSites, type LibcIndex, type LibcSite } from './libc.ts';
import { finishFileJob, nameFinder, prepareFileJob, scanFileJob, type FileScan, type PreparedFileJob } from '../engine/file-job.ts';
import { treeFacts, type TreeFacts, type TreeJob } from '../engine/tree-facts.ts';

export interface ScanOptions {
  platforms?: boolean;
  /** Restrict to these relative paths (tests, check on changed files). */
  files?: string[];
  onProgress?: (done: number, total: number, file: string) => void;
  /**
   * Worker threads that parse alongside this thread: 0 keeps it in this thread; default: one
   * per core but this one's, at most maxTreeWorkers, when the files to parse exceed workerThreshold bytes (below that,
   * starting workers costs more than they save) and other processes leave the cores free
   * (spareForWorkers).
   */
  workers?: number;
  /** Filled in with how the scan ran, for benchmarks and tests. */
  stats?: ScanStats;
  /**
   * Given the scan's pool, if it used one, instead of closing it: the caller parses more on the
   * same booted, warmed-up worker (apply's guard), and closes it.
   */
  keepPool?: (pool: SyncPool) => void;
  /** Given every file as the scan read and lexed it: apply's plan reads the same texts and defines. */
  keepLexed?: (lexed: ReadonlyMap<string, Lexed>) => void;
}

export interface ScanStats {
  /** Worker threads that parsed alongside this thread (0: this thread alone). */
  workers: number;
  /** Files parsed by each worker, this thread's count last. */
  filesPerThread?: number[];
  /** Why workers were dropped, if any could not start (the scan goes on without them). */
  fallback?: string;
  /** Cores other processes kept busy while the scan lexed (default worker count only). */
  othersBusy?: number;
  /** Milliseconds spent in each step, in the order they ran. */
  ms?: Record<string, number>;
}

/** Bytes to parse above which the scan uses worker threads by default. */
export const workerThreshold = 1 << 20;

/**
 * Idle core time, beyond this thread's core, below which the default scan drops its workers:
 * a worker given less than half a core costs more in start-up and messages than it parses.
 */
export const spareForWorkers = 0.5;

export const toolVersion = '0.1.0';

export function readSource(root: string, rel: string, absPath?: string) {
  const abs = absPath ?? path.join(root, rel);
  try {
    return { path: rel, text: fs.readFileSync(abs).toString('latin1') };
  } catch (e) {
    throw new UsageError(`${abs}:1: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The file an #include names, among the scanned ones: next to the includer, in Include/, or from
 * the top. An extension's build adds include folders of its own (numpy's -I of generated
 * headers), which a folder does not record: there the one file whose path ends in the name counts.
 */
export function resolveInclude(from: string, name: string, known: Set<string>, bySuffix = false): string | undefined {
  const dir = path.posix.dirname(from);
  for (const cand of [path.posix.join(dir, name), path.posix.join('Include', name), path.posix.normalize(name)]) {
    if (known.has(cand)) return cand;
  }
  if (!bySuffix || name.startsWith('../')) return undefined;
  const tail = '/' + path.posix.normalize(name);
  let found: string | undefined;
  for (const k of known) {
    if (!k.endsWith(tail) || k.startsWith('Include/')) continue;
    if (found !== undefined) return undefined; // two candidates: the folder alone cannot tell
    found = k;
  }
  return found;
}

export function scanTree(src: string | undefined, opts: ScanOptions = {}): ScanResult {
  const tree = openTree(src);
  return scanOpened(tree, opts);
}

export function scanOpened(tree: Target, opts: ScanOptions = {}): ScanResult {
  const macros = loadMacroRules(profileOf(tree));
  const reviewed = loadReviewed(profileOf(tree));
  const tf = targetFiles(tree, { platforms: opts.platforms });
  const all = tf.all;
  // An extension's own files are scanned with the tree's headers, whose declarations say what is thread-local.
  const files = opts.files ? [...opts.files, ...tf.context.filter((c) => !opts.files!.includes(c))] : all;
  const known = new Set(all);
  const wanted = workerCount(tf, files, opts);
  // Workers boot (a quarter of a second or so) while this thread reads, lexes and starts parsing.
  const ms: Record<string, number> = {};
  if (opts.stats) opts.stats.ms = ms;
  let t = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    ms[step] = (ms[step] ?? 0) + now - t;
    t = now;
  };
  let pool = wanted > 0 ? new SyncPool(workerModule('../engine/tree-worker', import.meta.url), wanted) : undefined;
  // By default the workers are used only if the cores are free: how busy other processes keep
  // them is measured over the reading and lexing below, while the workers boot.
  const before = pool && opts.workers === undefined ? cpuSample() : undefined;
  let result: ScanResult;
  try {
    // Lex everything first: a file's macros may come from headers it includes.
    const lexed = new Map<string, Lexed>();
    for (const rel of all) lexed.set(rel, lexFile(readSource(tree.root, rel, tf.abs(rel))));
    const bad = files.find((rel) => !lexed.has(rel));
    if (bad !== undefined) throw new UsageError(`${path.join(tree.root, bad)}: not a C source of this tree`);
    const index = new LexicalIndex(
      all.map((rel) => {
        const lx = lexed.get(rel)!;
        return { path: rel, defines: lx.defines, lines: lx.lines, includes: lx.includes.map((i) => ({ ...i, target: resolveInclude(rel, i.name, known, isExtension(tree)) })) };
      }),
    );
    lap('read+lex');
    opts.keepLexed?.(lexed);
    if (pool && before) {
      const others = othersBusyCores(before);
      if (opts.stats) opts.stats.othersBusy = others;
      if (defaultPoolSize() - others < 1 + spareForWorkers) {
        pool.close();
        pool = undefined;
      }
    }
    // The C library calls are found file by file, with the parse (engine/file-job.ts).
    const libc = libcIndex(loadLibcRules(profileOf(tree)), loadReviewedSites(profileOf(tree)));
    let parsed: FileScan[];
    if (pool) {
      try {
        parsed = parseInPool(pool, index, files, lexed, macros, libc, opts);
      } catch (e) {
        // A worker's UsageError is the user's problem, reported as if raised here.
        if (e instanceof PoolError && e.name === 'UsageError') throw new UsageError(e.message);
        throw e;
      }
      if (opts.stats) {
        opts.stats.workers = pool.live;
        opts.stats.filesPerThread = [...pool.counts];
        // Workers that cannot start (no tsx, no threads) only cost time: this thread did their share.
        if (pool.failures.length) opts.stats.fallback = pool.failures[0].message;
      }
    } else {
      if (opts.stats) opts.stats.workers = 0;
      const finder = nameFinder(libcSpellings(libc));
      parsed = files.map((rel, i) => {
        opts.onProgress?.(i, files.length, rel);
        return scanFileJob(index, rel, lexed.get(rel)!.source.text, macros, finder);
      });
    }
    lap('parse');
    // Handed over or let go before linking: a worker's teardown then runs beside it.
    if (pool && opts.keepPool) opts.keepPool(pool);
    else pool?.close();
    result = assemble(tree, files, lexed, index, parsed, macros, reviewed, libc, opts, new Set(tf.context));
    lap('link+classify');
  } catch (e) {
    pool?.close(); // whether handed over or not: a failed scan leaves its caller nothing to parse
    throw e;
  }
  return result;
}

/**
 * Workers worth starting by default, however many cores: this thread tokenizes and masks every
 * file, about a quarter of a file's CPU time in one thread, so three workers parse as fast as it
 * can prepare, and every job is sent to each of them. (Reasoned from the 2-core figures, where
 * one worker is all there is: not measured on more cores.)
 */
export const maxTreeWorkers = 3;

function workerCount(tf: TargetFiles, files: string[], opts: ScanOptions): number {
  if (opts.workers !== undefined) return Math.max(0, Math.floor(opts.workers));
  const n = Math.min(defaultPoolSize() - 1, maxTreeWorkers, files.length - 1);
  if (n < 1) return 0;
  let bytes = 0;
  for (const rel of files) {
    try {
      bytes += fs.statSync(tf.abs(rel)).size;
    } catch {
      // reported with file:line when it is read
    }
    if (bytes > workerThreshold) return n;
  }
  return 0;
}

/**
 * How many offered parses may wait for a worker before this thread runs the oldest itself. With
 * fewer, a worker sat idle while this thread parsed a big file; with no limit, this thread
 * tokenized the whole tree before parsing any, and tokenized at half speed (1, 2, 4, no limit:
 * a scan of 2.4.6 in 2.16, 2.06, 2.02, 2.07 s on 2 cores).
 */
export const poolLookahead = 4;

/**
 * Scans files with the pool: this thread prepares each file (tokens, masks, call sites), biggest
 * first, and offers its parse to the workers, which run tree-sitter and the tree walk while it
 * prepares the next; once all are offered, it parses here whatever no worker has taken. Each
 * file is finished (declarations placed) in this thread as its facts come in.
 */
function parseInPool(pool: SyncPool, index: LexicalIndex, files: string[], lexed: Map<string, Lexed>, macros: MacroRules, libc: LibcIndex, opts: ScanOptions): FileScan[] {
  const finder = nameFinder(libcSpellings(libc));
  const order = files.map((_, i) => i).sort((a, b) => lexed.get(files[b])!.source.text.length - lexed.get(files[a])!.source.text.length || a - b);
  const out: FileScan[] = new Array(files.length);
  const pending: (PreparedFileJob | undefined)[] = new Array(files.length);
  let done = 0;
  const stream = pool.stream(
    files.length,
    (jobs) => (jobs as TreeJob[]).map(treeFacts),
    (j, facts) => {
      const i = order[j];
      out[i] = finishFileJob(pending[i]!, facts as TreeFacts[]);
      pending[i] = undefined;
      opts.onProgress?.(done++, files.length, files[i]);
    },
  );
  for (const i of order) {
    const job = prepareFileJob(index, files[i], lexed.get(files[i])!.source.text, macros, finder);
    pending[i] = job;
    stream.offer(job.prepared.map((p) => p.job));
    stream.runAhead(poolLookahead);
  }
  stream.finish();
  return out;
}

/** Joins the per-file results in tree order, then links and classifies: the same answer however the files were parsed. */
function assemble(
  tree: Target,
  files: string[],
  lexed: Map<string, Lexed>,
  index: LexicalIndex,
  parsedFiles: FileScan[],
  macros: MacroRules,
  reviewed: ReturnType<typeof loadReviewed>,
  libc: LibcIndex,
  opts: ScanOptions,
  context: Set<string>,
): ScanResult {
  const includes = index.includes;
  const decls: Declaration[] = [];
  const seen = new Set<string>();
  const reports: FileReport[] = [];
  const findings: Finding[] = [];
  files.forEach((rel, i) => {
    const lx = lexed.get(rel)!;
    let parsed!: ParsedFile;
    for (parsed of parsedFiles[i].parsed) {
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
    for (const e of context.has(rel) ? [] : parsed.errors.topLevelErrors) {
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
  const unit = isExtension(tree) && tree.unit ? { context } : undefined;
  const globals = classify(linkSymbols(decls), macros, reviewed, loadReviewedTypes(profileOf(tree)), { unit, target: isExtension(tree) ? 'extension' : 'tree' });
  refineClassification({
    globals,
    texts: new Map([...lexed].map(([p, lx]) => [p, lx.source.text])),
    defines: new Map([...lexed].map(([p, lx]) => [p, lx.defines])),
    includes,
  });
  // A row about a file this tree has, matching nothing, is stale; one about a file it lacks
  // belongs to another tree (a profile describes its release; the fixture is smaller).
  // The reviewed rows describe the tree; an extension folder is not the place to find them stale.
  for (const r of isExtension(tree) ? [] : staleRows(reviewed, globals)) {
    const here = r.file.includes("*") || lexed.has(r.file);
    findings.push({
      file: r.rulesFile,
      line: 1,
      column: 1,
      ruleId: 'stale-reviewed-row',
      severity: here ? 'error' : 'note',
      message: here ? `reviewed row ${r.source} (${r.file} ${r.function} ${r.name}) matches no global` : `reviewed row ${r.source} is about ${r.file}, which this tree does not have`,
    });
  }
  // The C library calls that keep state behind their API, in the files scanned.
  const libcCalls: LibcSite[] = [];
  files.forEach((rel, i) => {
    if (!context.has(rel)) libcCalls.push(...libcSitesFrom(rel, parsedFiles[i].sites, libc));
  });
  for (const r of staleSiteRows(libc, libcCalls, new Set(files.filter((f) => !context.has(f))))) {
    findings.push({ file: r.rulesFile, line: 1, column: 1, ruleId: 'stale-reviewed-row', severity: 'error', message: `reviewed call site ${r.source} (${r.file} ${r.function} ${r.name}) matches no call` });
  }
  // The tree's own globals, seen through its headers, are context: only the extension's count.
  const ownGlobals = globals.filter((g) => !g.declarations.every((d) => context.has(d.file)));
  const totals: Record<string, number> = { files: reports.length - context.size, globals: ownGlobals.length };
  for (const g of ownGlobals) totals[g.classification] = (totals[g.classification] ?? 0) + 1;
  totals.libcCalls = libcCalls.length;
  for (const c of libcCalls) totals[`libc-${c.status}`] = (totals[`libc-${c.status}`] ?? 0) + 1;
  const result: ScanResult = { tool: { name: 'pyglobal', version: toolVersion }, root: tree.root, files: reports, globals, libcCalls, findings, totals };
  if (context.size) result.context = { python: isExtension(tree) ? tree.python.root : tree.root, files: [...context] };
  return result;
}
