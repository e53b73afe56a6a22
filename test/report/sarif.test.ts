import { describe, expect, it } from 'vitest';
import { fingerprintKey, formatSarif, toSarif } from '../../src/report/sarif.ts';
import type { Finding } from '../../src/engine/model.ts';
import { sampleReport } from './sample.ts';
import { validator } from './validate.ts';

const validate = validator('vendor/sarif-2.1.0.schema.json');
const fp = (r: any) => r.partialFingerprints[fingerprintKey];

describe('formatSarif', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    const doc = JSON.parse(formatSarif(sampleReport()));
    expect(validate(doc)).toEqual([]);
    expect(validate(toSarif({ ...sampleReport(), findings: [], rules: [] }))).toEqual([]);
  });

  it('the schema check can fail: a wrong level and a missing message are rejected', () => {
    const doc: any = toSarif(sampleReport());
    doc.runs[0].results[0].level = 'fatal';
    delete doc.runs[0].results[1].message;
    expect(validate(doc).length).toBeGreaterThan(0);
  });

  it('has what GitHub code scanning reads', () => {
    const doc: any = toSarif(sampleReport());
    expect(doc.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(doc.version).toBe('2.1.0');
    const driver = doc.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'pyglobal', version: '0.1.0', informationUri: 'https://example.org/pyglobal' });
    expect(driver.rules[0]).toEqual({
      id: 'unreviewed-global',
      shortDescription: { text: 'A writable global that is neither thread-local nor reviewed' },
      fullDescription: { text: 'Mark it PYGLOBAL, or add it to a reviewed list in rules/ with a reason.' },
      help: { text: 'Mark it PYGLOBAL, or add it to a reviewed list in rules/ with a reason.' },
      defaultConfiguration: { level: 'error' },
      helpUri: 'https://example.org/pyglobal/rules/unreviewed-global',
    });
    // No declared default: the level of its first finding.
    expect(driver.rules[1].defaultConfiguration.level).toBe('note');
    // Undeclared rules get a descriptor so that every result has a ruleIndex.
    expect(driver.rules[2]).toMatchObject({ id: 'undeclared-rule', defaultConfiguration: { level: 'warning' } });

    const results = doc.runs[0].results;
    expect(results).toHaveLength(4);
    for (const r of results) expect(driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    const cache = results.find((r: any) => r.message.text.includes('cache_str'));
    expect(cache).toMatchObject({
      ruleId: 'unreviewed-global',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'Objects/typeobject.c', uriBaseId: '%SRCROOT%' },
            region: { startLine: 4410, startColumn: 9 },
          },
          logicalLocations: [{ name: 'cache_str', fullyQualifiedName: 'slot_nb_add::cache_str', kind: 'variable' }],
        },
      ],
    });
    expect(fp(cache)).toMatch(/^[0-9a-f]{32}$/);
    const spaced = results.find((r: any) => r.ruleId === 'undeclared-rule');
    expect(spaced.locations[0].physicalLocation.artifactLocation.uri).toBe('Modules/my%20module.c');
    expect(doc.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///src/Python-2.4.6/');
  });

  it('fingerprints ignore the line and column but not rule, file, function or name', () => {
    const base: Finding = {
      file: 'Objects/typeobject.c',
      line: 10,
      column: 1,
      ruleId: 'unreviewed-global',
      severity: 'error',
      message: 'm',
      name: 'cache_str',
      function: 'slot_nb_add',
    };
    const one = (f: Finding) => fp((toSarif({ ...sampleReport(), findings: [f] }) as any).runs[0].results[0]);
    const ref = one(base);
    expect(one({ ...base, line: 999, column: 7, message: 'moved 989 lines' })).toBe(ref);
    expect(one({ ...base, name: 'rcache_str' })).not.toBe(ref);
    expect(one({ ...base, function: 'slot_nb_subtract' })).not.toBe(ref);
    expect(one({ ...base, file: 'Objects/classobject.c' })).not.toBe(ref);
    expect(one({ ...base, ruleId: 'moved-initializer' })).not.toBe(ref);
  });

  it('two findings with one key still get distinct fingerprints', () => {
    const f: Finding = { file: 'a.c', line: 1, column: 1, ruleId: 'r', severity: 'error', message: 'm', name: 'x' };
    const doc: any = toSarif({ ...sampleReport(), findings: [f, { ...f, line: 9 }] });
    const [a, b] = doc.runs[0].results.map(fp);
    expect(a).not.toBe(b);
  });

  it('is stable: input order does not change the output', () => {
    const b = sampleReport();
    b.findings.reverse();
    expect(formatSarif(b)).toBe(formatSarif(sampleReport()));
  });
});
