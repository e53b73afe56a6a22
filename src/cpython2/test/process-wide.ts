// Loads rules/process-wide-tests.json: the regression tests that touch state one process has
// once (working directory, signals, environment, locale, fixed file names and ports, fork), so
// they cannot run beside other interpreters of the same process. Each row says why, and what
// to do: run it alone after the concurrent phase, or leave it out of the comparison.
import path from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import { defaultProfile, profileFile } from '../profile.ts';
import { readRulesJson, staleTestRows } from '../rules.ts';

export const processWideStates = [
  'cwd',
  'signals',
  'environ',
  'locale',
  'fork',
  'fixed-file',
  'fixed-port',
  'rlimit',
  'umask',
  'timezone',
  'stdio-fd',
  'process-identity',
] as const;
export type ProcessWideState = (typeof processWideStates)[number];

/** alone: run in one interpreter after the concurrent phase, and compared like the others.
 *  exclude: not run under pymt at all; left out of the comparison (the reason says why). */
export type ProcessWideMode = 'alone' | 'exclude';

export interface ProcessWideTest {
  test: string;
  mode: ProcessWideMode;
  state: ProcessWideState[];
  reason: string;
}

export interface ProcessWideRules {
  file: string;
  tests: ProcessWideTest[];
}

/** The default profile's (2.4's). */
export const defaultRulesFile = profileFile(defaultProfile(), 'process-wide-tests.json');

/** Validates the parsed JSON; every problem names the file and the row. */
export function validateProcessWideRules(data: unknown, file: string): ProcessWideRules {
  const fail = (msg: string): never => {
    throw new UsageError(`${file}: ${msg}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('expected an object with a "tests" array');
  const tests = (data as { tests?: unknown }).tests;
  if (!Array.isArray(tests)) fail('"tests" must be an array');
  const seen = new Set<string>();
  const out: ProcessWideTest[] = [];
  (tests as unknown[]).forEach((row, i) => {
    const where = `tests[${i}]`;
    if (typeof row !== 'object' || row === null) fail(`${where}: expected an object`);
    const r = row as Record<string, unknown>;
    for (const k of Object.keys(r))
      if (!['test', 'mode', 'state', 'reason'].includes(k)) fail(`${where}: unknown field "${k}"`);
    if (typeof r.test !== 'string' || !/^test_[A-Za-z0-9_]+$/.test(r.test))
      fail(`${where}.test: expected a regression test name like "test_os"`);
    const test = r.test as string;
    if (seen.has(test)) fail(`${where}: ${test} is listed twice`);
    seen.add(test);
    if (r.mode !== 'alone' && r.mode !== 'exclude') fail(`${where} (${test}).mode: expected "alone" or "exclude"`);
    if (!Array.isArray(r.state) || r.state.length === 0)
      fail(`${where} (${test}).state: expected a non-empty array of ${processWideStates.join(', ')}`);
    for (const s of r.state as unknown[])
      if (!processWideStates.includes(s as ProcessWideState))
        fail(`${where} (${test}).state: unknown state ${JSON.stringify(s)}; known: ${processWideStates.join(', ')}`);
    if (typeof r.reason !== 'string' || r.reason.trim().length < 10)
      fail(`${where} (${test}).reason: every row needs a reason (a sentence, not a word)`);
    out.push({ test, mode: r.mode as ProcessWideMode, state: r.state as ProcessWideState[], reason: r.reason as string });
  });
  return { file, tests: out };
}

export function loadProcessWideRules(file: string = defaultRulesFile): ProcessWideRules {
  return validateProcessWideRules(readRulesJson(file), file);
}

/** Rows naming tests this tree does not have: stale entries are errors, not silence. */
export function staleRows(rules: ProcessWideRules, tests: string[]): ProcessWideTest[] {
  return staleTestRows(rules.tests, tests);
}
