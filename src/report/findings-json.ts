// Machine-readable findings for `check --format json`. The shape is documented by
// src/report/findings-json.schema.json and kept stable: keys in a fixed order, findings sorted,
// optional keys omitted rather than null. Any incompatible change bumps schemaVersion.
import type { Severity } from '../engine/model.ts';
import { type CheckReport, countBySeverity, sortFindings } from './check-report.ts';

export const findingsJsonSchemaVersion = 1;

export interface FindingsJson {
  schemaVersion: 1;
  tool: { name: string; version: string };
  root: string;
  summary: { problems: number; errors: number; warnings: number; notes: number };
  findings: FindingJson[];
  rules: RuleJson[];
}

export interface FindingJson {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  ruleId: string;
  message: string;
  name?: string;
  function?: string;
}

export interface RuleJson {
  id: string;
  shortDescription: string;
  helpText: string;
  helpUri?: string;
  defaultSeverity?: Severity;
}

export function toFindingsJson(report: CheckReport): FindingsJson {
  const findings = sortFindings(report.findings);
  const n = countBySeverity(findings);
  return {
    schemaVersion: 1,
    tool: { name: report.tool.name, version: report.tool.version },
    root: report.root,
    summary: { problems: findings.length, errors: n.error, warnings: n.warning, notes: n.note },
    findings: findings.map((f) => {
      const o: FindingJson = {
        file: f.file,
        line: f.line,
        column: f.column,
        severity: f.severity,
        ruleId: f.ruleId,
        message: f.message,
      };
      if (f.name !== undefined) o.name = f.name;
      if (f.function !== undefined) o.function = f.function;
      return o;
    }),
    rules: [...report.rules]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => {
        const o: RuleJson = { id: r.id, shortDescription: r.shortDescription, helpText: r.helpText };
        if (r.helpUri !== undefined) o.helpUri = r.helpUri;
        if (r.defaultSeverity !== undefined) o.defaultSeverity = r.defaultSeverity;
        return o;
      }),
  };
}

/** The JSON text, two-space indented, with a final newline. */
export function formatJson(report: CheckReport): string {
  return JSON.stringify(toFindingsJson(report), null, 2) + '\n';
}
