// 200 sequential interpreter lifecycles in one pymt process: each round starts a thread that
// calls PyGlobals_InitThread, Py_Initialize, runs the stress workload, Py_Finalize,
// PyGlobals_FiniThread, and exits. Prints the RSS after 10 and after 200 lifecycles and their
// ratio. Target (DESIGN §6): ≤ 1.5 (2.4's obmalloc never frees arenas; FiniThread must).
//   npx tsx bench/lifecycles.ts <build> [--rounds 200] [--scale 1] [--json]
// Exit 0 when the target is met, 1 when not, 2 for bad input.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBuildDir } from '../src/cpython2/test/builddir.ts';
import { describeEnd, runPymt, type PymtRoundRecord } from '../src/cpython2/test/pymt-run.ts';
import { stressWorkload } from '../src/cpython2/test/stress.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const buildArg = process.argv[2];
if (!buildArg || buildArg.startsWith('-')) {
  console.error('usage: npx tsx bench/lifecycles.ts <build> [--rounds 200] [--scale 1] [--json]');
  process.exit(2);
}
const b = openBuildDir(buildArg);
if (!b.pymt) {
  console.error(`${b.dir}/pymt: missing; build it with pyglobal build --variant tls`);
  process.exit(2);
}
const rounds = arg('--rounds', 200);
const early = Math.min(10, rounds);
const json = process.argv.includes('--json');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-lifecycles-'));
const script = path.join(work, 'work.py');
fs.writeFileSync(script, stressWorkload(arg('--scale', 1)));

const run = await runPymt(b.pymt, ['-n', '1', '--rounds', String(rounds), '--rss', '--json', '-E', script], {
  cwd: b.dir,
  idleTimeoutMs: 120_000,
  onRecord: (r) => {
    if (r.type === 'round' && r.round % 20 === 0) process.stderr.write(`lifecycles: ${r.round}/${rounds}, rss ${r.rssKb} kB\n`);
  },
});
fs.rmSync(work, { recursive: true, force: true });
const rss = run.records.filter((r): r is PymtRoundRecord => r.type === 'round');
const failedInterps = run.records.filter((r) => r.type === 'interp' && !r.ok).length;
if (rss.length < rounds) {
  console.error(`pymt stopped after ${rss.length} of ${rounds} lifecycles: ${describeEnd(run)}\n${run.stderr.slice(-800)}`);
  process.exit(1);
}
const at = (n: number) => rss.find((r) => r.round === n)!.rssKb;
const ratio = at(rounds) / at(early);
const result = {
  build: b.dir,
  variant: b.variant,
  lifecycles: rounds,
  rssKbAfter: { [early]: at(early), [rounds]: at(rounds) },
  peakRssKb: Math.max(...rss.map((r) => r.peakRssKb)),
  ratio: Number(ratio.toFixed(3)),
  target: 1.5,
  failedLifecycles: failedInterps,
  seconds: run.seconds,
};
if (json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`build: ${b.dir} (variant ${b.variant})`);
  console.log(`${rounds} sequential lifecycles (thread, init, work, finalize, fini, exit) in ${run.seconds.toFixed(1)} s`);
  console.log(`RSS after ${early}: ${at(early)} kB`);
  console.log(`RSS after ${rounds}: ${at(rounds)} kB`);
  console.log(`ratio: ${ratio.toFixed(2)} (target ≤ 1.5)${failedInterps ? `; ${failedInterps} lifecycles failed` : ''}`);
}
process.exit(ratio <= 1.5 && failedInterps === 0 ? 0 : 1);
