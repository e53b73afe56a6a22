// Prints `pyglobal check`'s time on a tree as a ratio to tree-sitter's raw single-thread parse of
// the same files, both measured in this run (best of ROUNDS, interleaved). The tree is normally
// one that `pyglobal apply` rewrote, as in CI. Target (DESIGN §6): ≤ 1.2.
//   npx tsx bench/check-vs-parse.ts <rewritten tree>   (default: the bundled fixture)
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseC } from '../src/engine/parse.ts';
import { checkTree } from '../src/cpython2/check.ts';
import { listSources, openTree } from '../src/cpython2/target/tree.ts';

const tree = openTree(process.argv[2]);
const files = listSources(tree);
const rounds = Number(process.env.ROUNDS ?? 3);

function rawParse(): number {
  const t0 = performance.now();
  for (const f of files) parseC(fs.readFileSync(path.join(tree.root, f)).toString('latin1'));
  return performance.now() - t0;
}
function check(): { ms: number; errors: number } {
  const t0 = performance.now();
  const r = checkTree(tree.root);
  return { ms: performance.now() - t0, errors: r.report.findings.filter((f) => f.severity === 'error').length };
}

rawParse();
const warm = check();
let bestParse = Infinity;
let bestCheck = Infinity;
for (let i = 0; i < rounds; i++) {
  bestParse = Math.min(bestParse, rawParse());
  bestCheck = Math.min(bestCheck, check().ms);
}
console.log(`tree: ${tree.root} (${files.length} files), best of ${rounds}, interleaved`);
console.log(`raw tree-sitter parse, 1 thread: ${bestParse.toFixed(0)} ms`);
console.log(`pyglobal check:                  ${bestCheck.toFixed(0)} ms   (${warm.errors} errors found)`);
console.log(`ratio check/parse:               ${(bestCheck / bestParse).toFixed(2)}  (target ≤ 1.2)`);
