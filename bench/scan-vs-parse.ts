// Prints the whole-tree scan time as a ratio to tree-sitter's raw single-thread parse of the
// same files, all measured in this run: the scan as it runs by default (worker threads, their
// start included) and the scan in one thread, so neither figure hides the other.
// Target (DESIGN §6): scan ≤ 1.5× raw parse; check (which reuses the scan) ≤ 1.2×.
//   npx tsx bench/scan-vs-parse.ts [src]   (default: $CPYTHON24_SRC, else the bundled fixture)
//   ROUNDS=n (default 5): best of n, the three measurements interleaved in each round.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseC } from '../src/engine/parse.ts';
import { scanOpened, type ScanStats } from '../src/cpython2/scan.ts';
import { listSources, openTree } from '../src/cpython2/target/tree.ts';

const tree = openTree(process.argv[2] ?? process.env.CPYTHON24_SRC);
const files = listSources(tree);
const rounds = Number(process.env.ROUNDS ?? 5);

function rawParse(): number {
  const t0 = performance.now();
  // Read + parse, as the scan must do both.
  for (const f of files) parseC(fs.readFileSync(path.join(tree.root, f)).toString('latin1'));
  return performance.now() - t0;
}

function scan(workers: number | undefined): { ms: number; stats: ScanStats; json: string } {
  const stats: ScanStats = { workers: -1 };
  const t0 = performance.now();
  const result = scanOpened(tree, { workers, stats });
  const ms = performance.now() - t0;
  return { ms, stats, json: JSON.stringify(result) };
}

const loadBefore = os.loadavg()[0];
// Warm up (JIT, tree-sitter allocations), and check that both ways give the same answer.
rawParse();
const warmPool = scan(undefined);
const warmOne = scan(0);
const same = warmPool.json === warmOne.json;
let bestParse = Infinity;
let bestPool = Infinity;
let bestOne = Infinity;
for (let i = 0; i < rounds; i++) {
  bestParse = Math.min(bestParse, rawParse());
  bestPool = Math.min(bestPool, scan(undefined).ms);
  bestOne = Math.min(bestOne, scan(0).ms);
}
const bytes = files.reduce((s, f) => s + fs.statSync(path.join(tree.root, f)).size, 0);
const workers = warmPool.stats.workers;
const pad = (s: string) => s.padEnd(34);
console.log(`tree: ${tree.root} (${files.length} files, ${(bytes / 1e6).toFixed(1)} MB), best of ${rounds}, interleaved`);
console.log(`${pad('raw tree-sitter parse, 1 thread:')}${bestParse.toFixed(0)} ms`);
const how = workers ? `this thread + ${workers} worker${workers > 1 ? 's' : ''}` : 'one thread (input below threshold)';
console.log(`${pad(`scan, ${how}:`)}${bestPool.toFixed(0)} ms   ratio ${(bestPool / bestParse).toFixed(2)}  (target ≤ 1.5; check ≤ 1.2)`);
console.log(`${pad('scan, in-process (1 thread):')}${bestOne.toFixed(0)} ms   ratio ${(bestOne / bestParse).toFixed(2)}`);
if (warmPool.stats.filesPerThread) console.log(`files parsed per thread (workers, then this one): ${warmPool.stats.filesPerThread.join(' / ')}`);
const steps = (s: ScanStats) => Object.entries(s.ms ?? {}).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
console.log(`steps, pooled: ${steps(warmPool.stats)}; in-process: ${steps(warmOne.stats)} (ms, warm-up run)`);
if (warmPool.stats.fallback) console.log(`note: workers could not start, scan fell back to one thread: ${warmPool.stats.fallback}`);
console.log(`results of both scans identical: ${same ? 'yes' : 'NO'}`);
// Workers only pay off on idle cores: a busy machine makes the pooled figure look worse than it is.
console.log(`machine: ${os.availableParallelism()} cores, load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after`);
if (!same) process.exitCode = 1;
