// Loads a module of the compiled library (dist/). A checkout where nothing was built yet gets one
// line that says what to run, instead of a module-not-found stack.
import fs from 'node:fs';
import v8 from 'node:v8';

// Before any of the library is compiled: the scan's hot loops (tokenizer, masker) are large, and
// TurboFan re-optimizes them as new paths warm up; with inlining each re-optimization compiles
// the callees again too. Without it, `scan` of 2.4.6 spent 3.7 s of CPU instead of 4.1 s and
// finished in 2.04 s instead of 2.23 s on 2 cores (bench/cli-vs-parse.ts measures the commands).
// A process-wide compiler heuristic, set here for the CLI alone, never by the library.
v8.setFlagsFromString('--no-turbo-inlining');

export async function runCompiled(rel) {
  const url = new URL(`../dist/${rel}`, import.meta.url);
  if (!fs.existsSync(url)) {
    process.stderr.write(`pyglobal: ${url.pathname} is missing: run \`npm ci\` (or \`npm run build\`) in ${new URL('..', import.meta.url).pathname}\n`);
    process.exit(2);
  }
  return import(url.href);
}
