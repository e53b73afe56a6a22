// The regression tests of a built tree, in the order 2.4's regrtest runs them (findtests):
// its STDTESTS first, then every other Lib/test/test_*.py sorted, minus its NOTTESTS.
import fs from 'node:fs';
import path from 'node:path';

/** regrtest.STDTESTS: run first, in this order. */
export const stdTests = ['test_grammar', 'test_opcodes', 'test_operations', 'test_builtin', 'test_exceptions', 'test_types'];
/** regrtest.NOTTESTS: helpers named like tests. */
export const notTests = ['test_support', 'test_future1', 'test_future2', 'test_future3'];

export function listRegressionTests(buildDir: string): string[] {
  const dir = path.join(buildDir, 'Lib', 'test');
  const names = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('test_') && n.endsWith('.py'))
    .map((n) => n.slice(0, -3));
  const rest = names.filter((n) => !stdTests.includes(n) && !notTests.includes(n)).sort();
  return [...stdTests.filter((n) => names.includes(n)), ...rest];
}
