// What a version's setup.py tries to build on Linux, and why a module may be missing afterwards.
// 2.4's setup.py stays silent about modules whose headers or libraries it does not find
// (it only prints "building 'x' extension" for those it attempts, and hides compile failures
// behind a DEBUG-level message), so "what failed" has to be worked out against the list of
// candidates, which is the profile's (rules/cpython-2.4/profile.json, build.extensions).
import { defaultProfile, type ExtensionCandidate } from '../profile.ts';

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
