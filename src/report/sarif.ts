// SARIF 2.1.0 for `check --format sarif`, in the form GitHub code scanning ingests:
// rules with descriptions and default levels, results with a relative artifact location under
// %SRCROOT%, and partialFingerprints keyed on (rule, file, function, name) rather than the line,
// so a finding keeps its identity when unrelated edits move it.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Severity } from '../engine/model.ts';
import { type CheckReport, type RuleDescriptor, sortFindings } from './check-report.ts';

export const sarifSchemaUri = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The key under partialFingerprints; versioned so a change of the hashed fields is a new key. */
export const fingerprintKey = 'pyglobalFinding/v1';

type SarifLevel = 'error' | 'warning' | 'note';
const levelOf: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', note: 'note' };

export function toSarif(report: CheckReport): Record<string, unknown> {
  const findings = sortFindings(report.findings);
  const rules = ruleTable(report.rules, findings);
  const index = new Map(rules.map((r, i) => [r.id, i]));

  const seen = new Map<string, number>();
  const results = findings.map((f) => {
    const base = findingKey(f);
    // Two findings with one key (same name twice in a file and function) stay distinct.
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: levelOf[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: relativeUri(f.file), uriBaseId: '%SRCROOT%' },
            region: { startLine: f.line, startColumn: f.column },
          },
          ...(f.name !== undefined
            ? {
                logicalLocations: [
                  {
                    name: f.name,
                    fullyQualifiedName: f.function !== undefined ? `${f.function}::${f.name}` : f.name,
                    kind: 'variable',
                  },
                ],
              }
            : {}),
        },
      ],
      partialFingerprints: { [fingerprintKey]: hash(n === 0 ? base : `${base}\u0000${n}`) },
    };
    return result;
  });

  const driver: Record<string, unknown> = { name: report.tool.name, version: report.tool.version };
  if (report.tool.informationUri) driver.informationUri = report.tool.informationUri;
  driver.rules = rules.map((r) => {
    const d: Record<string, unknown> = {
      id: r.id,
      shortDescription: { text: r.shortDescription },
      fullDescription: { text: r.helpText || r.shortDescription },
      help: { text: r.helpText || r.shortDescription },
      defaultConfiguration: { level: levelOf[r.defaultSeverity] },
    };
    if (r.helpUri) d.helpUri = r.helpUri;
    return d;
  });

  const run: Record<string, unknown> = { tool: { driver } };
  if (path.isAbsolute(report.root)) {
    // Lets local SARIF viewers find the files; GitHub resolves %SRCROOT% to the checkout itself.
    run.originalUriBaseIds = { '%SRCROOT%': { uri: withSlash(pathToFileURL(report.root).href) } };
  }
  run.columnKind = 'unicodeCodePoints';
  run.results = results;
  return { $schema: sarifSchemaUri, version: '2.1.0', runs: [run] };
}

export function formatSarif(report: CheckReport): string {
  return JSON.stringify(toSarif(report), null, 2) + '\n';
}

/** What a finding's fingerprint is made of: everything that names it, nothing that moves. */
export function findingKey(f: Finding): string {
  // Without a name, the message is the best stable description there is.
  return [f.ruleId, f.file, f.function ?? '-', f.name ?? `message:${f.message}`].join('\u0000');
}

function ruleTable(
  declared: readonly RuleDescriptor[],
  findings: readonly Finding[],
): (RuleDescriptor & { defaultSeverity: Severity })[] {
  const out: (RuleDescriptor & { defaultSeverity: Severity })[] = [];
  const ids = new Set<string>();
  const firstSeverity = new Map<string, Severity>();
  for (const f of findings) if (!firstSeverity.has(f.ruleId)) firstSeverity.set(f.ruleId, f.severity);
  for (const r of declared) {
    if (ids.has(r.id)) continue;
    ids.add(r.id);
    out.push({ ...r, defaultSeverity: r.defaultSeverity ?? firstSeverity.get(r.id) ?? 'warning' });
  }
  // A finding whose rule was not declared still gets a descriptor, so every result has a ruleIndex.
  for (const f of findings) {
    if (ids.has(f.ruleId)) continue;
    ids.add(f.ruleId);
    out.push({ id: f.ruleId, shortDescription: f.ruleId, helpText: '', defaultSeverity: firstSeverity.get(f.ruleId)! });
  }
  return out;
}

function relativeUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function withSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function hash(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 32);
}
