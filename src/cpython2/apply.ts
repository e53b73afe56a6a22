// The apply stage: scan, plan, splice edits into the original bytes, write atomically.
import fs from 'node:fs';
import path from 'node:path';
import { planEdits, applyEdits, invertEdits, type Edit } from '../engine/edits.ts';
import { writeFilesAtomic, type WriteResult } from '../engine/write.ts';
import { unifiedDiff } from '../engine/diff.ts';
import { findStaleTemps, removeStaleTemps, describeTemps, tempFilePid, type TempFile, type TempScan, type TempSweep } from '../engine/stale-temps.ts';
import { languageOf, type Lang } from '../engine/parse.ts';
import { guardCounts, type GuardJob } from '../engine/parse-errors.ts';
import { SyncPool, cpuSample, defaultPoolSize, othersBusyCores, workerModule, type CpuSample } from '../engine/scan-pool.ts';
import type { ScanRequest } from '../engine/scan-worker.ts';
import type { MacroRules } from '../engine/macro-rules.ts';
import type { Finding, ScanResult } from '../engine/model.ts';
import { UsageError } from '../engine/errors.ts';
import { openTarget, targetFiles, isExtension, profileOf } from './target/index.ts';
import { scanOpened, spareForWorkers, workerThreshold } from './scan.ts';
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
  const scan = scanOpened(tree, { onProgress: (i, n) => opts.onProgress?.(`scanning ${i}/${n}`) });
  opts.onProgress?.('planning');
  const planStart = cpuSample();
  const texts = readTexts(tree.root, scan.files.map((f) => f.path), targetFiles(tree).abs);
  const plan = planRewrite(scan, texts, profileOf(tree));
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
  const counts = guardAll(jobs, rules, planStart);
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
 * The guard's parse error counts of each rewritten file, after and before, in order. Spread over
 * the scan's pool workers when the texts are big enough and other processes left a core free
 * while planning (the scan's own rule), else counted in this thread: the same counts either way.
 */
function guardAll(jobs: GuardJob[], rules: MacroRules, since: CpuSample): { after: number; before: number }[] {
  const here = (job: GuardJob) => guardCounts(job, rules);
  const workers = defaultPoolSize() - 1;
  const bytes = jobs.reduce((n, j) => n + j.after.length, 0);
  if (workers < 1 || bytes <= workerThreshold || defaultPoolSize() - othersBusyCores(since) < 1 + spareForWorkers) return jobs.map(here);
  const out: { after: number; before: number }[] = new Array(jobs.length);
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[b].after.length - jobs[a].after.length || a - b);
  const pool = new SyncPool(workerModule('../engine/scan-worker', import.meta.url), workers);
  try {
    pool.setup({ kind: 'index', files: [], rules: [...rules] } satisfies ScanRequest);
    const requests = order.map((i) => ({ kind: 'guard', job: jobs[i] }) satisfies ScanRequest);
    pool.run(requests, (j, value) => (out[order[j]] = value as { after: number; before: number }), { local: (req) => here((req as { job: GuardJob }).job) });
  } finally {
    pool.close();
  }
  return out;
}
