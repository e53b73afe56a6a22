// The apply stage: scan, plan, splice edits into the original bytes, write atomically.
import fs from 'node:fs';
import path from 'node:path';
import { planEdits, applyEdits, invertEdits, type Edit } from '../engine/edits.ts';
import { writeFilesAtomic, type WriteResult } from '../engine/write.ts';
import { unifiedDiff } from '../engine/diff.ts';
import { findStaleTemps, removeStaleTemps, describeTemps, tempFilePid, type TempFile, type TempScan, type TempSweep } from '../engine/stale-temps.ts';
import { languageOf, type Lang } from '../engine/parse.ts';
import { guardAfter, guardBefore, guardCounts, type GuardAfter, type GuardJob } from '../engine/parse-errors.ts';
import { errorCount, type CountJob, type TreeRequest } from '../engine/tree-facts.ts';
import type { SyncPool } from '../engine/scan-pool.ts';
import type { Lexed } from '../engine/scan-file.ts';
import type { MacroRules } from '../engine/macro-rules.ts';
import type { Finding, ScanResult } from '../engine/model.ts';
import { UsageError } from '../engine/errors.ts';
import { openTarget, targetFiles, isExtension, profileOf, type Target } from './target/index.ts';
import { poolLookahead, scanOpened } from './scan.ts';
import { planRewrite, readTexts, type Plan } from './plan.ts';
import { loadMacroRules } from './rules.ts';

export interface ApplyOptions {
  out?: string;
  /** The target is a folder of extension sources built against this rewritten tree. */
  python?: string;
  /** The extension folder is one translation unit of a larger build (see target/extension.ts). */
  unit?: boolean;
  dryRun?: boolean;
  onProgress?: (msg: string) => void;
  /** Messages worth keeping in the log (unlike progress, never throttled): stale temp files. */
  onLog?: (msg: string) => void;
  /** Worker threads for the scan and the guard (ScanOptions.workers); default: the scan's rule. */
  workers?: number;
}

export interface ApplyResult {
  root: string;
  plan: Omit<Plan, 'globals' | 'edits' | 'generated'> & { edits: number };
  files: WriteResult[];
  bytesWritten: number;
  diff?: string;
  findings: Finding[];
  scan: ScanResult['totals'];
  /**
   * Temp files of earlier runs that were killed (SIGKILL, a crash) before they could clean up;
   * removed before writing, or in a dry run only listed.
   */
  staleTemps: TempFile[];
  staleTempsRemoved: number;
}

export async function applyTree(src: string | undefined, opts: ApplyOptions = {}): Promise<ApplyResult> {
  let tree = openTarget(src, { python: opts.python, unit: opts.unit });
  if (opts.out) {
    const out = path.resolve(opts.out);
    if (fs.existsSync(out) && fs.readdirSync(out).length) throw new UsageError(`${out}: --out must be a new or empty directory`);
    if (!opts.dryRun) {
      opts.onProgress?.(`copying ${tree.root} to ${out}`);
      // Temp files of a run on the source (killed, or running now) are no part of the tree.
      let skipped = 0;
      const filter = (s: string) => {
        if (tempFilePid(path.basename(s)) === undefined) return true;
        skipped++;
        return false;
      };
      fs.cpSync(tree.root, out, { recursive: true, preserveTimestamps: true, filter });
      if (skipped) opts.onLog?.(`left ${skipped} pyglobal temp files of ${tree.root} out of the copy`);
      tree = openTarget(out, { python: isExtension(tree) ? tree.python.root : undefined, unit: opts.unit });
    }
  }
  // A run killed before it could clean up leaves temp files next to their targets (each target
  // itself is whole: old or new). Remove those whose writer is gone; a dry run only tells.
  const temps: TempScan & Partial<TempSweep> = opts.dryRun ? await findStaleTemps(tree.root) : await removeStaleTemps(tree.root);
  for (const line of describeTemps(temps, { dryRun: !!opts.dryRun })) opts.onLog?.(line);
  const staleTemps = temps.stale;
  const staleTempsRemoved = temps.removed?.length ?? 0;
  opts.onProgress?.('scanning');
  // The scan's worker, booted and warmed up, parses for the guard too.
  const kept: { pool?: SyncPool; lexed?: ReadonlyMap<string, Lexed> } = {};
  try {
    const scan = scanOpened(tree, { workers: opts.workers, onProgress: (i, n) => opts.onProgress?.(`scanning ${i}/${n}`), keepPool: (p) => (kept.pool = p), keepLexed: (l) => (kept.lexed = l) });
    return await rewrite(tree, opts, scan, kept, { staleTemps, staleTempsRemoved });
  } finally {
    kept.pool?.close();
  }
}

