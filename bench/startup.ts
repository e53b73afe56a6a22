// Interpreter start-up as an embedder pays it: a thread that runs PyGlobals_InitThread,
// Py_Initialize, Py_Finalize and PyGlobals_FiniThread (bench/c/startup_host.c, compiled here
// against the tls build's libpython2.4.a), against spawning `./python -E -c pass` from the same
// host and waiting for it. The two alternate in one process, so both see the same machine;
// medians and their ratio (issue 10, item 3).
//   npx tsx bench/startup.ts <tls build> [--rounds 30] [--json]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } } });
const build = positionals[0] && path.resolve(positionals[0]);
if (!build || !fs.existsSync(path.join(build, 'libpython2.4.a'))) {
  console.error('usage: bench/startup.ts <tls build> [--rounds 30] [--json]   (a build with libpython2.4.a)');
  process.exit(2);
}
const rounds = Number(values.rounds);
const here = path.dirname(fileURLToPath(import.meta.url));
const exe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-startup-')), 'startup_host');

// The link line the README's "Embedding" section gives.
const cc = spawnSync('gcc', ['-O2', '-pthread', `-I${build}`, `-I${build}/Include`, path.join(here, 'c/startup_host.c'), path.join(build, 'libpython2.4.a'), '-Xlinker', '-export-dynamic', '-lpthread', '-ldl', '-lutil', '-lm', '-o', exe], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`compiling the host failed:\n${cc.stderr}`);

// cwd elsewhere, so neither finds Lib/ through the working directory.
const r = spawnSync(exe, [build, String(rounds)], { cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: build } });
if (r.status !== 0) throw new Error(`startup_host failed (${r.status}): ${r.stderr.slice(-1500)}`);
const samples: Record<string, number[]> = { thread: [], spawn: [] };
for (const line of r.stdout.split('\n')) {
  const [kind, ns] = line.split(' ');
  if (kind in samples) samples[kind].push(Number(ns) / 1e6);
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const thread = median(samples.thread);
const spawn = median(samples.spawn);
const result = { build, rounds, cores: os.cpus().length, load: os.loadavg(), threadMs: thread, spawnMs: spawn, ratio: thread / spawn, minThreadMs: Math.min(...samples.thread), minSpawnMs: Math.min(...samples.spawn) };
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`machine: ${result.cores} cores, load ${result.load.map((l) => l.toFixed(2)).join(' ')}; ${rounds} rounds, alternating`);
  console.log(`  thread: InitThread + Py_Initialize + Py_Finalize + FiniThread  median ${thread.toFixed(2)} ms (min ${result.minThreadMs.toFixed(2)})`);
  console.log(`  process: spawn ./python -E -c pass and wait                   median ${spawn.toFixed(2)} ms (min ${result.minSpawnMs.toFixed(2)})`);
  console.log(`  ratio thread / process: ${result.ratio.toFixed(3)}`);
}
fs.rmSync(path.dirname(exe), { recursive: true, force: true });
