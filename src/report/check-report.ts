// The input of every `check` reporter: plain data, so each formatter is a pure function of it.
import type { Finding, Severity } from '../engine/model.ts';

export interface RuleDescriptor {
  /** Stable rule id, the one findings carry in ruleId. */
  id: string;
  /** One line: what the rule flags. */
  shortDescription: string;
  /** What to do about a finding: a paragraph or two of plain text. */
  helpText: string;
  helpUri?: string;
  /** Level of the rule's findings when nothing overrides it; SARIF's defaultConfiguration.level. */
  defaultSeverity?: Severity;
}

export interface CheckReport {
  /** informationUri: the tool's home page, for SARIF's tool.driver.informationUri. */
  tool: { name: string; version: string; informationUri?: string };
  /** The tree that was checked; finding paths are relative to it. */
  root: string;
  findings: Finding[];
  rules: RuleDescriptor[];
}

export const severityOrder: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** Findings in report order: file, line, column, then rule id and message to break ties. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      cmp(a.ruleId, b.ruleId) ||
      cmp(a.name ?? '', b.name ?? '') ||
      cmp(a.message, b.message),
  );
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
