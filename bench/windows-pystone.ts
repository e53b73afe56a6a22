// Pystone under Wine for the Windows build's one interpreter, against a stock (PYGLOBAL empty)
// Windows build of the same tree, as a ratio taken in one run: best of ROUNDS, interleaved.
//   npx tsx bench/windows-pystone.ts <tls windows build> <stock windows build> [--loops 100000] [--rounds 5]
// The builds are `pyglobal build <tree> --variant tls|stock --target windows --out DIR`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { loops: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' } } });
const [tls, stock] = positionals.map((p) => path.resolve(p));
if (!tls || !stock) {
  console.error('usage: bench/windows-pystone.ts <tls windows build> <stock windows build> [--loops 100000] [--rounds 5]');
  process.exit(2);
}
const describe = (dir: string) => {
  const j = JSON.parse(fs.readFileSync(path.join(dir, 'pyglobal-build.json'), 'utf8'));
  return `${j.variant}, ${j.compiler.name} (${j.compiler.version}), PYGLOBAL=${j.compiler.pyglobal || '(empty)'}`;
};

function pystones(dir: string): number {
  const code = `import sys; sys.argv = ['pystone', '${values.loops}']; execfile('Lib/test/pystone.py', {'__name__': '__main__'})`;
  const r = spawnSync('wine', [path.join(dir, 'pymt.exe'), '-c', code], { cwd: dir, encoding: 'latin1', env: { ...process.env, WINEDEBUG: '-all' } });
  const m = /benchmarks at ([\d.]+) pystones\/second/.exec(r.stdout);
  if (!m) throw new Error(`${dir}: pystone failed: ${(r.stderr || r.stdout).slice(-1500)}`);
  return Number(m[1]);
}

const rounds = Number(values.rounds);
const best = { tls: 0, stock: 0 };
pystones(tls); // Wine's first start in a prefix is slow: warm it
for (let i = 0; i < rounds; i++) {
  best.tls = Math.max(best.tls, pystones(tls));
  best.stock = Math.max(best.stock, pystones(stock));
}
console.log(`pystone ${values.loops} loops under Wine, one interpreter, best of ${rounds} interleaved`);
console.log(`machine: ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`  tls:   ${describe(tls)}: ${best.tls.toFixed(0)} pystones/s`);
console.log(`  stock: ${describe(stock)}: ${best.stock.toFixed(0)} pystones/s`);
console.log(`ratio tls/stock: ${(best.tls / best.stock).toFixed(3)} (1.0 = as fast as stock)`);
