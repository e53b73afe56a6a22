// pyglobal test, as a library: (a) the regression suite in one interpreter, (b) the suite
// split across N concurrent interpreters of one pymt process and compared with (a), (c) the
// init/work/finalize stress. Returns one plain report; the CLI prints it as text or JSON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import { missingPymt, openBuildDir, type BuildDir } from './builddir.ts';
import { loadProcessWideRules, staleRows } from './process-wide.ts';
import { loadThreadTestRules } from './thread-tests.ts';
import { profileFile } from '../profile.ts';
import { runRegrtest } from './regrtest.ts';
import type { RegrtestResult } from './regrtest-output.ts';
import { runSplit, type SplitResult } from './split.ts';
import { runStress, type StressResult } from './stress.ts';
import { listRegressionTests, splitThreadTests } from './testlist.ts';
import { collectPart, startTsanSession, tsanEnv, tsanReport, tsanTimeScale, type TsanSession, type TsanTestReport } from './tsan-run.ts';
import type { TsanSummary } from '../tsan/report.ts';

export type Part = 'a' | 'b' | 'c';
export const allParts: Part[] = ['a', 'b', 'c'];
/** The parts --tsan runs unless --parts says otherwise: the concurrent ones. */
export const tsanParts: Part[] = ['b', 'c'];

export interface TestOptions {
  build: string;
  threads: number;
  rounds: number;
  parts?: Part[];
  /** Only these regression tests in (a) and (b) (default: the whole suite). */
  tests?: string[];
  /** A JSON report of an earlier run whose part (a) is the reference for (b). */
  reference?: string;
  rulesFile?: string;
  workDir?: string;
  /** Workload multiplier for (c). */
  scale?: number;
  /** Seconds: the limit for (a) and for each pymt process of (b); the no-progress limit in (c). */
  timeoutSeconds?: number;
  /** Run under ThreadSanitizer: the build must be a --sanitize thread build; reports are failures. */
  tsan?: boolean;
  /** The reviewed suppressions (default rules/tsan-suppressions.json). */
  tsanRulesFile?: string;
  onProgress?: (msg: string) => void;
  /** note: under --tsan, how many reports the part left ("; 3 TSan reports (2 groups)"). */
  onPartDone?: (part: Part, status: PartStatus, note?: string) => void;
}

export type PartStatus = 'ok' | 'failed';

export interface SuitePart {
  status: PartStatus;
  seconds: number;
  command: string;
  outputFile: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  counts: { ok: number; failed: number; skipped: number };
  ok: string[];
  failed: string[];
  skipped: string[];
  unexpectedSkips: string[];
  complete: boolean;
  interrupted?: string;
  failureLines: Record<string, string>;
  problems: string[];
}

export interface TestReport {
  schema: 1;
  status: PartStatus;
  build: { dir: string; variant: string; source: string; pymt: string | null; threads: boolean | null; sanitize?: 'thread' | null };
  options: { threads: number; rounds: number; parts: Part[]; tests: number; scale: number; tsan?: boolean };
  workDir: string;
  a?: SuitePart;
  /** compared: false when (b) ran under --tsan with no reference: outcomes not compared. */
  b?: SplitResult & { status: PartStatus; reference: string; rulesFile: string; compared?: boolean };
  c?: StressResult & { status: PartStatus };
  /** A build without the built-in thread module (tls): tests that start OS threads do not run,
   *  and hide-thread ones run with `import thread` failing (rules/thread-tests.json). */
  threadTests?: { excluded: { test: string; reason: string }[]; hideThread: string[] };
  /** c could not start (its single-thread reference failed), with why. */
  cError?: string;
  /** --tsan: what ThreadSanitizer reported, by part and in all. */
  tsan?: TsanTestReport;
}

function suitePart(r: Awaited<ReturnType<typeof runRegrtest>>): SuitePart {
  const res: RegrtestResult = r.result;
  const problems = [...res.problems];
  if (r.timedOut) problems.push('killed: over the time limit');
  if (r.signal) problems.push(`python was killed by ${r.signal}`);
  if (!res.complete) problems.push(`no summary: regrtest did not finish${res.interrupted ? ` (last test started: ${res.interrupted})` : ''}`);
  return {
    status: problems.length ? 'failed' : 'ok',
    seconds: r.seconds,
    command: r.command.join(' '),
    outputFile: r.outputFile,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    counts: { ok: res.ok.length, failed: res.failed.length, skipped: res.skipped.length },
    ok: res.ok,
    failed: res.failed,
    skipped: res.skipped,
    unexpectedSkips: res.unexpectedSkips,
    complete: res.complete,
    interrupted: res.interrupted,
    failureLines: res.failureLines,
    problems,
  };
}

