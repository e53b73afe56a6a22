// A pipeline of CPU-bound Python stages, run three ways over the same stage code
// (bench/pipeline/work.py), with ratios taken in one run:
//   (a) one interpreter does every stage (the stock build's python);
//   (b) one interpreter per stage in threads of one pymt process, linked by interpqueue
//       (the tls build's pymt --stage …);
//   (c) one process per stage linked by pipes, items pickled (cPickle protocol 2), as the
//       seed did: a shell pipeline of the stock build's python, flushed per item; and the
//       same with buffered writes, its kindest form.
// For 2 and 4 stages, small and large items, with and without the 100 MB model (shared by
// (b) through pymt --model; (a) and (c) build their own copy in every process). The last
// stage counts every item and checks its bytes; every way must give the same digest.
// Targets (issue 9): (b) ≥ (c) on both sizes, ≥ 1.3 × (c) on small items; (b)'s RSS at most
// half of (c)'s with the model.
//   npx tsx bench/pipeline.ts --tls <tls build> --stock <stock build> [--items N] [--repeat R]
//        [--pymt PATH] [--json out.json] [--svg out.svg]
// --items N: small items per run (default 20000); large items are N/20.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pipelineSvg } from './pipeline/chart.ts';
import { WAYS, type ItemSize, type Measure, type PipelineResult, type Row, type Way } from './pipeline/model.ts';
import { cpuRatios, noise, table, targets } from './pipeline/report.ts';
import { runOne, runPipes, runThreads, runTransport, type Config } from './pipeline/ways.ts';

const usage = 'usage: npx tsx bench/pipeline.ts --tls <tls build> --stock <stock build> [--items N] [--repeat R] [--pymt PATH] [--json out.json] [--svg out.svg]';
const { values } = parseArgs({
  options: {
    tls: { type: 'string' },
    stock: { type: 'string' },
    items: { type: 'string', default: '20000' },
    repeat: { type: 'string', default: '3' },
    pymt: { type: 'string' },
    model: { type: 'string', default: '100' },
    json: { type: 'string' },
    svg: { type: 'string' },
  },
});
if (!values.tls || !values.stock) {
  console.error(usage);
  process.exit(2);
}
const tls = path.resolve(values.tls);
const stockPython = path.join(path.resolve(values.stock), 'python');
// --pymt: a pymt built elsewhere against the tls build (it still runs the build's Lib/).
const pymt = values.pymt ? path.resolve(values.pymt) : path.join(tls, 'pymt');
for (const f of [stockPython, pymt, path.join(tls, 'python')])
  if (!fs.existsSync(f)) {
    console.error(`${f}: missing\n${usage}`);
    process.exit(2);
  }
// (b) needs the interpqueue module: say so up front rather than after the other ways ran.
const probe = spawnSync(path.join(tls, 'python'), ['-E', '-c', 'import interpqueue'], { cwd: tls, encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(`${tls}: its python cannot import interpqueue; build a tls variant of a tree that has it\n${probe.stderr.trim()}`);
  process.exit(2);
}
const smallItems = Number(values.items);
const repeat = Number(values.repeat);
const modelMb = Number(values.model);
if (!(smallItems >= 20) || !(repeat >= 1) || !(modelMb > 0)) {
  console.error(usage);
  process.exit(2);
}
const sizes: { size: ItemSize; bytes: number; items: number }[] = [
  { size: 'small', bytes: 40, items: smallItems },
  { size: 'large', bytes: 100 * 1024, items: Math.max(20, Math.round(smallItems / 20)) },
];
const TIMEOUT_MS = 120_000;

function runWay(way: Way, c: Config): Promise<Measure> {
  switch (way) {
    case 'a': return runOne(stockPython, c, TIMEOUT_MS);
    case 'b': return runThreads(pymt, path.join(tls, 'python'), c, TIMEOUT_MS);
    case 'c': return runPipes(stockPython, c, false, TIMEOUT_MS);
    case 'cBatched': return runPipes(stockPython, c, true, TIMEOUT_MS);
  }
}

const load0 = os.loadavg()[0];
const rows: Row[] = [];
for (const s of sizes)
  for (const m of [0, modelMb])
    for (const stages of [2, 4]) {
      const c: Config = { items: s.items, itemBytes: s.bytes, stages, modelMb: m };
      const ways = {} as Record<Way, Measure>;
      const samples = Object.fromEntries(WAYS.map((w) => [w, [] as number[]])) as Record<Way, number[]>;
      // Best of R, the ways interleaved: this VM's speed varies between runs (and the cores
      // are shared), and the slower runs are the noise.
      for (let i = 0; i < repeat; i++)
        for (const w of WAYS) {
          const got = await runWay(w, c);
          samples[w].push(Math.round(got.itemsPerSecond));
          if (!ways[w] || got.itemsPerSecond > ways[w].itemsPerSecond) ways[w] = got;
        }
      for (const w of WAYS) ways[w].samples = samples[w];
      const digests = new Set(WAYS.map((w) => ways[w].digest));
      if (digests.size !== 1) {
        console.error(`${s.size} items, ${stages} stages, model ${m}: the ways disagree on the digest: ${WAYS.map((w) => `${w} ${ways[w].digest}`).join(', ')}`);
        process.exit(1);
      }
      rows.push({ size: s.size, itemBytes: s.bytes, stages, modelMb: m, ways });
      process.stderr.write(`done: ${s.size} items, ${stages} stages, model ${m || 'none'}\n`);
    }

const transport = await runTransport(pymt, path.join(tls, 'python'), TIMEOUT_MS);
const cpus = os.cpus();
const result: PipelineResult = {
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  machine: `${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${os.type()} ${os.release()}`,
  command: `npx tsx bench/pipeline.ts ${process.argv.slice(2).join(' ')}`,
  load: [Number(load0.toFixed(2)), Number(os.loadavg()[0].toFixed(2))],
  rows,
  transport,
};
console.log(`${result.date}; ${result.machine}; load average ${result.load[0]} before, ${result.load[1]} after`);
console.log(`small items: ${sizes[0].items} of ${sizes[0].bytes} B; large items: ${sizes[1].items} of ${sizes[1].bytes} B; best of ${repeat}`);
console.log('items/s from the first to the last item out of the last stage; RSS: peak (VmHWM), summed over every process');
for (const l of table(result)) console.log(l);
console.log(noise(result));
for (const l of cpuRatios(result)) console.log(l);
for (const t of transport)
  console.log(`copying one ${t.itemBytes} B item alone (no waiting): interpqueue put+get ${t.queueUs.toFixed(2)} µs, cPickle dumps+loads ${t.pickleUs.toFixed(2)} µs`);
const ts = targets(result);
for (const t of ts) console.log(`${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.detail}`);
if (values.json) fs.writeFileSync(values.json, JSON.stringify({ ...result, targets: ts }, null, 2) + '\n');
if (values.svg) fs.writeFileSync(values.svg, pipelineSvg(result));
