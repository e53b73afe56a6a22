// The human summary of a pyglobal test report: a pure function of the report.
import type { TestReport } from './run-tests.ts';
import { tally } from './stress.ts';
import type { TsanTestReport } from './tsan-run.ts';
import type { TsanSummary } from '../tsan/report.ts';

function wrap(names: string[], head: string, width = 100): string[] {
  const lines: string[] = [];
  const indent = ' '.repeat(head.length);
  let cur = head;
  let onLine = 0;
  for (const n of names) {
    if (onLine > 0 && cur.length + 1 + n.length > width) {
      lines.push(cur);
      cur = indent;
      onLine = 0;
    }
    cur += (onLine > 0 ? ' ' : '') + n;
    onLine++;
  }
  if (onLine > 0) lines.push(cur);
  return lines;
}

export function formatTsan(t: TsanTestReport): string[] {
  const out: string[] = [];
  const perPart = (Object.entries(t.parts) as [string, TsanSummary][]).map(([p, s]) => `(${p}) ${s.reports}`).join(', ');
  out.push(
    `ThreadSanitizer: ${t.total.reports} report${t.total.reports === 1 ? '' : 's'} in ${t.total.groups.length} group${t.total.groups.length === 1 ? '' : 's'}` +
      `${perPart ? ` [${perPart}]` : ''}, from ${t.total.logs} process log${t.total.logs === 1 ? '' : 's'}  [${t.status}]`,
  );
  for (const g of t.total.groups) {
    const parts = (Object.entries(t.parts) as [string, TsanSummary][])
      .map(([p, s]) => [p, s.groups.find((x) => x.key === g.key)?.count ?? 0] as const)
      .filter(([, n]) => n > 0)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ');
    out.push(`  ${String(g.count).padStart(5)}× ${g.kind} in ${g.function} ${g.where}${parts ? `  (${parts})` : ''}`);
    if (g.top) out.push(`         top frame: ${g.top}`);
    if (g.others.length)
      out.push(
        `         other side: ${g.others.slice(0, 3).map((o) => `${o.function} ${o.where}${g.others.length > 1 ? ` ×${o.count}` : ''}`).join('; ')}${g.others.length > 3 ? '; …' : ''}`,
      );
    if (g.examples.length) out.push(`         e.g. ${g.examples[0]}`);
  }
  for (const s of t.total.suppressions) out.push(`  suppression ${s.key}: matched ${s.count}×${s.count === 0 ? ' (stale)' : ''}`);
  for (const p of t.problems) out.push(`  problem: ${p}`);
  for (const w of t.warnings) out.push(`  warning: ${w}`);
  out.push(`  suppressions file ${t.suppressionsFile} (from ${t.rulesFile})`);
  return out;
}

export function formatTestReport(r: TestReport): string {
  const out: string[] = [];
  out.push(
    `pyglobal test ${r.build.dir} (variant ${r.build.variant}, ${r.build.threads === false ? 'without threads' : r.build.threads ? 'with threads' : 'threads unknown'}, pymt ${r.build.pymt ? 'present' : 'absent'})`,
  );
  if (r.threadTests) {
    const t = r.threadTests;
    out.push(...wrap(t.excluded.map((x) => x.test), `  not run, they start OS threads (rules/thread-tests.json): `));
    if (t.hideThread.length) out.push(...wrap(t.hideThread, '  run with the thread module hidden: '));
  }
  if (r.a) {
    const a = r.a;
    out.push(
      `(a) regression suite, one interpreter: ${a.counts.ok} OK, ${a.counts.failed} failed, ${a.counts.skipped} skipped in ${Math.round(a.seconds)} s  [${a.status}]`,
    );
    if (a.failed.length) out.push(...wrap(a.failed, '    failed: '));
    for (const p of a.problems) out.push(`    problem: ${p}`);
  }
  if (r.b) {
    const b = r.b;
    out.push(
      `(b) suite split over ${b.threads} concurrent interpreters: ${b.ok.length} OK, ${b.failed.length} failed, ${b.skipped.length} skipped, ` +
        `${b.crashed.length} crashed in; ${b.alone.length} run alone after, ${b.excluded.length} excluded; ${Math.round(b.seconds)} s  [${b.status}]`,
    );
    for (const ph of b.phases)
      for (const p of ph.processes)
        if (p.signal || p.exitCode !== 0) {
          out.push(`    ${ph.name} pymt: ${p.end}${p.crashedIn.length ? `; it was running ${p.crashedIn.join(', ')}` : ''}`);
          for (const f of p.failures) out.push(`      ${f}`);
        }
    if (b.compared === false) out.push('    outcomes not compared: no reference (add a to --parts, or give --reference)');
    else if (b.differences.length === 0) out.push(`    same OK set as ${b.reference}${b.excluded.length ? ' minus the exclusions' : ''}`);
    else {
      out.push(`    ${b.differences.length} differences from ${b.reference}:`);
      for (const d of b.differences)
        out.push(
          `      ${d.test}: ${d.a} in (a), ${d.b} in (b)${d.interp !== undefined ? ` (interpreter ${d.interp})` : ''}${d.detail ? `: ${d.detail}` : ''}`,
        );
    }
    for (const e of b.excluded) out.push(`    excluded ${e.test}: ${e.reason}`);
    if (b.alone.length) out.push(...wrap(b.alone.map((x) => x.test), '    run alone (rules/process-wide-tests.json): '));
  }
  if (r.c) {
    const c = r.c;
    out.push(
      `(c) stress, ${c.rounds} rounds × ${c.threads} interpreter${c.threads === 1 ? '' : 's'} starting together: ${tally(c.counts)}; ${c.processes} pymt process${c.processes === 1 ? '' : 'es'}, ${Math.round(c.seconds)} s  [${c.status}]`,
    );
    out.push(
      `    single-thread checksum ${c.reference.checksum}${c.reference.pythonChecksum === null ? ' (./python gave none)' : c.reference.pythonChecksum === c.reference.checksum ? ', ./python agrees' : `, ./python DISAGREES: ${c.reference.pythonChecksum}`}`,
    );
    for (const f of c.failures.slice(0, 10)) out.push(`    round ${f.round}: ${f.status}${f.detail ? `: ${f.detail}` : ''}`);
    if (c.failures.length > 10) out.push(`    ... and ${c.failures.length - 10} more rounds that were not correct`);
  }
  if (r.cError) out.push(`(c) stress could not start: ${r.cError}  [failed]`);
  if (r.tsan) out.push(...formatTsan(r.tsan));
  out.push(`result: ${r.status}   (outputs and logs in ${r.workDir})`);
  return out.join('\n') + '\n';
}
