// numpy's speed in the thread-local build, as ratios taken in one run (interleaved, best of
// ROUNDS runs, each the best of REPEAT inside the process), on workloads of our own
// (bench/numpy_workloads.py):
//   tls/stock      numpy rewritten by pyglobal-cc on the tls build, against numpy as shipped on
//                  the stock build: what a user pays in all;
//   tls/unrewritten the same tls core with numpy as shipped (one interpreter only): what numpy's
//                  own thread-local globals cost, reached through __tls_get_addr from a dlopened .so.
// Target (issue 8): ≤ 1.05.
//   npx tsx bench/numpy-speed.ts --tls <tls build> --tls-numpy <site dir> --stock <stock build>
//        --stock-numpy <site dir> [--unrewritten-numpy <site dir>] [--rounds 3] [--repeat 3]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    tls: { type: 'string' },
    'tls-numpy': { type: 'string' },
    stock: { type: 'string' },
    'stock-numpy': { type: 'string' },
    'unrewritten-numpy': { type: 'string' },
    rounds: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '3' },
  },
});
if (!values.tls || !values['tls-numpy'] || !values.stock || !values['stock-numpy']) {
  console.error('usage: bench/numpy-speed.ts --tls <tls build> --tls-numpy <site dir> --stock <stock build> --stock-numpy <site dir> [--unrewritten-numpy <site dir>] [--rounds 3] [--repeat 3]');
  process.exit(2);
}
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy_workloads.py');

interface Config { name: string; build: string; site: string }
const configs: Config[] = [
  { name: 'tls', build: path.resolve(values.tls), site: path.resolve(values['tls-numpy']) },
  { name: 'stock', build: path.resolve(values.stock), site: path.resolve(values['stock-numpy']) },
];
if (values['unrewritten-numpy']) configs.push({ name: 'unrewritten', build: configs[0].build, site: path.resolve(values['unrewritten-numpy']) });

// python -E ignores PYTHONPATH, so the workload script gets the site dir from a wrapper line.
function withSite(c: Config): Map<string, number> {
  const r = spawnSync(path.join(c.build, 'python'), ['-E', '-c', `import sys; sys.path.insert(0, ${JSON.stringify(c.site)}); sys.argv = [${JSON.stringify(script)}, ${JSON.stringify(values.repeat)}]; execfile(${JSON.stringify(script)}, {'__name__': '__main__'})`], { cwd: '/', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${c.name}: ${r.stderr.slice(-2000)}`);
  return new Map(r.stdout.trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
}

const best = new Map<string, Map<string, number>>(configs.map((c) => [c.name, new Map()]));
const rounds = Number(values.rounds);
for (let i = 0; i < rounds; i++) {
  for (const c of configs) {
    for (const [w, s] of withSite(c)) {
      const b = best.get(c.name)!;
      b.set(w, Math.min(b.get(w) ?? Infinity, s));
    }
  }
}
const tls = best.get('tls')!;
const stock = best.get('stock')!;
const un = best.get('unrewritten');
const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
console.log(`numpy speed, best of ${rounds} interleaved runs × ${values.repeat} repeats`);
console.log(`  tls:   ${configs[0].build} + ${configs[0].site}`);
console.log(`  stock: ${configs[1].build} + ${configs[1].site}`);
if (un) console.log(`  unrewritten: ${configs[2].build} + ${configs[2].site}`);
console.log(`${'workload'.padEnd(14)} ${'tls s'.padStart(9)} ${'stock s'.padStart(9)} ${'tls/stock'.padStart(10)}${un ? ` ${'unrewr. s'.padStart(10)} ${'tls/unrewr.'.padStart(12)}` : ''}`);
const r1: number[] = [];
const r2: number[] = [];
for (const [w, t] of tls) {
  const s = stock.get(w)!;
  r1.push(t / s);
  let line = `${w.padEnd(14)} ${t.toFixed(4).padStart(9)} ${s.toFixed(4).padStart(9)} ${(t / s).toFixed(3).padStart(10)}`;
  if (un) {
    const u = un.get(w)!;
    r2.push(t / u);
    line += ` ${u.toFixed(4).padStart(10)} ${(t / u).toFixed(3).padStart(12)}`;
  }
  console.log(line);
}
console.log(`geometric mean tls/stock: ${geo(r1).toFixed(3)}${un ? `   tls/unrewritten: ${geo(r2).toFixed(3)}` : ''}   (target ≤ 1.05)`);