/** Plans the rewrite of a scanned tree, guards it, and writes it. */
async function rewrite(tree: Target, opts: ApplyOptions, scan: ScanResult, kept: { pool?: SyncPool; lexed?: ReadonlyMap<string, Lexed> }, temps: { staleTemps: TempFile[]; staleTempsRemoved: number }): Promise<ApplyResult> {
  const { staleTemps, staleTempsRemoved } = temps;
  opts.onProgress?.('planning');
  const texts = readTexts(tree.root, scan.files.map((f) => f.path), targetFiles(tree).abs, kept.lexed);
  const plan = planRewrite(scan, texts, profileOf(tree), kept.lexed);
  const errors = plan.findings.filter((f) => f.severity === 'error');
  // Scan findings (parse warnings, stale rules) are check's business; only the plan can block a rewrite.
  const findings = [...plan.findings];
  const summary = { moved: plan.moved, findings: plan.findings, coreInits: plan.coreInits, finiHooks: plan.finiHooks, edits: plan.edits.length };
  if (errors.length) {
    return { root: tree.root, plan: summary, files: [], bytesWritten: 0, findings, scan: scan.totals, staleTemps, staleTempsRemoved };
  }
  const changes: { path: string; text: string; undo?: Edit[] }[] = [];
  const rules = loadMacroRules(profileOf(tree));
  for (const fp of planEdits(plan.edits, { textOf: (f) => texts.get(f) })) {
    const before = texts.get(fp.file)!;
    changes.push({ path: fp.file, text: applyEdits(before, fp.edits), undo: invertEdits(before, fp.edits) });
  }
  // Parse no worse than before: an edit must never break a file's syntax. C sources first, then
  // C++ ones parsed as C++, each in plan order, so the first file reported is always the same.
  const guarded = [
    ...changes.filter((c) => /\.(c|h|inc)$/.test(c.path)).map((c) => ({ c, lang: 'c' as Lang })),
    ...changes.filter((c) => languageOf(c.path) === 'cxx').map((c) => ({ c, lang: 'cxx' as Lang })),
  ];
  const jobs: GuardJob[] = guarded.map(({ c, lang }) => ({ after: c.text, before: texts.get(c.path)!, lang, undo: (c.undo ?? []).map(({ start, end, text }) => ({ start, end, text })) }));
  const counts = guardAll(jobs, rules, kept.pool);
  guarded.forEach(({ c }, i) => {
    const { after: e1, before: e0 } = counts[i];
    if (e1 > e0) throw new UsageError(`${path.join(tree.root, c.path)}:1: internal error: the rewrite leaves ${e1 - e0} more parse errors in this file; nothing was written`);
  });
  for (const g of plan.generated) {
    const p = path.join(tree.root, g.path);
    const old = fs.existsSync(p) ? fs.readFileSync(p).toString('latin1') : undefined;
    if (old !== g.text) changes.push({ path: g.path, text: g.text });
  }
  let diff: string | undefined;
  if (opts.dryRun) {
    diff = changes
      .map((c) => {
        const p = path.join(tree.root, c.path);
        const old = fs.existsSync(p) ? fs.readFileSync(p).toString('latin1') : '';
        return unifiedDiff(c.path, old, c.text);
      })
      .join('');
  }
  opts.onProgress?.(opts.dryRun ? 'dry run: nothing written' : `writing ${changes.length} files`);
  const files = await writeFilesAtomic(tree.root, changes, { dryRun: !!opts.dryRun });
  const failed = files.filter((f) => f.outcome === 'error');
  if (failed.length) {
    throw new UsageError(`${failed.length} files could not be written; nothing was changed:\n${failed.map((f) => `  ${f.message ?? f.path}`).join('\n')}`);
  }
  const bytesWritten = opts.dryRun ? 0 : files.filter((f) => f.outcome === 'written').reduce((s, f) => s + f.bytes, 0);
  return { root: tree.root, plan: summary, files, bytesWritten, diff, findings, scan: scan.totals, staleTemps, staleTempsRemoved };
}

/**
 * The guard's parse error counts of each rewritten file, after and before, in order. With the
 * scan's pool, this thread masks each file and the worker parses it, as in the scan: the files
 * after, then those before whose after has errors. Without it, all in this thread. The same
 * counts either way.
 */
function guardAll(jobs: GuardJob[], rules: MacroRules, pool: SyncPool | undefined): { after: number; before: number }[] {
  if (!pool || pool.live === 0) return jobs.map((job) => guardCounts(job, rules));
  const afters: GuardAfter[] = [];
  const after = countInPool(pool, jobs.map((_, i) => i), (i) => (afters[i] = guardAfter(jobs[i], rules)).count ?? 0, (i) => jobs[i].after.length);
  const worse = jobs.map((_, i) => i).filter((i) => after.get(i)! > 0);
  const before = countInPool(pool, worse, (i) => guardBefore(jobs[i], rules, afters[i]!), (i) => jobs[i].before.length);
  return jobs.map((_, i) => ({ after: after.get(i)!, before: before.get(i) ?? 0 }));
}

/**
 * Error counts of the texts prepare(i) masks, for each i of which, biggest first; parsed in the
 * pool and here. prepare may give the count itself (a text that needs no parse).
 */
function countInPool(pool: SyncPool, which: number[], prepare: (i: number) => CountJob | number, size: (i: number) => number): Map<number, number> {
  const order = [...which].sort((a, b) => size(b) - size(a) || a - b);
  const out = new Map<number, number>();
  const offered: number[] = [];
  const stream = pool.stream(order.length, (req) => errorCount((req as { count: CountJob }).count), (j, n) => out.set(offered[j], n as number));
  for (const i of order) {
    const job = prepare(i);
    if (typeof job === 'number') {
      out.set(i, job);
      continue;
    }
    offered.push(i);
    stream.offer({ count: job } satisfies TreeRequest);
    stream.runAhead(poolLookahead);
  }
  stream.finish();
  return out;
}
