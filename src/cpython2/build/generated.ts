// Generated files a rewritten tree's build keeps as the release has them (the profile's
// build.generatedKept, each with its reason): 2.7's grammar tables, which make would regenerate
// with a pgen that cannot run once its sources are rewritten. make -o FILE keeps FILE and does
// not remake it nor anything on its account. When an input is newer than a kept file, the user
// changed it: make must regenerate, and the build says why it may fail.
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedKept } from '../profile.ts';

export interface KeptPlan {
  /** Arguments for make: -o FILE for each kept file; empty when nothing is kept. */
  makeArgs: string[];
  /** The files kept, relative to the tree. */
  kept: string[];
  /** Why nothing is kept, when an input is newer than a generated file or a file is missing. */
  note?: string;
}

export function planKeptGenerated(root: string, facts: GeneratedKept | undefined, rewritten: boolean): KeptPlan {
  if (!facts || !rewritten) return { makeArgs: [], kept: [] };
  const mtime = (rel: string) => {
    try {
      return fs.statSync(path.join(root, rel)).mtimeMs;
    } catch {
      return undefined;
    }
  };
  const missing = [...facts.files, ...facts.inputs].filter((f) => mtime(f) === undefined);
  if (missing.length) return { makeArgs: [], kept: [], note: `${missing.join(', ')} missing: the generated files are left to make` };
  const oldest = Math.min(...facts.files.map((f) => mtime(f)!));
  const newer = facts.inputs.filter((f) => mtime(f)! > oldest);
  if (newer.length) {
    return {
      makeArgs: [],
      kept: [],
      note:
        `${newer.join(', ')} is newer than ${facts.files.join(', ')}: make regenerates them with the rewritten ` +
        `tree's own generator, which may not run (see the profile's build.generatedKept)`,
    };
  }
  return { makeArgs: facts.files.flatMap((f) => ['-o', f]), kept: [...facts.files] };
}
