// The baseline of bench/cli-vs-parse.ts, in a process of its own: read every file of a list and
// parse it with tree-sitter-c in one thread, nothing else. Plain JavaScript over the compiled
// parser (dist/), so that no transpiler's start-up flatters the ratios.
//   node bench/raw-parse.mjs <root> <file with one relative path per line>
import fs from 'node:fs';
import path from 'node:path';
import { parseC } from '../dist/engine/parse.js';

const [root, list] = process.argv.slice(2);
for (const rel of fs.readFileSync(list, 'utf8').split('\n').filter(Boolean)) {
  parseC(fs.readFileSync(path.join(root, rel)).toString('latin1'));
}
