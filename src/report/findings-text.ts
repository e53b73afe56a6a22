// Human-readable findings for the `check` gate, in the shape ESLint's "stylish" made familiar:
// a heading per file, one aligned row per finding, and a summary line.
import { Chalk } from 'chalk';
import type { Finding, Severity } from '../engine/model.ts';
import { type CheckReport, countBySeverity, sortFindings } from './check-report.ts';

export interface TextOptions {
  /** ANSI colours; off unless the caller says so (e.g. stdout is a TTY and NO_COLOR is unset). */
  color?: boolean;
}

export function formatText(report: CheckReport, opts: TextOptions = {}): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const paint: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, note: c.cyan };
  const findings = sortFindings(report.findings);
  const out: string[] = [];

  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = byFile.get(f.file);
    if (!list) byFile.set(f.file, (list = []));
    list.push(f);
  }
  for (const [file, list] of byFile) {
    const rows = list.map((f) => ({
      pos: `${f.line}:${f.column}`,
      severity: f.severity,
      // One finding, one line: a multi-line message would break the columns and grep.
      message: f.message.replace(/\s*\r?\n\s*/g, ' '),
      ruleId: f.ruleId,
    }));
    const w = {
      pos: Math.max(...rows.map((r) => r.pos.length)),
      severity: Math.max(...rows.map((r) => r.severity.length)),
      message: Math.max(...rows.map((r) => r.message.length)),
    };
    out.push('', c.underline(file));
    for (const r of rows) {
      out.push(
        `  ${c.dim(r.pos.padEnd(w.pos))}  ${paint[r.severity](r.severity.padEnd(w.severity))}  ` +
          `${r.message.padEnd(w.message)}  ${c.dim(r.ruleId)}`,
      );
    }
  }

  const n = countBySeverity(findings);
  const total = findings.length;
  const summary =
    `${total} ${plural(total, 'problem')} (${n.error} ${plural(n.error, 'error')}, ` +
    `${n.warning} ${plural(n.warning, 'warning')}, ${n.note} ${plural(n.note, 'note')})`;
  if (total === 0) out.push(c.green(`✔ ${summary}`));
  else out.push('', (n.error > 0 ? c.red.bold : n.warning > 0 ? c.yellow.bold : c.cyan.bold)(`✖ ${summary}`));
  return out.join('\n') + '\n';
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
