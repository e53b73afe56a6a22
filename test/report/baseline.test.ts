import { describe, expect, it } from 'vitest';
import {
  applyBaseline,
  BaselineError,
  createBaseline,
  formatBaseline,
  parseBaseline,
  staleBaselineRuleId,
  writeBaseline,
} from '../../src/report/baseline.ts';
import type { Finding } from '../../src/engine/model.ts';
import { sampleReport } from './sample.ts';

const date = new Date('2026-03-04T12:00:00Z');
const findings = () => sampleReport().findings;

describe('writeBaseline', () => {
  it('writes one entry per line, keyed by rule, file, function and name, never the line', () => {
    const text = writeBaseline(findings(), { date });
    expect(text).toBe(
      [
        '{',
        '  "version": 1,',
        '  "entries": [',
        '    {"ruleId":"undeclared-rule","file":"Modules/my module.c","function":"-","name":"-","reason":"accepted by baseline on 2026-03-04"},',
        '    {"ruleId":"moved-initializer","file":"Objects/typeobject.c","function":"-","name":"PyType_Type","reason":"accepted by baseline on 2026-03-04"},',
        '    {"ruleId":"unreviewed-global","file":"Objects/typeobject.c","function":"slot_nb_add","name":"cache_str","reason":"accepted by baseline on 2026-03-04"},',
        '    {"ruleId":"unreviewed-global","file":"Python/sysmodule.c","function":"-","name":"warnoptions","reason":"accepted by baseline on 2026-03-04"}',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    expect(text).not.toMatch(/"line"/);
  });

  it('merges findings with one key, and keeps reasons from a previous baseline', () => {
    const f = findings();
    const dup = { ...f[0], line: 99 };
    const previous = createBaseline([f[0]], { date: new Date('2020-01-01') });
    previous.entries[0].reason = 'reviewed: written once at startup';
    const b = createBaseline([...f, dup], { date, previous });
    expect(b.entries).toHaveLength(4);
    expect(b.entries.find((e) => e.name === 'warnoptions')!.reason).toBe('reviewed: written once at startup');
    expect(b.entries.find((e) => e.name === 'cache_str')!.reason).toBe('accepted by baseline on 2026-03-04');
  });

  it('writes an empty baseline as valid JSON', () => {
    expect(parseBaseline(writeBaseline([], { date }), 'b.json').entries).toEqual([]);
  });
});

describe('applyBaseline', () => {
  it('suppresses accepted findings even after they moved, keeps new ones', () => {
    const loaded = parseBaseline(writeBaseline(findings(), { date }), 'pyglobal-baseline.json');
    const moved = findings().map((f) => ({ ...f, line: f.line + 120, column: f.column + 1 }));
    const fresh: Finding = {
      file: 'Python/sysmodule.c',
      line: 41,
      column: 1,
      ruleId: 'unreviewed-global',
      severity: 'error',
      message: "global 'new_one' is not thread-local",
      name: 'new_one',
    };
    const r = applyBaseline([...moved, fresh], loaded);
    expect(r.suppressed).toHaveLength(4);
    expect(r.remaining).toEqual([fresh]);
    expect(r.stale).toEqual([]);
    expect(r.staleFindings).toEqual([]);
  });

  it('the same name in another function is not covered', () => {
    const f = findings()[1];
    const r = applyBaseline([{ ...f, function: 'slot_nb_subtract' }], createBaseline([f], { date }));
    expect(r.remaining).toHaveLength(1);
    expect(r.stale).toHaveLength(1);
  });

  it('reports entries that match nothing as error findings at their line in the baseline file', () => {
    const text = writeBaseline(findings(), { date });
    const loaded = parseBaseline(text, 'ci/baseline.json');
    const fixed = findings().filter((f) => f.name !== 'cache_str' && f.name !== 'warnoptions');
    const r = applyBaseline(fixed, loaded);
    expect(r.stale.map((e) => e.name)).toEqual(['cache_str', 'warnoptions']);
    expect(r.staleFindings).toEqual([
      {
        file: 'ci/baseline.json',
        line: 6,
        column: 1,
        ruleId: staleBaselineRuleId,
        severity: 'error',
        message: 'stale baseline entry: no unreviewed-global finding for slot_nb_add/cache_str in Objects/typeobject.c; remove the entry',
        name: 'cache_str',
        function: 'slot_nb_add',
      },
      {
        file: 'ci/baseline.json',
        line: 7,
        column: 1,
        ruleId: staleBaselineRuleId,
        severity: 'error',
        message: 'stale baseline entry: no unreviewed-global finding for warnoptions in Python/sysmodule.c; remove the entry',
        name: 'warnoptions',
      },
    ]);
    expect(text.split('\n')[5]).toContain('"cache_str"');
    expect(text.split('\n')[6]).toContain('"warnoptions"');
  });
});

describe('parseBaseline', () => {
  const entry = (o: object) => JSON.stringify({ ruleId: 'r', file: 'a.c', function: '-', name: 'x', reason: 'ok', ...o });

  it('finds entry lines in a hand-formatted file', () => {
    const text = `{"version": 1,\n "entries": [\n\n  {\n   "ruleId": "r", "file": "a.c", "function": "-",\n   "name": "x", "reason": "has [brackets] and {braces}"},\n  ${entry({ name: 'y' })}\n]}\n`;
    const b = parseBaseline(text, 'b.json');
    expect(b.lines).toEqual([4, 7]);
    expect(b.entries[0].reason).toBe('has [brackets] and {braces}');
  });

  it('rejects an entry without a reason, naming the file, line and field', () => {
    const text = `{\n  "version": 1,\n  "entries": [\n    ${entry({})},\n    ${entry({ name: 'y', reason: '  ' })}\n  ]\n}\n`;
    expect(() => parseBaseline(text, 'base.json')).toThrow(new BaselineError('base.json:5: entry 2 needs a non-empty string "reason"'));
  });

  it('rejects duplicates, unknown keys, a wrong version and bad JSON', () => {
    const two = `{\n  "version": 1,\n  "entries": [\n    ${entry({})},\n    ${entry({})}\n  ]\n}\n`;
    expect(() => parseBaseline(two, 'b.json')).toThrow('b.json:5: entry 2 repeats the entry at line 4');
    expect(() => parseBaseline(`{"version":1,"entries":[${entry({ line: 3 })}]}`, 'b.json')).toThrow('unknown key "line"');
    expect(() => parseBaseline('{"version":2,"entries":[]}', 'b.json')).toThrow('"version" must be 1');
    expect(() => parseBaseline('{"version":1,"entries":[],"x":1}', 'b.json')).toThrow('unknown key "x"');
    expect(() => parseBaseline('{"version":1,"entries":[3]}', 'b.json')).toThrow('b.json:1: entry 1 must be an object');
    expect(() => parseBaseline('{"version":1,', 'b.json')).toThrow(/^b\.json: not valid JSON/);
  });

  it('round-trips through formatBaseline', () => {
    const b = createBaseline(findings(), { date });
    const loaded = parseBaseline(formatBaseline(b), 'b.json');
    expect(loaded.entries).toEqual(b.entries);
    expect(loaded.lines).toEqual([4, 5, 6, 7]);
  });
});
