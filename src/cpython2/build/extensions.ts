// What a version's setup.py tries to build on Linux, and why a module may be missing afterwards.
// 2.4's setup.py stays silent about modules whose headers or libraries it does not find
// (it only prints "building 'x' extension" for those it attempts, and hides compile failures
// behind a DEBUG-level message), so "what failed" has to be worked out against the list of
// candidates, which is the profile's (rules/cpython-2.4/profile.json, build.extensions).
import { defaultProfile, type ExtensionCandidate } from '../profile.ts';
import type { SetupReport } from './logscan.ts';

export type { ExtensionCandidate };

/** Candidates for this host: drops 32-bit-only modules on 64-bit and modules linked into python. */
export function expectedExtensions(opts: { is64bit: boolean; builtins?: Iterable<string>; candidates?: ExtensionCandidate[] }): string[] {
  const builtins = new Set(opts.builtins ?? []);
  return (opts.candidates ?? defaultProfile().build.extensions)
    .filter((c) => !(c.only32bit && opts.is64bit) && !builtins.has(c.name))
    .map((c) => c.name);
}

/** Modules linked into python by Modules/Setup, read from the Makefile's MODOBJS object list. */
export function builtinsFromModobjs(modobjs: string): string[] {
  return modobjs
    .split(/\s+/)
    .filter((o) => o.endsWith('.o'))
    .map((o) => o.replace(/^.*\//, '').replace(/\.o$/, ''))
    .map((b) => (b.endsWith('module') ? b.slice(0, -'module'.length) : b));
}

export function extensionNeeds(name: string, candidates = defaultProfile().build.extensions): string | undefined {
  return candidates.find((c) => c.name === name)?.needs;
}

/**
 * Where setup.py's closing lists (2.7: modules whose bits were not found, modules that failed)
 * disagree with the profile's candidates, one note each: a module setup.py names that the profile
 * does not list, or a candidate expected here that setup.py neither built nor named. No lists
 * (2.4's setup.py prints none): no notes.
 */
export function setupReportNotes(input: {
  report: SetupReport;
  expected: string[];
  built: string[];
  builtins?: string[];
  candidates: ExtensionCandidate[];
  /** The profile id, to name its file: cpython-2.7. */
  profile: string;
}): string[] {
  const { report } = input;
  if (!report.notFound && !report.failed) return [];
  const file = `rules/${input.profile}/profile.json`;
  const known = new Set(input.candidates.map((c) => c.name));
  const named = new Set([...(report.notFound ?? []), ...(report.failed ?? [])]);
  const built = new Set(input.built);
  const builtins = new Set(input.builtins ?? []);
  const notes: string[] = [];
  for (const n of named) {
    if (!known.has(n)) notes.push(`setup.py names ${n} as not built, but ${file} does not list it among the extension candidates`);
  }
  for (const n of input.expected) {
    if (!built.has(n) && !named.has(n) && !builtins.has(n)) {
      notes.push(`${n} is an extension candidate in ${file}, but setup.py neither built it nor named it as missing or failed`);
    }
  }
  return notes;
}
