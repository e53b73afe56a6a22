// The shared read-only model, measured in one run: N interpreters in one pymt process all
// reading one model of M MB, against N processes each holding its own copy. Peak RSS comes
// from each pymt's own VmHWM (/proc/self/status), the figure /usr/bin/time -v reports.
// Expected (DESIGN §1): threads ≈ one model + N interpreters; processes ≈ N × (model + one).
//   npx tsx bench/shared-model.ts <build> [--threads 4] [--model 100] [--json]
import { openBuildDir } from '../src/cpython2/test/builddir.ts';
import { describeEnd, runPymt, type PymtRun, type PymtSummaryRecord } from '../src/cpython2/test/pymt-run.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const buildArg = process.argv[2];
if (!buildArg || buildArg.startsWith('-')) {
  console.error('usage: npx tsx bench/shared-model.ts <build> [--threads 4] [--model 100] [--json]');
  process.exit(2);
}
const b = openBuildDir(buildArg);
if (!b.pymt) {
  console.error(`${b.dir}/pymt: missing; build it with pyglobal build --variant tls`);
  process.exit(2);
}
const n = arg('--threads', 4);
const mb = arg('--model', 100);
const json = process.argv.includes('--json');
// Every interpreter reads the whole model (a checksum over every float, in C) and its
// triangles from Python, then keeps a few MB of its own objects, like a worker would.
const code = [
  'import sharedmodel',
  'total = sharedmodel.checksum()',
  'n = sharedmodel.count()',
  'step = max(1, n // 20000)',
  'mine = [sharedmodel.triangle(i) for i in xrange(0, n, step)]',
  'print "checksum %r, %d triangles read" % (total, len(mine))',
].join('\n');

function peak(run: PymtRun, what: string): number {
  const s = run.records.find((r): r is PymtSummaryRecord => r.type === 'summary');
  const failed = run.records.filter((r) => r.type === 'interp' && !r.ok);
  if (!s || failed.length || run.exitCode !== 0) {
    console.error(`${what}: pymt failed (${describeEnd(run)})\n${run.stderr.slice(-800)}`);
    process.exit(1);
  }
  return s.peakRssKb;
}
const pymt = b.pymt;
const opts = { cwd: b.dir, idleTimeoutMs: 300_000 };

// The interpreters alone, without a model: what N interpreters cost by themselves.
const bare = peak(await runPymt(pymt, ['-n', String(n), '--json', '-E', '-c', 'import sharedmodel'], opts), 'no model');
const bare1 = peak(await runPymt(pymt, ['-n', '1', '--json', '-E', '-c', 'import sharedmodel'], opts), 'one, no model');
const threads = peak(await runPymt(pymt, ['-n', String(n), '--model', String(mb), '--json', '-E', '-c', code], opts), 'threads');
const procs = await Promise.all(
  Array.from({ length: n }, () => runPymt(pymt, ['-n', '1', '--model', String(mb), '--json', '-E', '-c', code], opts)),
);
const perProcess = procs.map((r, i) => peak(r, `process ${i}`));
const processes = perProcess.reduce((a, x) => a + x, 0);
const modelKb = mb * 1024;
const result = {
  build: b.dir,
  variant: b.variant,
  interpreters: n,
  modelMb: mb,
  threadsPeakRssKb: threads,
  processesPeakRssKb: processes,
  perProcessPeakRssKb: perProcess,
  interpretersWithoutModelKb: bare,
  oneInterpreterWithoutModelKb: bare1,
  ratio: Number((processes / threads).toFixed(3)),
  modelCopiesInThreads: Number(((threads - bare) / modelKb).toFixed(3)),
  modelCopiesInProcesses: Number(((processes - n * bare1) / modelKb).toFixed(3)),
};
if (json) console.log(JSON.stringify(result, null, 2));
else {
  const m = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  console.log(`build: ${b.dir} (variant ${b.variant}); model ${mb} MB; ${n} interpreters`);
  console.log(`${n} interpreters in one process, one shared model: peak RSS ${m(threads)}`);
  console.log(`  (the same ${n} interpreters without a model: ${m(bare)}; the model adds ${m(threads - bare)} = ${result.modelCopiesInThreads} copies)`);
  console.log(`${n} processes, each with its own model:           total peak RSS ${m(processes)} (${perProcess.map(m).join(' + ')})`);
  console.log(`  (one process without a model: ${m(bare1)}; the models add ${m(processes - n * bare1)} = ${result.modelCopiesInProcesses} copies)`);
  console.log(`ratio processes / threads: ${result.ratio}`);
}
