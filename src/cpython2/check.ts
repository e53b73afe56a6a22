// The CI gate: every global must be thread-local in the source (PYGLOBAL on each declaration)
// or shared with a reason: a reviewed row in rules/, a macro rule, or a proof (const, unwritten).
import type { Finding, Global, ScanResult } from '../engine/model.ts';
import type { CheckReport, RuleDescriptor } from '../report/check-report.ts';
import { openTarget } from './target/index.ts';
import { scanOpened, toolVersion } from './scan.ts';
import { siteMessage, type LibcSite } from './libc.ts';
import { cxxReviewFinding, cxxReviewRule, needsCxxReview } from './cxx-review.ts';

export const checkRules: RuleDescriptor[] = [
  {
    id: 'missing-pyglobal',
    shortDescription: 'A global that each interpreter must own is declared without PYGLOBAL',
    helpText:
      'Every declaration of a thread-local global needs PYGLOBAL: the definition, extern and PyAPI_DATA lines, tentative and staticforward declarations. Run `pyglobal apply` on the tree, or add PYGLOBAL by hand after the storage class (static PYGLOBAL int x;). If the global is truly never written or must be process-wide, add a row with the reason to the reviewed/ folder of the version profile (rules/cpython-2.4/reviewed/).',
    defaultSeverity: 'error',
  },
  {
    id: 'unreviewed-external',
    shortDescription: 'Data declared in the tree but defined outside it, not reviewed',
    helpText:
      'An extern declaration whose definition is not in the tree (the C library, another library, or a stale declaration). It cannot take PYGLOBAL. Review it and add a row to rules/reviewed/ saying why sharing it across interpreters is safe.',
    defaultSeverity: 'error',
  },
  {
    id: 'unsafe-libc-call',
    shortDescription: 'A C library call that keeps its answer or state in static storage, shared by every interpreter',
    helpText:
      'POSIX (XSH 2.9.1) lets these functions keep their result or state in static storage, so two interpreters calling them at once get each other\'s answers. rules/libc-calls.json gives each its safe form: `pyglobal apply` renames the call to PyGlobals_NAME (declared in Include/pyglobal_libc.h). A function with no safe form needs a reviewed row in the reviewed-libc-sites.json of the version profile (rules/cpython-2.4/) saying why the call is safe.',
    defaultSeverity: 'error',
  },
  {
    id: 'parse-error',
    shortDescription: 'tree-sitter could not parse a region; declarations there may be missed',
    helpText: 'The scan masks known macros so that tree-sitter can parse the file. A region it still cannot parse is reported so that nothing is skipped silently. Add the macro responsible to rules/cpython-2/macros/ (or the macros/ of the version profile).',
    defaultSeverity: 'warning',
  },
  cxxReviewRule,
  {
    id: 'stale-reviewed-row',
    shortDescription: 'A reviewed row in rules/ matches no global',
    helpText: 'Reviewed lists must not rot: remove the row, or fix its file, function or name.',
    defaultSeverity: 'error',
  },
];

export interface CheckResult {
  report: CheckReport;
  scan: ScanResult;
}

export function checkTree(src: string | undefined, opts: { python?: string; unit?: boolean; onProgress?: (i: number, n: number, f: string) => void } = {}): CheckResult {
  const tree = openTarget(src, { python: opts.python, unit: opts.unit });
  const scan = scanOpened(tree, { onProgress: opts.onProgress });
  const findings: Finding[] = [...scan.findings];
  // The tree's headers, scanned as context for an extension, are the tree's business, not this target's.
  const context = new Set(scan.context?.files ?? []);
  for (const g of scan.globals) if (!g.declarations.every((d) => context.has(d.file))) findings.push(...globalFindings(g).filter((f) => !context.has(f.file)));
  for (const c of scan.libcCalls) {
    if (c.status !== 'bare' && c.status !== 'unreviewed') continue;
    findings.push({ file: c.file, line: c.line, column: c.column, ruleId: 'unsafe-libc-call', severity: 'error', message: siteMessage(c as LibcSite), name: c.name, function: c.function === '-' ? undefined : c.function });
  }
  return {
    scan,
    report: { tool: { name: 'pyglobal', version: toolVersion }, root: tree.root, findings, rules: checkRules },
  };
}

function globalFindings(g: Global): Finding[] {
  const out: Finding[] = [];
  if (g.classification === 'thread-local') {
    for (const d of g.declarations) {
      if (d.threadLocal) continue;
      const what = d.kind === 'extern' ? 'extern declaration of' : d.kind === 'forward' ? 'forward declaration of' : d.kind === 'tentative' ? 'tentative definition of' : g.function ? `static in ${g.function}(), ` : 'definition of';
      out.push({
        file: d.bodyInsert?.file ?? d.file,
        line: d.line,
        column: d.column,
        ruleId: 'missing-pyglobal',
        severity: 'error',
        message: `${what} ${g.name} lacks PYGLOBAL (${g.reason})${d.viaMacro ? `; declared through macro ${d.viaMacro}` : ''}`,
        name: g.name,
        function: g.function,
      });
    }
  } else if (needsCxxReview(g)) {
    out.push(cxxReviewFinding(g, 'error'));
  } else if (g.reasonSource === 'analysis:external-definition') {
    const d = g.declarations[0];
    out.push({ file: d.file, line: d.line, column: d.column, ruleId: 'unreviewed-external', severity: 'error', message: `extern ${g.name} is defined outside the tree and not reviewed: add it to rules/reviewed/ with the reason sharing it is safe`, name: g.name, function: g.function });
  }
  return out;
}
