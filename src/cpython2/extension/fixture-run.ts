// The whole extension flow on the bundled fixture extension (fixtures/ext-spam), built against
// the bundled minipy: rewrite minipy (apply --out), rewrite the extension against it (apply
// --python --out), check it, compile both with PYGLOBAL = __thread and run N threads, each with
// its own interpreter and its own copy of the extension's globals; optionally the same under
// ThreadSanitizer, with the unrewritten twin (extension and minipy as written) for contrast.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { applyTree } from '../apply.ts';
import { checkTree } from '../check.ts';
import { defaultTree, projectRoot } from '../target/tree.ts';
import { UsageError } from '../../engine/errors.ts';
import { applyBaseline, parseBaseline } from '../../report/baseline.ts';
import type { RunOutcome } from '../fixture-run.ts';

export const defaultExtension = path.join(projectRoot, 'fixtures/ext-spam');
/** The fixture's accepted findings: hostbind.cc's std::string, process-wide on purpose (cxx-needs-review). */
export const extensionBaseline = path.join(defaultExtension, 'pyglobal-baseline.json');

export interface ExtensionFixtureResult {
  work: string;
  apply: { moved: number; edits: number; files: number };
  /** check's errors on the unrewritten extension, and on the rewritten one past the fixture's baseline (must be 0). */
  checkBefore: number;
  checkAfter: number;
  /** Findings on the rewritten extension that the baseline accepts (the C++ object left alone). */
  accepted: string[];
  rewritten: RunOutcome;
  tsan?: RunOutcome;
  tsanStock?: RunOutcome;
}

// history_size=7: the most access history TSan keeps, so a race whose first access is long
// past (the twin's init, a template's table) is still reported on a loaded machine.
export function run(cmd: string, args: string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): RunOutcome {
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 64 << 20, timeout: timeoutMs, env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=0 exitcode=66 history_size=7', ...env } });
  const stderr = r.stderr ?? '';
  return { command: [cmd, ...args].join(' '), status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr, races: (stderr.match(/WARNING: ThreadSanitizer/g) ?? []).length };
}

export function make(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = run('make', ['-s', '-C', dir, ...args], 300_000, env);
  if (r.status !== 0) throw new UsageError(`make in ${dir} failed (exit ${r.status}):\n${(r.stderr || r.stdout).split('\n').slice(-20).join('\n')}`);
}

export async function runExtensionFixture(opts: { work?: string; threads?: number; iterations?: number; tsan?: boolean; onStep?: (m: string) => void } = {}): Promise<ExtensionFixtureResult> {
  const work = opts.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-ext-'));
  const threads = String(opts.threads ?? 4);
  const iterations = String(opts.iterations ?? 500);
  const step = opts.onStep ?? (() => {});
  const py = path.join(work, 'minipy-rewritten');
  const ext = path.join(work, 'ext-rewritten');
  for (const d of [py, ext]) fs.rmSync(d, { recursive: true, force: true });

  step(`apply minipy → ${py}`);
  const pyApplied = await applyTree(defaultTree, { out: py });
  if (pyApplied.findings.some((f) => f.severity === 'error')) throw new UsageError(`apply refused minipy`);
  const checkBefore = checkTree(defaultExtension, { python: py }).report.findings.filter((f) => f.severity === 'error').length;
  step(`apply the extension --python ${py} → ${ext}`);
  const applied = await applyTree(defaultExtension, { python: py, out: ext });
  if (applied.findings.some((f) => f.severity === 'error')) {
    throw new UsageError(`apply refused:\n${applied.findings.map((f) => `  ${f.file}:${f.line}:${f.column}: ${f.message}`).join('\n')}`);
  }
  const baseline = applyBaseline(
    checkTree(ext, { python: py }).report.findings.filter((f) => f.severity === 'error'),
    parseBaseline(fs.readFileSync(extensionBaseline, 'utf8'), extensionBaseline),
  );
  const checkAfter = baseline.remaining.length + baseline.staleFindings.length;

  const build = (tree: string, extDir: string, name: string, cflags: string, threadsFlag: boolean): string => {
    const lib = path.join(work, `${name}-py`);
    const out = path.join(work, `${name}-ext`);
    const t = threadsFlag ? ['THREADS=1'] : [];
    make(tree, [`BUILD=${lib}`, ...t, `CFLAGS=${cflags}`, `${lib}/libminipy.a`]);
    make(extDir, [`PY=${tree}`, `PYLIB=${lib}/libminipy.a`, `BUILD=${out}`, ...t, `CFLAGS=${cflags}`]);
    return path.join(out, 'threads');
  };
  step(`compile with PYGLOBAL = __thread and run ${threads} threads`);
  const result: ExtensionFixtureResult = {
    work,
    apply: { moved: applied.plan.moved.length, edits: applied.plan.edits, files: applied.files.filter((f) => f.outcome === 'written').length },
    checkBefore,
    checkAfter,
    accepted: baseline.suppressed.map((f) => `${f.file}:${f.line} ${f.name} ${f.ruleId}`),
    rewritten: run(build(py, ext, 'tls', '-O2 -g', true), [threads, iterations]),
  };
  if (opts.tsan) {
    step(`ThreadSanitizer: rewritten and unrewritten, ${threads} threads`);
    const tsan = '-O1 -g -fsanitize=thread';
    result.tsan = run(build(py, ext, 'tsan', tsan, true), [threads, iterations]);
    // TSan reports a race only when it sees both accesses, which depends on the schedule: the
    // twin runs three times and its reports are pooled, so one quiet schedule hides nothing.
    const twin = build(defaultTree, defaultExtension, 'tsan-stock', tsan, false);
    const runs = [1, 2, 3].map(() => run(twin, [threads, iterations], 60_000));
    result.tsanStock = { ...runs[0], status: runs.find((r) => r.status !== 0)?.status ?? runs[0].status, stderr: runs.map((r) => r.stderr).join('\n'), races: runs.reduce((n, r) => n + r.races, 0) };
  }
  return result;
}
