// Prints the whole-tree scan time as a ratio to tree-sitter's raw parse of the same files,
// both measured in this run. Target (DESIGN §6): ≤ 1.5.
//   npx tsx bench/scan-vs-parse.ts [src]   (default: $CPYTHON24_SRC, else the bundled fixture)
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseC } from '../src/engine/parse.ts';
import { scanOpened } from '../src/cpython24/scan.ts';
import { listSources, openTree } from '../src/cpython24/tree.ts';

const tree = openTree(process.argv[2] ?? process.env.CPYTHON24_SRC);
const files = listSources(tree);
const texts = files.map((f) => fs.readFileSync(path.join(tree.root, f)).toString('latin1'));
const rounds = Number(process.env.ROUNDS ?? 3);

function rawParse(): number {
  const t0 = performance.now();
  // Read + parse, as the scan must do both.
  for (const f of files) parseC(fs.readFileSync(path.join(tree.root, f)).toString('latin1'));
  return performance.now() - t0;
}
function scan(): number {
  const t0 = performance.now();
  scanOpened(tree);
  return performance.now() - t0;
}
void texts;
// Warm up both (JIT, tree-sitter allocations), then take the best of N of each, interleaved.
rawParse();
scan();
let bestParse = Infinity;
let bestScan = Infinity;
for (let i = 0; i < rounds; i++) {
  bestParse = Math.min(bestParse, rawParse());
  bestScan = Math.min(bestScan, scan());
}
const ratio = bestScan / bestParse;
console.log(`tree: ${tree.root} (${files.length} files)`);
console.log(`raw tree-sitter parse: ${bestParse.toFixed(0)} ms`);
console.log(`pyglobal scan:         ${bestScan.toFixed(0)} ms`);
console.log(`ratio scan/parse:      ${ratio.toFixed(2)}  (target ≤ 1.5)`);
