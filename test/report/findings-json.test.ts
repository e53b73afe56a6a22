import { describe, expect, it } from 'vitest';
import { formatJson, toFindingsJson } from '../../src/report/findings-json.ts';
import { sampleReport } from './sample.ts';
import { validator } from './validate.ts';

const validate = validator('src/report/findings-json.schema.json');

describe('formatJson', () => {
  it('has the documented shape, key order and sort order', () => {
    const doc = JSON.parse(formatJson(sampleReport()));
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'root', 'summary', 'findings', 'rules']);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.summary).toEqual({ problems: 4, errors: 2, warnings: 1, notes: 1 });
    expect(doc.findings.map((f: any) => `${f.file}:${f.line}`)).toEqual([
      'Modules/my module.c:7',
      'Objects/typeobject.c:120',
      'Objects/typeobject.c:4410',
      'Python/sysmodule.c:40',
    ]);
    expect(doc.findings[2]).toEqual({
      file: 'Objects/typeobject.c',
      line: 4410,
      column: 9,
      severity: 'error',
      ruleId: 'unreviewed-global',
      message: "static 'cache_str' in slot_nb_add is not thread-local",
      name: 'cache_str',
      function: 'slot_nb_add',
    });
    expect(Object.keys(doc.findings[0])).toEqual(['file', 'line', 'column', 'severity', 'ruleId', 'message']);
    expect(doc.rules.map((r: any) => r.id)).toEqual(['moved-initializer', 'unreviewed-global']);
  });

  it('is stable: the order of the input does not change the text', () => {
    const a = sampleReport();
    const b = sampleReport();
    b.findings.reverse();
    b.rules.reverse();
    expect(formatJson(b)).toBe(formatJson(a));
    expect(formatJson(a).endsWith('}\n')).toBe(true);
  });

  it('validates against src/report/findings-json.schema.json, and the schema rejects bad documents', () => {
    expect(validate(toFindingsJson(sampleReport()))).toEqual([]);
    expect(validate(toFindingsJson({ ...sampleReport(), findings: [] }))).toEqual([]);
    const bad = JSON.parse(formatJson(sampleReport()));
    bad.findings[0].severity = 'fatal';
    bad.findings[1].line = 0;
    bad.findings[2].extra = true;
    delete bad.summary.notes;
    const errors = validate(bad);
    expect(errors.join('\n')).toMatch(/\/findings\/0\/severity/);
    expect(errors.join('\n')).toMatch(/\/findings\/1\/line/);
    expect(errors.join('\n')).toMatch(/additionalProperty.*extra/);
    expect(errors.join('\n')).toMatch(/notes/);
  });
});
