// Loads rules/thread-tests.json: the regression tests that cannot pass in a build without the
// built-in thread module (the thread-local build, where Lib/thread.py stands in for it and
// starting a thread raises thread.error). Each row says why, and what to do: leave it out of
// the run, or run it apart with the thread module hidden, as before Lib/thread.py.
import path from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import { defaultProfile, profileFile } from '../profile.ts';
import { readRulesJson, staleTestRows } from '../rules.ts';

/** exclude: not run in a build without the built-in thread module (what it tests needs a
 *  second thread).
 *  hide-thread: run apart, in an interpreter where `import thread` fails
 *  (sys.modules['thread'] = None), because the test drops its threaded part by itself then. */
export type ThreadTestMode = 'exclude' | 'hide-thread';
export const threadTestModes: readonly ThreadTestMode[] = ['exclude', 'hide-thread'];

export interface ThreadTest {
  test: string;
  mode: ThreadTestMode;
  reason: string;
}

export interface ThreadTestRules {
  file: string;
  tests: ThreadTest[];
}

/** The default profile's (2.4's). */
export const defaultThreadRulesFile = profileFile(defaultProfile(), 'thread-tests.json');

/** Validates the parsed JSON; every problem names the file and the row. */
export function validateThreadTestRules(data: unknown, file: string): ThreadTestRules {
  const fail = (msg: string): never => {
    throw new UsageError(`${file}: ${msg}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('expected an object with a "tests" array');
  for (const k of Object.keys(data as object))
    if (k !== 'description' && k !== 'tests') fail(`unknown top-level field "${k}"`);
  const tests = (data as { tests?: unknown }).tests;
  if (!Array.isArray(tests)) fail('"tests" must be an array');
  const seen = new Set<string>();
  const out: ThreadTest[] = [];
  (tests as unknown[]).forEach((row, i) => {
    const where = `tests[${i}]`;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) fail(`${where}: expected an object`);
    const r = row as Record<string, unknown>;
    for (const k of Object.keys(r))
      if (!['test', 'mode', 'reason'].includes(k)) fail(`${where}: unknown field "${k}"`);
    if (typeof r.test !== 'string' || !/^test_[A-Za-z0-9_]+$/.test(r.test))
      fail(`${where}.test: expected a regression test name like "test_thread"`);
    const test = r.test as string;
    if (seen.has(test)) fail(`${where}: ${test} is listed twice`);
    seen.add(test);
    if (!threadTestModes.includes(r.mode as ThreadTestMode))
      fail(`${where} (${test}).mode: expected ${threadTestModes.map((m) => JSON.stringify(m)).join(' or ')}`);
    if (typeof r.reason !== 'string' || r.reason.trim().length < 10)
      fail(`${where} (${test}).reason: every row needs a reason (what the test starts and why that cannot work with one interpreter per thread)`);
    out.push({ test, mode: r.mode as ThreadTestMode, reason: r.reason as string });
  });
  return { file, tests: out };
}

export function loadThreadTestRules(file: string = defaultThreadRulesFile): ThreadTestRules {
  return validateThreadTestRules(readRulesJson(file), file);
}

/** Rows naming tests this tree does not have: stale entries are errors, not silence. */
export function staleThreadRows(rules: ThreadTestRules, tests: string[]): ThreadTest[] {
  return staleTestRows(rules.tests, tests);
}

/** The statement that makes `import thread` fail as it does in a build that has neither the
 *  built-in module nor Lib/thread.py: in 2.4 a None in sys.modules reads as "No module named". */
export const hideThreadStatement = "import sys; sys.modules['thread'] = None";

/** python arguments (run in the build directory) for regrtest over `tests` with the thread
 *  module hidden; the output is regrtest's own, so parseRegrtestOutput reads it. */
export function hideThreadRegrtestArgs(tests: string[]): string[] {
  for (const t of tests)
    if (!/^test_[A-Za-z0-9_]+$/.test(t)) throw new UsageError(`${t}: not a regression test name`);
  const list = tests.map((t) => `'${t}'`).join(', ');
  return ['-E', '-tt', '-c', `${hideThreadStatement}; from test import regrtest; regrtest.main([${list}])`];
}
