// Reads what 2.4's Lib/test/regrtest.py prints into result sets. regrtest never lists the tests
// that passed, only their count, so the OK set is "started" minus "failed" minus "skipped",
// checked against the count it claims. A run that died (no summary) still yields what it
// finished, and names the test it was in.

export type TestOutcome = 'ok' | 'failed' | 'skipped';

export interface RegrtestResult {
  /** Every test whose name regrtest printed as it started, in order. */
  started: string[];
  ok: string[];
  failed: string[];
  skipped: string[];
  /** Skips regrtest itself calls unexpected on this platform (a subset of skipped). */
  unexpectedSkips: string[];
  /** The counts of the summary lines, as printed (null when absent). */
  claimed: { ok: number | null; failed: number | null; skipped: number | null };
  /** The summary was found: the run finished. */
  complete: boolean;
  /** When incomplete: the last test started, which never reported (a crash or a hang). */
  interrupted?: string;
  /** One line per failed test: regrtest's "test X failed -- ..." or "test X crashed -- ...". */
  failureLines: Record<string, string>;
  /** Disagreements between the lists and the claimed counts; empty when all is consistent. */
  problems: string[];
}

const testName = /^test_[A-Za-z0-9_]+$/;
// "246 tests OK.", "All 5 tests OK.", "1 test OK."
const okLine = /^(?:All )?(\d+) tests? OK\.$/;
const failedHead = /^(\d+) tests? failed:$/;
const skippedHead = /^(\d+) tests? skipped:$/;
const unexpectedHead = /^(\d+) skips? unexpected on \S+:$/;
// 2.7: a test that passed but changed the environment (test_site) is listed apart from the OK ones.
const envChangedHead = /^(\d+) tests? altered the execution environment:$/;
const failureReport = /^test (test_[A-Za-z0-9_]+) (failed|crashed) -- /;
const skipReport = /^(test_[A-Za-z0-9_]+) skipped -- /;

/** Names from the indented, wrapped lines printlist() writes after a "N tests failed:" line. */
function readList(lines: string[], from: number): { names: string[]; next: number } {
  const names: string[] = [];
  let i = from;
  while (i < lines.length && /^\s+\S/.test(lines[i])) {
    for (const w of lines[i].trim().split(/\s+/)) if (testName.test(w)) names.push(w);
    i++;
  }
  return { names, next: i };
}

function uniqueSorted(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

/**
 * Parses the combined stdout+stderr of one regrtest run. The summary is the last block that
 * starts with an "OK." / "failed:" / "skipped:" line; anything before it is the run itself.
 */
export function parseRegrtestOutput(text: string): RegrtestResult {
  const lines = text.split(/\r?\n/);
  // Where the summary starts: the first summary header after the last started test.
  let summaryAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (okLine.test(l) || failedHead.test(l) || skippedHead.test(l)) summaryAt = i;
    else if (testName.test(l)) break;
  }

  const started: string[] = [];
  const failureLines: Record<string, string> = {};
  const reportedSkips = new Set<string>();
  const end = summaryAt >= 0 ? summaryAt : lines.length;
  for (let i = 0; i < end; i++) {
    const l = lines[i];
    if (testName.test(l)) started.push(l);
    const f = failureReport.exec(l);
    if (f) failureLines[f[1]] = l;
    const s = skipReport.exec(l);
    if (s) reportedSkips.add(s[1]);
  }

  const claimed: RegrtestResult['claimed'] = { ok: null, failed: null, skipped: null };
  let failed: string[] = [];
  let skipped: string[] = [];
  let unexpected: string[] = [];
  let envChanged: string[] = [];
  if (summaryAt >= 0) {
    for (let i = summaryAt; i < lines.length; ) {
      const l = lines[i];
      let m: RegExpExecArray | null;
      if ((m = okLine.exec(l))) {
        claimed.ok = Number(m[1]);
        i++;
      } else if ((m = failedHead.exec(l))) {
        claimed.failed = Number(m[1]);
        const r = readList(lines, i + 1);
        failed = r.names;
        i = r.next;
      } else if ((m = skippedHead.exec(l))) {
        claimed.skipped = Number(m[1]);
        const r = readList(lines, i + 1);
        skipped = r.names;
        i = r.next;
      } else if ((m = envChangedHead.exec(l))) {
        const r = readList(lines, i + 1);
        envChanged = r.names;
        i = r.next;
      } else if ((m = unexpectedHead.exec(l))) {
        const r = readList(lines, i + 1);
        unexpected = r.names;
        i = r.next;
      } else {
        i++;
      }
    }
  } else {
    // No summary: take what the run itself reported.
    failed = Object.keys(failureLines);
    skipped = [...reportedSkips];
  }

  const problems: string[] = [];
  const complete = summaryAt >= 0;
  const startedSet = new Set(started);
  let interrupted: string | undefined;
  if (!complete && started.length > 0) interrupted = started[started.length - 1];
  const done = new Set(startedSet);
  if (interrupted) done.delete(interrupted);
  const notOk = new Set([...failed, ...skipped]);
  const ok = uniqueSorted([...done].filter((t) => !notOk.has(t)));

  if (complete) {
    if (claimed.ok !== null && claimed.ok + envChanged.length !== ok.length)
      problems.push(`regrtest says ${claimed.ok} tests OK${envChanged.length ? ` and ${envChanged.length} altered the environment` : ''}, but ${ok.length} started tests neither failed nor skipped`);
    if (claimed.ok === null && ok.length > 0)
      problems.push(`no "tests OK." line, but ${ok.length} started tests neither failed nor skipped`);
    if (claimed.failed !== null && claimed.failed !== failed.length)
      problems.push(`regrtest says ${claimed.failed} tests failed, but lists ${failed.length}`);
    if (claimed.skipped !== null && claimed.skipped !== skipped.length)
      problems.push(`regrtest says ${claimed.skipped} tests skipped, but lists ${skipped.length}`);
    for (const t of [...failed, ...skipped])
      if (!startedSet.has(t)) problems.push(`${t} is listed in the summary but was never started`);
  }
  if (started.length === 0) problems.push('no test was started (is this regrtest output?)');

  return {
    started,
    ok,
    failed: uniqueSorted(failed),
    skipped: uniqueSorted(skipped),
    unexpectedSkips: uniqueSorted(unexpected),
    claimed,
    complete,
    interrupted,
    failureLines,
    problems,
  };
}

/** The outcome of each test in a parsed run (tests never finished are absent). */
export function outcomes(r: RegrtestResult): Map<string, TestOutcome> {
  const m = new Map<string, TestOutcome>();
  for (const t of r.ok) m.set(t, 'ok');
  for (const t of r.failed) m.set(t, 'failed');
  for (const t of r.skipped) m.set(t, 'skipped');
  return m;
}
