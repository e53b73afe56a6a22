// Speed of the thread-local build, measured in one run, as ratios:
//   1. single-thread pystone: tls ./python vs the stock (or stock-variant) ./python, interleaved;
//   2. throughput: pymt -n N running the same pystone in N interpreters at once vs -n 1, on N cores.
// Targets (DESIGN §6): pystone ≤ 3 % slower than stock; N threads ≥ 0.95·N the work of one.
//   npx tsx bench/speed.ts <tls build> <stock build> [--loops 200000] [--rounds 5] [-n N]
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { loops: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' }, n: { type: 'string', short: 'n' } },
});
const [tls, stock] = positionals.map((p) => path.resolve(p));
if (!tls || !stock) {
  console.error('usage: bench/speed.ts <tls build> <stock build> [--loops 200000] [--rounds 5] [-n N]');
  process.exit(2);
}
const loops = values.loops!;
const rounds = Number(values.rounds);
const n = Number(values.n ?? os.availableParallelism());

function pystones(build: string): number {
  const r = spawnSync(path.join(build, 'python'), ['-E', 'Lib/test/pystone.py', loops], { cwd: build, encoding: 'utf8' });
  const m = /This machine benchmarks at ([\d.]+) pystones\/second/.exec(r.stdout);
  if (!m) throw new Error(`${build}: pystone failed: ${r.stderr || r.stdout}`);
  return Number(m[1]);
}

/** Wall seconds for pymt -n k, each interpreter running pystone once. */
function pymt(k: number): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(path.join(tls, 'pymt'), ['-n', String(k), '-c', `import sys; sys.argv = ['pystone', '${loops}']; execfile('Lib/test/pystone.py', {'__name__': '__main__'})`], { cwd: tls, encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`pymt -n ${k} failed: ${r.stderr.slice(-2000)}`);
  return s;
}

/** Wall seconds for k separate ./python processes running pystone at once: the anchor. */
async function processes(k: number): Promise<number> {
  const { spawn } = await import('node:child_process');
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: k }, () => new Promise<void>((resolve, reject) => {
      const c = spawn(path.join(tls, 'python'), ['-E', 'Lib/test/pystone.py', loops], { cwd: tls, stdio: 'ignore' });
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`python exited ${code}`))));
    })),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

let bestTls = 0;
let bestStock = 0;
for (let i = 0; i < rounds; i++) {
  bestStock = Math.max(bestStock, pystones(stock));
  bestTls = Math.max(bestTls, pystones(tls));
}
let one = Infinity;
let many = Infinity;
let pOne = Infinity;
let pMany = Infinity;
for (let i = 0; i < rounds; i++) {
  one = Math.min(one, pymt(1));
  many = Math.min(many, pymt(n));
  pOne = Math.min(pOne, await processes(1));
  pMany = Math.min(pMany, await processes(n));
}
const slower = (1 - bestTls / bestStock) * 100;
const scaling = (n * one) / many;
console.log(`pystone ${loops}, best of ${rounds}, interleaved`);
console.log(`  stock ${stock}: ${bestStock.toFixed(0)} pystones/s`);
console.log(`  tls   ${tls}: ${bestTls.toFixed(0)} pystones/s`);
console.log(`  tls vs stock: ${(bestTls / bestStock).toFixed(3)} (${slower >= 0 ? `${slower.toFixed(1)} % slower` : `${(-slower).toFixed(1)} % faster`}; target ≤ 3 % slower)`);
console.log(`throughput, ${n} interpreters at once in one pymt vs 1 (best of ${rounds}), ${os.availableParallelism()} cores`);
console.log(`  1 interpreter: ${one.toFixed(2)} s for 1 run; ${n} interpreters: ${many.toFixed(2)} s for ${n} runs`);
console.log(`  scaling: ${scaling.toFixed(2)} × one interpreter's work per unit time (target ≥ ${(0.95 * n).toFixed(2)})`);
const pScaling = (n * pOne) / pMany;
console.log(`  the same with ${n} separate processes (the anchor this machine allows): ${pScaling.toFixed(2)} ×`);
console.log(`  threads / processes: ${(scaling / pScaling).toFixed(2)}`);