/** Two regrtest runs of one part (the regular one and the hide-thread one) as one result. */
export function mergeSuiteParts(x: SuitePart, y: SuitePart): SuitePart {
  return {
    status: x.status === 'ok' && y.status === 'ok' ? 'ok' : 'failed',
    seconds: x.seconds + y.seconds,
    command: `${x.command} ; ${y.command}`,
    outputFile: x.outputFile,
    exitCode: x.exitCode === 0 || x.exitCode === 1 ? y.exitCode : x.exitCode,
    signal: x.signal ?? y.signal,
    timedOut: x.timedOut || y.timedOut,
    counts: { ok: x.counts.ok + y.counts.ok, failed: x.counts.failed + y.counts.failed, skipped: x.counts.skipped + y.counts.skipped },
    ok: [...x.ok, ...y.ok],
    failed: [...x.failed, ...y.failed],
    skipped: [...x.skipped, ...y.skipped],
    unexpectedSkips: [...x.unexpectedSkips, ...y.unexpectedSkips],
    complete: x.complete && y.complete,
    interrupted: x.interrupted ?? y.interrupted,
    failureLines: { ...x.failureLines, ...y.failureLines },
    problems: [...x.problems, ...y.problems.map((p) => `${y.outputFile}: ${p}`)],
  };
}

