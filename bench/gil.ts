// The scaling row for stock threads under the GIL: the same work (bench/workloads/objects.py's
// run(loops), locals only, so two copies in one interpreter do not share data) done twice, at
// once, three ways, each against one copy done alone by the same build:
//   stock threads      2 threading.Threads in one stock (threaded) python: the GIL serialises them;
//   tls interpreters   pymt -n 2: 2 interpreters in 2 threads of one process;
//   tls processes      2 ./python processes.
// speed-up = 2 × (one copy alone) / (two at once); 2.0 is perfect on 2 free cores. Best of N,
// the ways interleaved in each round (issue 10, item 3).
//   npx tsx bench/gil.ts <stock build> <tls build> [--loops 60000] [--rounds 5] [--json]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { loops: { type: 'string', default: '60000' }, rounds: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } });
const [stock, tls] = positionals.map((p) => path.resolve(p));
if (!stock || !tls) {
  console.error('usage: bench/gil.ts <stock build> <tls build> [--loops 60000] [--rounds 5] [--json]');
  process.exit(2);
}
const loops = Number(values.loops);
const rounds = Number(values.rounds);
// Python 2.4 writes objects.pyc beside the module it imports (no -B yet): import a copy.
const workloads = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-gil-'));
fs.copyFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'workloads/objects.py'), path.join(workloads, 'objects.py'));
process.on('exit', () => fs.rmSync(workloads, { recursive: true, force: true }));
const prelude = `import sys; sys.path.insert(0, ${JSON.stringify(workloads)}); import objects`;

/** Wall seconds for the commands run at once, each [program, ...args] in its build folder. */
function wall(cmds: { build: string; argv: string[] }[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  return Promise.all(
    cmds.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(path.join(c.build, c.argv[0]), c.argv.slice(1), { cwd: c.build, stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          p.stderr.on('data', (d) => (err += d));
          p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${c.argv.join(' ')}: exit ${code}: ${err.slice(-1000)}`))));
        }),
    ),
  ).then(() => Number(process.hrtime.bigint() - t0) / 1e9);
}

const one = (b: string) => ({ build: b, argv: ['python', '-E', '-c', `${prelude}; objects.run(${loops})`] });
const ways: { name: string; alone: { build: string; argv: string[] }[]; two: { build: string; argv: string[] }[] }[] = [
  {
    name: 'stock: 2 threads, one interpreter (GIL)',
    alone: [one(stock)],
    two: [{ build: stock, argv: ['python', '-E', '-c', `${prelude}; import threading; ts = [threading.Thread(target=objects.run, args=(${loops},)) for i in range(2)]; [t.start() for t in ts]; [t.join() for t in ts]`] }],
  },
  {
    name: 'tls: 2 interpreters in threads (pymt -n 2)',
    alone: [{ build: tls, argv: ['pymt', '-n', '1', '-c', `${prelude}; objects.run(${loops})`] }],
    two: [{ build: tls, argv: ['pymt', '-n', '2', '-c', `${prelude}; objects.run(${loops})`] }],
  },
  { name: 'tls: 2 processes', alone: [one(tls)], two: [one(tls), one(tls)] },
  { name: 'stock: 2 processes', alone: [one(stock)], two: [one(stock), one(stock)] },
];

const best = ways.map(() => ({ alone: Infinity, two: Infinity }));
for (let r = 0; r < rounds; r++)
  for (const [k, w] of ways.entries()) {
    best[k].alone = Math.min(best[k].alone, await wall(w.alone));
    best[k].two = Math.min(best[k].two, await wall(w.two));
  }
const rows = ways.map((w, k) => ({ way: w.name, aloneS: best[k].alone, twoS: best[k].two, speedup: (2 * best[k].alone) / best[k].two }));
if (values.json) console.log(JSON.stringify({ loops, rounds, cores: os.cpus().length, load: os.loadavg(), rows }, null, 2));
else {
  console.log(`machine: ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; objects.run(${loops}), best of ${rounds}, interleaved`);
  for (const r of rows) console.log(`  ${r.way.padEnd(44)} 1 copy ${r.aloneS.toFixed(2)} s   2 at once ${r.twoS.toFixed(2)} s   speed-up ${r.speedup.toFixed(2)}×`);
}
