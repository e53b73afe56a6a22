import type { CheckReport } from '../../src/report/check-report.ts';

/** A small check result with every shape a reporter must handle. Paths are made up. */
export function sampleReport(): CheckReport {
  return {
    tool: { name: 'pyglobal', version: '0.1.0', informationUri: 'https://example.org/pyglobal' },
    root: '/src/Python-2.4.6',
    rules: [
      {
        id: 'unreviewed-global',
        shortDescription: 'A writable global that is neither thread-local nor reviewed',
        helpText: 'Mark it PYGLOBAL, or add it to a reviewed list in rules/ with a reason.',
        helpUri: 'https://example.org/pyglobal/rules/unreviewed-global',
        defaultSeverity: 'error',
      },
      {
        id: 'moved-initializer',
        shortDescription: 'An initializer that moves into PyGlobals_InitThread',
        helpText: 'Nothing to do; listed for review.',
      },
    ],
    findings: [
      {
        file: 'Python/sysmodule.c',
        line: 40,
        column: 1,
        ruleId: 'unreviewed-global',
        severity: 'error',
        message: "global 'warnoptions' is not thread-local",
        name: 'warnoptions',
      },
      {
        file: 'Objects/typeobject.c',
        line: 4410,
        column: 9,
        ruleId: 'unreviewed-global',
        severity: 'error',
        message: "static 'cache_str' in slot_nb_add is not thread-local",
        name: 'cache_str',
        function: 'slot_nb_add',
      },
      {
        file: 'Objects/typeobject.c',
        line: 120,
        column: 1,
        ruleId: 'moved-initializer',
        severity: 'note',
        message: "initializer of 'PyType_Type' moves into the init function",
        name: 'PyType_Type',
      },
      {
        file: 'Modules/my module.c',
        line: 7,
        column: 12,
        ruleId: 'undeclared-rule',
        severity: 'warning',
        message: 'a finding whose rule\nwas not declared',
      },
    ],
  };
}
