// The regression tests of a built tree, in the order its own regrtest runs them (findtests):
// its STDTESTS first, then every other Lib/test/test_*.py sorted, minus its NOTTESTS. The two
// lists are read from the tree's Lib/test/regrtest.py (2.4 and 2.7 differ: 2.7 runs
// test_unittest and test_doctest first, and test_future3 is a test there).
import fs from 'node:fs';
import path from 'node:path';
import { loadThreadTestRules, type ThreadTest, type ThreadTestRules } from './thread-tests.ts';

/** 2.4's regrtest.STDTESTS, for a regrtest.py whose own list cannot be read. */
export const stdTests = ['test_grammar', 'test_opcodes', 'test_operations', 'test_builtin', 'test_exceptions', 'test_types'];
/** 2.4's regrtest.NOTTESTS: helpers named like tests. */
export const notTests = ['test_support', 'test_future1', 'test_future2', 'test_future3'];

/** The names of a `NAME = [...]` (or `{...}`, `(...)`) list of strings in regrtest.py's text. */
export function regrtestList(text: string, name: string): string[] | undefined {
  const m = new RegExp(`^${name}\\s*=\\s*[\\[{(]([^\\]})]*)[\\]})]`, 'm').exec(text);
  if (!m) return undefined;
  return [...m[1].replace(/#.*$/gm, '').matchAll(/['"](test_\w+)['"]/g)].map((x) => x[1]);
}

export function listRegressionTests(buildDir: string): string[] {
  const dir = path.join(buildDir, 'Lib', 'test');
  const names = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('test_') && n.endsWith('.py'))
    .map((n) => n.slice(0, -3));
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, 'regrtest.py'), 'latin1');
  } catch {
    // no regrtest.py: the build directory check reports it; 2.4's lists stand in
  }
  const std = regrtestList(text, 'STDTESTS') ?? stdTests;
  const not = regrtestList(text, 'NOTTESTS') ?? notTests;
  const rest = names.filter((n) => !std.includes(n) && !not.includes(n)).sort();
  return [...std.filter((n) => names.includes(n)), ...rest];
}

/** A build's regression tests once rules/thread-tests.json has been applied. */
export interface ThreadTestSplit {
  /** What regrtest runs as usual. */
  run: string[];
  /** Run apart with the thread module hidden (hideThreadRegrtestArgs), as before Lib/thread.py. */
  hideThread: string[];
  /** Not run at all; each row says why. */
  excluded: ThreadTest[];
}

/** Splits `tests` for a build: in a build without the built-in thread module (`tls` true: the
 *  thread-local build, where Lib/thread.py refuses to start threads) every test of the rules
 *  leaves the regular list, into `hideThread` or `excluded` by its mode; a build with the
 *  built-in module runs them all as they are. Order is kept; rows naming tests that are not in
 *  `tests` are ignored here (staleThreadRows reports them against the whole tree). */
export function splitThreadTests(tests: string[], tls: boolean, rules: ThreadTestRules = loadThreadTestRules()): ThreadTestSplit {
  if (!tls) return { run: [...tests], hideThread: [], excluded: [] };
  const byTest = new Map(rules.tests.map((r) => [r.test, r]));
  const out: ThreadTestSplit = { run: [], hideThread: [], excluded: [] };
  for (const t of tests) {
    const row = byTest.get(t);
    if (!row) out.run.push(t);
    else if (row.mode === 'hide-thread') out.hideThread.push(t);
    else out.excluded.push(row);
  }
  return out;
}

/** `tests` without those that start threads, for a build without the built-in thread module
 *  (`tls` true); unchanged for a build that has it. The hide-thread ones are removed too: run
 *  them with splitThreadTests(...).hideThread and hideThreadRegrtestArgs. */
export function removeThreadTests(tests: string[], tls: boolean, rules?: ThreadTestRules): string[] {
  return splitThreadTests(tests, tls, rules).run;
}
