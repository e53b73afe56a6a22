import { describe, expect, it } from 'vitest';
import { formatText } from '../../src/report/findings-text.ts';
import { sampleReport } from './sample.ts';

describe('formatText', () => {
  it('groups by file, aligns rows, sorts by position, and ends with a summary', () => {
    expect(formatText(sampleReport())).toBe(
      [
        '',
        'Modules/my module.c',
        '  7:12  warning  a finding whose rule was not declared  undeclared-rule',
        '',
        'Objects/typeobject.c',
        "  120:1   note   initializer of 'PyType_Type' moves into the init function  moved-initializer",
        "  4410:9  error  static 'cache_str' in slot_nb_add is not thread-local      unreviewed-global",
        '',
        'Python/sysmodule.c',
        "  40:1  error  global 'warnoptions' is not thread-local  unreviewed-global",
        '',
        '✖ 4 problems (2 errors, 1 warning, 1 note)',
        '',
      ].join('\n'),
    );
  });

  it('uses colours only when asked', () => {
    const plain = formatText(sampleReport(), { color: false });
    const colored = formatText(sampleReport(), { color: true });
    expect(plain).not.toMatch(/\x1b\[/);
    expect(colored).toMatch(/\x1b\[31merror/);
    expect(colored.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('says so when there is nothing to report', () => {
    expect(formatText({ ...sampleReport(), findings: [] })).toBe('✔ 0 problems (0 errors, 0 warnings, 0 notes)\n');
  });
});
