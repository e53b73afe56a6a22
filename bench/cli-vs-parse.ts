// The commands as a user and CI run them: each a process of its own, timed against a raw
// single-thread tree-sitter parse of the same files, also a process of its own (bench/raw-parse.mjs),
// all interleaved in each round and the best of ROUNDS kept. Targets (DESIGN §8, issue 10):
//   scan --json ≤ 1.5×, check on a rewritten tree ≤ 1.2×, apply on a pristine copy ≤ 2× (writes
//   included), and `pyglobal --help` under 150 ms (median of HELP_RUNS spawns, node -e 0 beside it).
//   npx tsx bench/cli-vs-parse.ts [pristine 2.4 tree]   (default: $CPYTHON24_SRC, else the bundled fixture)
//   ROUNDS=n (default 5), HELP_RUNS=n (default 21), --json for the figures as JSON on stdout.
// The CLI runs from dist/: `npm run build` first when src/ changed (npm ci does it once).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { listSources, openTree } from '../src/cpython2/target/tree.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repo, 'bin/pyglobal.js');
const rawParser = path.join(repo, 'bench/raw-parse.mjs');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const pristine = openTree(args.find((a) => !a.startsWith('--')) ?? process.env.CPYTHON24_SRC);
const rounds = Math.max(1, Number(process.env.ROUNDS ?? 5));
const helpRuns = Math.max(1, Number(process.env.HELP_RUNS ?? 21));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-cli-bench-'));
const devNull = fs.openSync('/dev/null', 'w');
const log = (s: string) => process.stderr.write(s + '\n');

if (!fs.existsSync(path.join(repo, 'dist/cli/main.js'))) {
  log('dist/ is missing: run `npm run build` (or `npm ci`) first');
  process.exit(2);
}

/** Runs a process, its output thrown away; ms of wall clock. Exit codes outside `ok` are fatal. */
function timed(argv: string[], ok: number[] = [0]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status === null || !ok.includes(r.status)) throw new Error(`${argv.join(' ')}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  return ms;
}

function fileList(root: string, name: string): string {
  const list = path.join(work, name);
  fs.writeFileSync(list, listSources(openTree(root)).join('\n') + '\n');
  return list;
}

/** A fresh copy of the pristine tree, made outside the timing: apply rewrites it in place. */
function pristineCopy(i: number): string {
  const dir = path.join(work, `copy-${i}`);
  fs.cpSync(pristine.root, dir, { recursive: true });
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const loadBefore = os.loadavg();
log(`preparing: a rewritten copy of ${pristine.root} (the tree check runs on)`);
const rewritten = pristineCopy(0);
timed([bin, 'apply', rewritten]);
const pristineList = fileList(pristine.root, 'pristine.txt');
const rewrittenList = fileList(rewritten, 'rewritten.txt');
const fileCount = (list: string) => fs.readFileSync(list, 'utf8').split('\n').filter(Boolean).length;
const files = { pristine: fileCount(pristineList), rewritten: fileCount(rewrittenList) };
// check exits 1 on findings; the bench times the gate either way and reports which it was.
const checkExit = spawnSync(process.execPath, [bin, 'check', rewritten], { stdio: 'ignore' }).status;

const best = { parse: Infinity, scan: Infinity, parseRewritten: Infinity, check: Infinity, apply: Infinity };
const keep = (k: keyof typeof best, ms: number) => (best[k] = Math.min(best[k], ms));
const help: number[] = [];
const bare: number[] = [];
// Round 0 warms the page cache and is not counted.
for (let i = 0; i <= rounds; i++) {
  const copy = pristineCopy(i + 1);
  const r = {
    parse: timed([rawParser, pristine.root, pristineList]),
    scan: timed([bin, 'scan', pristine.root, '--json']),
    parseRewritten: timed([rawParser, rewritten, rewrittenList]),
    check: timed([bin, 'check', rewritten], [0, 1]),
    apply: timed([bin, 'apply', copy]),
  };
  fs.rmSync(copy, { recursive: true, force: true });
  for (let h = 0; h < Math.ceil(helpRuns / (rounds + 1)); h++) {
    bare.push(timed(['-e', '0']));
    help.push(timed([bin, '--help']));
  }
  if (i === 0) continue;
  for (const [k, v] of Object.entries(r)) keep(k as keyof typeof best, v);
  log(`round ${i}/${rounds}: ${Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} ms`);
}
fs.rmSync(work, { recursive: true, force: true });

const targets = { scan: 1.5, check: 1.2, apply: 2, helpMs: 150 };
const ratios = { scan: best.scan / best.parse, check: best.check / best.parseRewritten, apply: best.apply / best.parse };
const helpMs = median(help);
const figures = {
  pristine: pristine.root,
  files,
  rounds,
  bestMs: best,
  ratios,
  help: { runs: help.length, medianMs: helpMs, nodeMedianMs: median(bare) },
  targets,
  checkExit,
  machine: { cores: os.availableParallelism(), loadBefore, loadAfter: os.loadavg(), node: process.version },
};
if (asJson) {
  process.stdout.write(JSON.stringify(figures, null, 1) + '\n');
} else {
  const row = (what: string, ms: number, base: number, ratio: number, target: number) =>
    `${what.padEnd(34)}${ms.toFixed(0).padStart(6)} ms  / ${base.toFixed(0).padStart(6)} ms  = ${ratio.toFixed(2)}×  target ≤ ${target}×  ${verdict(ratio, target)}`;
  console.log(`tree: ${pristine.root} (${figures.files.pristine} files; rewritten ${figures.files.rewritten}), best of ${rounds} rounds, interleaved, each a process`);
  console.log(`${''.padEnd(34)}command   / raw parse`);
  console.log(row('scan --json', best.scan, best.parse, ratios.scan, targets.scan));
  console.log(row(`check (rewritten tree, exit ${checkExit})`, best.check, best.parseRewritten, ratios.check, targets.check));
  console.log(row('apply (pristine copy, in place)', best.apply, best.parse, ratios.apply, targets.apply));
  console.log(`${'--help'.padEnd(34)}${helpMs.toFixed(0).padStart(6)} ms  median of ${help.length}; node -e 0: ${median(bare).toFixed(0)} ms  target < ${targets.helpMs} ms  ${verdict(helpMs, targets.helpMs)}`);
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`machine: ${figures.machine.cores} cores, load average ${fmt(loadBefore)} before, ${fmt(figures.machine.loadAfter)} after; node ${process.version}`);
  // Why a ratio can miss: the raw parse is one thread, and the commands beat it only with a
  // worker on a second core, which they take only when other processes leave one free. The load
  // after the run counts the bench's own processes, so only the load before it tells.
  const busy = loadBefore[0] >= figures.machine.cores - 0.5;
  if (busy && (ratios.scan > targets.scan || ratios.check > targets.check || ratios.apply > targets.apply)) {
    console.log('note: the machine was busy before the run (1-minute load ≥ cores - 0.5); a command drops its worker thread when');
    console.log('      other processes hold the cores while it reads (src/cpython2/scan.ts, spareForWorkers): rerun on a quiet machine.');
  }
}

function verdict(value: number, target: number): string {
  if (value <= target) return 'met';
  return `MISSED by ${(((value - target) / target) * 100).toFixed(0)} %`;
}