function readReference(file: string): SuitePart {
  let data: { a?: SuitePart };
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--reference ${file}: cannot read a JSON report: ${(e as Error).message}`);
  }
  const a = data.a;
  if (!a || !Array.isArray(a.ok) || !Array.isArray(a.failed) || !Array.isArray(a.skipped))
    throw new UsageError(`--reference ${file}: no part (a) in it (write one with pyglobal test <build> --parts a --json)`);
  return a;
}

export async function runTests(opts: TestOptions): Promise<TestReport> {
  const b: BuildDir = openBuildDir(opts.build);
  const tsan = opts.tsan ?? false;
  if (tsan && b.sanitize !== 'thread')
    throw new UsageError(
      `${b.dir}: not a ThreadSanitizer build (${b.source === 'pyglobal-build.json' ? 'its pyglobal-build.json says sanitize: null' : 'its Makefile has no -fsanitize=thread'}), so --tsan cannot run`,
      'Build one with pyglobal build <rewritten> --variant tls --sanitize thread --out DIR, then pyglobal test DIR --tsan.',
    );
  if (!tsan && b.sanitize === 'thread')
    throw new UsageError(
      `${b.dir}: a ThreadSanitizer build; test it with --tsan`,
      'Without --tsan its reports would land in the tests\' output and TSan would change exit codes to 66.',
    );
  const parts = opts.parts ?? (tsan ? tsanParts : allParts);
  if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new UsageError(`--threads ${opts.threads}: expected a whole number ≥ 1`);
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new UsageError(`--rounds ${opts.rounds}: expected a whole number ≥ 1`);
  // Say what cannot run before spending minutes on (a).
  for (const p of parts) if ((p === 'b' || p === 'c') && !b.pymt) throw missingPymt(b, `part (${p})`);
  // Under TSan, (b) without a reference still runs: its reports are the point; outcomes are
  // compared only when there is something to compare with.
  if (parts.includes('b') && !parts.includes('a') && !opts.reference && !tsan)
    throw new UsageError('part (b) is compared with part (a): add a to --parts, or give --reference with an earlier report');

  const allTests = listRegressionTests(b.dir);
  let tests = allTests;
  if (opts.tests?.length) {
    const unknown = opts.tests.filter((t) => !allTests.includes(t));
    if (unknown.length) throw new UsageError(`--tests: no such regression test in ${b.dir}/Lib/test: ${unknown.join(', ')}`);
    tests = opts.tests;
  }
  // The thread-local build's Lib/thread.py refuses to start threads: tests that do are left out.
  const tlsThread = b.threads === false && fs.existsSync(path.join(b.dir, 'Lib', 'thread.py'));
  const threadSplit = splitThreadTests(tests, tlsThread, loadThreadTestRules(profileFile(b.profile, 'thread-tests.json')));
  if (!threadSplit.run.length && !threadSplit.hideThread.length)
    throw new UsageError(`--tests: ${tests.join(', ')} start OS threads, which the thread-local build cannot (rules/thread-tests.json); nothing is left to run`);
  const rulesFile = opts.rulesFile ?? profileFile(b.profile, 'process-wide-tests.json');
  const rules = parts.includes('b') ? loadProcessWideRules(rulesFile) : null;
  if (rules) {
    const stale = staleRows(rules, allTests);
    if (stale.length)
      throw new UsageError(
        `${rules.file}: ${stale.map((r) => r.test).join(', ')}: no such test in ${b.dir}/Lib/test (stale rows are errors)`,
      );
  }

  const workDir = opts.workDir ? path.resolve(opts.workDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-test-'));
  fs.mkdirSync(workDir, { recursive: true });
  const timeoutMs = opts.timeoutSeconds ? opts.timeoutSeconds * 1000 : undefined;
  // Defaults scale under TSan; an explicit --timeout is the user's.
  const scale = tsan ? tsanTimeScale : 1;
  const report: TestReport = {
    schema: 1,
    status: 'ok',
    build: { dir: b.dir, variant: b.variant, source: b.source, pymt: b.pymt, threads: b.threads, sanitize: b.sanitize },
    options: { threads: opts.threads, rounds: opts.rounds, parts, tests: tests.length, scale: opts.scale ?? 1, tsan },
    workDir,
    ...(tlsThread ? { threadTests: { excluded: threadSplit.excluded.map((r) => ({ test: r.test, reason: r.reason })), hideThread: threadSplit.hideThread } } : {}),
  };
  const progress = opts.onProgress ?? (() => {});
  const session: TsanSession | null = tsan ? startTsanSession(workDir, b.dir, opts.tsanRulesFile ?? profileFile(b.profile, 'tsan-suppressions.json')) : null;
  const envFor = (p: Part) => (session ? tsanEnv(session, p) : undefined);
  const tsanDone = (p: Part): string => {
    if (!session) return '';
    const s: TsanSummary = collectPart(session, p);
    return s.reports ? `; ${s.reports} TSan reports (${s.groups.length} groups)` : '; no TSan report';
  };

  let reference: SuitePart | undefined = opts.reference ? readReference(opts.reference) : undefined;
  if (parts.includes('a')) {
    const regular = threadSplit.run;
    const left = [...threadSplit.excluded.map((r) => r.test), ...threadSplit.hideThread];
    const runs: SuitePart[] = [];
    if (regular.length) {
      const run = await runRegrtest(b, {
        outputFile: path.join(workDir, 'a-regrtest.out'),
        tests: opts.tests?.length ? regular : undefined,
        exclude: opts.tests?.length ? undefined : left,
        timeoutMs: timeoutMs ?? 3_600_000 * scale,
        env: envFor('a'),
        onTest: (t, n) => progress(`(a) one interpreter: ${n}/${tests.length} ${t}`),
      });
      runs.push(suitePart(run));
    }
    if (threadSplit.hideThread.length) {
      const run = await runRegrtest(b, {
        outputFile: path.join(workDir, 'a-regrtest-hide-thread.out'),
        tests: threadSplit.hideThread,
        hideThread: true,
        timeoutMs: timeoutMs ?? 3_600_000 * scale,
        env: envFor('a'),
        onTest: (t) => progress(`(a) one interpreter, thread module hidden: ${t}`),
      });
      runs.push(suitePart(run));
    }
    report.a = runs.reduce(mergeSuiteParts);
    const ta = tsanDone('a');
    opts.onPartDone?.('a', report.a.status, ta);
    if (!opts.reference) reference = report.a;
  }

  if (parts.includes('b') && (reference || tsan) && rules) {
    if (reference && reference.status !== 'ok' && !opts.reference)
      progress(`(b) note: part (a) did not finish cleanly; comparing with what it reported`);
    const split = await runSplit(b, reference ?? { ok: [], failed: [], skipped: [] }, {
      threads: opts.threads,
      tests: tests.filter((t) => !threadSplit.excluded.some((r) => r.test === t)),
      hideThread: threadSplit.hideThread,
      rules,
      workDir,
      timeoutMs: timeoutMs ?? 3_600_000 * scale,
      env: envFor('b'),
      onProgress: (m) => progress(`(b) ${m}`),
    });
    const compared = reference !== undefined;
    if (!compared) split.differences = [];
    report.b = {
      ...split,
      status: split.differences.length === 0 && split.crashes === 0 ? 'ok' : 'failed',
      reference: opts.reference ? path.resolve(opts.reference) : compared ? 'part (a) of this run' : 'none',
      rulesFile,
      ...(compared ? {} : { compared: false }),
    };
    const tb = tsanDone('b');
    opts.onPartDone?.('b', report.b.status, tb);
  }

  if (parts.includes('c')) {
    try {
      const stress = await runStress(b, {
        threads: opts.threads,
        rounds: opts.rounds,
        scale: opts.scale,
        workDir: path.join(workDir, 'c-stress'),
        idleTimeoutMs: timeoutMs ?? (tsan ? 120_000 * scale : undefined),
        referenceTimeoutMs: 300_000 * scale,
        env: envFor('c'),
        onProgress: (m) => progress(`(c) ${m}`),
      });
      report.c = { ...stress, status: stress.counts.correct === stress.rounds ? 'ok' : 'failed' };
      const tc = tsanDone('c');
      opts.onPartDone?.('c', report.c.status, tc);
    } catch (e) {
      report.cError = (e as Error).message;
      const tc = tsanDone('c');
      opts.onPartDone?.('c', 'failed', tc);
    }
  }
  if (session) report.tsan = tsanReport(session);

  const statuses = [report.a?.status, report.b?.status, report.c?.status, report.cError ? 'failed' : undefined, report.tsan?.status];
  report.status = statuses.includes('failed') ? 'failed' : 'ok';
  return report;
}
