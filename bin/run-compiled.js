// Loads a module of the compiled library (dist/). A checkout where nothing was built yet gets one
// line that says what to run, instead of a module-not-found stack.
import fs from 'node:fs';

export async function runCompiled(rel) {
  const url = new URL(`../dist/${rel}`, import.meta.url);
  if (!fs.existsSync(url)) {
    process.stderr.write(`pyglobal: ${url.pathname} is missing: run \`npm ci\` (or \`npm run build\`) in ${new URL('..', import.meta.url).pathname}\n`);
    process.exit(2);
  }
  return import(url.href);
}
