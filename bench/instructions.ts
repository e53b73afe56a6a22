// The interpreter's own single-thread cost, without the VM's noise: instructions counted by
// valgrind --tool=callgrind for a workload at two sizes, the difference taken so that start-up
// cancels, each build against the first (stock). Wall-clock best-of-N beside it, interleaved.
// Target (issue 10): the tls build ≤ 1 % more instructions than stock on pystone.
// The TLS models (build/linkmodel.ts: static, shared, shared-gnu2, shared-ie) are compared by
// passing each model's build after stock; a shared build's python runs with LD_LIBRARY_PATH
// set to its folder, where its libpython2.4.so is.
//   npx tsx bench/instructions.ts <stock build> <tls build> [more builds...] [--rounds 5]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summaryName } from '../src/cpython2/build/outdir.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '5' } } });
const builds = positionals.map((p) => path.resolve(p));
if (builds.length < 2) {
  console.error('usage: bench/instructions.ts <stock build> <tls build> [more builds...] [--rounds 5]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const envOf = (b: string): NodeJS.ProcessEnv => ({ ...process.env, LD_LIBRARY_PATH: [b, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') });
/** How the build was linked, from its build summary: static unless it says otherwise. */
function linkOf(b: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(b, summaryName), 'utf8')).link ?? 'static';
  } catch {
    return '?';
  }
}

interface Workload { name: string; script: (b: string) => string; small: number; large: number }
const workloads: Workload[] = [
  { name: 'pystone', script: (b) => path.join(b, 'Lib/test/pystone.py'), small: 20000, large: 40000 },
  { name: 'objects', script: () => path.join(here, 'workloads/objects.py'), small: 2000, large: 4000 },
];

function instructions(build: string, w: Workload, loops: number): number {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', path.join(build, 'python'), '-E', w.script(build), String(loops)], { cwd: build, encoding: 'utf8', env: envOf(build) });
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${build}: callgrind failed: ${r.stderr.slice(-1500)}`);
  return Number(m[1]);
}

function seconds(build: string, w: Workload, loops: number): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(path.join(build, 'python'), ['-E', w.script(build), String(loops)], { cwd: build, encoding: 'utf8', env: envOf(build) });
  if (r.status !== 0) throw new Error(`${build}: ${r.stderr.slice(-1500)}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const rounds = Number(values.rounds);
console.log(`instructions: callgrind, (large − small) loops so start-up cancels; wall: best of ${rounds} interleaved`);
console.log(`machine: ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const w of workloads) {
  const per = builds.map((b) => instructions(b, w, w.large) - instructions(b, w, w.small));
  const wall = builds.map(() => Infinity);
  for (let i = 0; i < rounds; i++) builds.forEach((b, k) => (wall[k] = Math.min(wall[k], seconds(b, w, w.large))));
  console.log(`\n${w.name} (${w.large - w.small} loops counted)`);
  builds.forEach((b, k) => {
    const ratio = per[k] / per[0];
    console.log(`  ${path.basename(b).padEnd(16)} ${linkOf(b).padEnd(11)} ${(per[k] / 1e6).toFixed(1).padStart(8)} M instr  ${k ? `${((ratio - 1) * 100).toFixed(2).padStart(6)} %` : '  (ref)'}   wall ${wall[k].toFixed(3)} s  ${k ? `${(wall[k] / wall[0]).toFixed(3)}×` : ''}`);
  });
}
console.log('\ntarget: tls ≤ +1 % instructions on pystone');
