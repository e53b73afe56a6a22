// Runs one configuration of the pipeline bench three (four) ways and reads back what the
// Python side reported: the last stage's "PIPELINE items=… digest=… first=… last=…" line and
// each process's "RSS stage=… hwm_kb=…" (pymt's own --json summary for the threads).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeEnd, runPymt, type PymtInterpRecord, type PymtSummaryRecord } from '../../src/cpython2/test/pymt-run.ts';
import type { Measure } from './model.ts';

export const scriptsDir = path.dirname(fileURLToPath(import.meta.url));

export interface Config {
  items: number;
  itemBytes: number;
  stages: number;
  modelMb: number;
}

function env(c: Config, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PIPELINE_ITEMS: String(c.items),
    PIPELINE_SIZE: String(c.itemBytes),
    PIPELINE_STAGES: String(c.stages),
    PIPELINE_MODEL: String(c.modelMb),
    ...extra,
  };
}

const reportLine = /^PIPELINE items=(\d+) digest=(\d+) first=([\d.]+) last=([\d.]+)$/m;
const rssLine = /^RSS stage=\S+ hwm_kb=(\d+)$/gm;
const ctxLine = /^CTX stage=\S+ voluntary=(\d+) nonvoluntary=(\d+)$/gm;

const cpuLine = /^CPU stage=\S+ seconds=([\d.]+)$/gm;

/** CPU seconds every stage spent on items, summed. */
function cpuSeconds(text: string): number {
  let s = 0;
  for (const m of text.matchAll(cpuLine)) s += Number(m[1]);
  return s;
}

/** Context switches of every stage, summed, per item. */
function switchesPerItem(text: string, items: number): { voluntary: number; involuntary: number } {
  let v = 0;
  let n = 0;
  for (const m of text.matchAll(ctxLine)) {
    v += Number(m[1]);
    n += Number(m[2]);
  }
  return { voluntary: v / items, involuntary: n / items };
}

/** The last stage's report, checked: exactly the items sent, else the run failed. */
function measure(what: string, c: Config, stdout: string, rssKb: number, wallSeconds: number, switchText: string): Measure {
  const m = reportLine.exec(stdout);
  if (!m) throw new Error(`${what}: no PIPELINE report from the last stage`);
  const items = Number(m[1]);
  if (items !== c.items) throw new Error(`${what}: the last stage got ${items} items of ${c.items}`);
  const span = Number(m[4]) - Number(m[3]);
  // From the first finished item to the last: items - 1 intervals.
  const sw = switchesPerItem(switchText, items);
  return {
    itemsPerSecond: span > 0 ? (items - 1) / span : Infinity, rssKb, digest: m[2], items, wallSeconds,
    switchesPerItem: sw.voluntary, involuntarySwitchesPerItem: sw.involuntary,
    cpuUsPerItem: (cpuSeconds(switchText) / items) * 1e6,
  };
}

function sumRss(text: string): { kb: number; count: number } {
  let kb = 0;
  let count = 0;
  for (const m of text.matchAll(rssLine)) {
    kb += Number(m[1]);
    count++;
  }
  return { kb, count };
}

interface Done {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(cmd: string, args: string[], e: NodeJS.ProcessEnv, timeoutMs: number): Promise<Done> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: scriptsDir, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('latin1').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('latin1').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

function failed(what: string, d: Done): Error {
  return new Error(`${what}: exit ${d.code ?? d.signal}\n${d.stderr.slice(-1500)}`);
}

/** (a) One stock python runs every stage of every item. */
export async function runOne(python: string, c: Config, timeoutMs: number): Promise<Measure> {
  const d = await run(python, ['-E', 'all_in_one.py'], env(c), timeoutMs);
  if (d.code !== 0) throw failed('(a)', d);
  return measure('(a)', c, d.stdout, sumRss(d.stdout).kb, d.seconds, d.stdout);
}

/** (c) One stock python per stage, joined by a shell pipeline, pickled items on the pipes. */
export async function runPipes(python: string, c: Config, batched: boolean, timeoutMs: number): Promise<Measure> {
  const what = batched ? '(c, batched)' : '(c)';
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = Array.from({ length: c.stages }, (_, k) => `${q(python)} -E pipe_stage.py ${k}`).join(' | ');
  // pipefail is not in every sh: each stage's own report is the check that it finished.
  const ready = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-ready-'));
  let d: Done;
  try {
    d = await run('sh', ['-c', line], env(c, { PIPELINE_BATCH: batched ? '1' : '0', PIPELINE_READY_DIR: ready }), timeoutMs);
  } finally {
    fs.rmSync(ready, { recursive: true, force: true });
  }
  if (d.code !== 0) throw failed(what, d);
  const rss = sumRss(d.stderr);
  if (rss.count !== c.stages) throw failed(`${what}: ${rss.count} of ${c.stages} stages reported`, d);
  return measure(what, c, d.stdout, rss.kb, d.seconds, d.stderr);
}

/** (b) pymt --stage queue_stage.py, once per stage, one process; --model shares the model. */
export async function runThreads(pymt: string, programName: string, c: Config, timeoutMs: number): Promise<Measure> {
  const args = ['-E', '--json', '--program-name', programName];
  if (c.modelMb) args.push('--model', String(c.modelMb));
  for (let k = 0; k < c.stages; k++) args.push('--stage', 'queue_stage.py');
  const r = await runPymt(pymt, args, { cwd: scriptsDir, env: env(c), totalTimeoutMs: timeoutMs });
  const interps = r.records.filter((x): x is PymtInterpRecord => x.type === 'interp');
  const summary = r.records.find((x): x is PymtSummaryRecord => x.type === 'summary');
  const bad = interps.filter((x) => !x.ok);
  if (r.exitCode !== 0 || !summary || bad.length || interps.length !== c.stages) {
    const why = bad.map((x) => `stage ${x.interp}: ${x.reason}\n${(x.output ?? '').slice(-800)}`).join('\n');
    throw new Error(`(b): pymt ${describeEnd(r)}\n${why}\n${r.stderr.slice(-800)}`);
  }
  const last = interps.find((x) => x.interp === c.stages - 1)!;
  return measure('(b)', c, last.output ?? '', summary.peakRssKb, r.seconds, interps.map((x) => x.output ?? '').join('\n'));
}

export interface Transport {
  itemBytes: number;
  /** interpqueue put + get of one item, one interpreter, no waiting. */
  queueUs: number;
  /** cPickle dumps + loads (protocol 2) of the same item: (c)'s copy, without its pipe. */
  pickleUs: number;
}

/** transport.py in one interpreter of the tls build: the copying cost alone, per item. */
export async function runTransport(pymt: string, programName: string, timeoutMs: number): Promise<Transport[]> {
  const r = await runPymt(pymt, ['-E', '--json', '--program-name', programName, 'transport.py'], { cwd: scriptsDir, totalTimeoutMs: timeoutMs });
  const out = r.records.find((x): x is PymtInterpRecord => x.type === 'interp');
  if (r.exitCode !== 0 || !out?.ok) throw new Error(`transport.py: pymt ${describeEnd(r)}\n${out?.output ?? r.stderr}`);
  return [...(out.output ?? '').matchAll(/^TRANSPORT size=(\d+) queue_us=([\d.]+) pickle_us=([\d.]+)$/gm)].map((m) => ({
    itemBytes: Number(m[1]),
    queueUs: Number(m[2]),
    pickleUs: Number(m[3]),
  }));
}
