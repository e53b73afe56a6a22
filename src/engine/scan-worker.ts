// A scan pool worker: holds the tree's lexical index and parses the files it is sent, replying
// with plain declarations (and, for 'scan', the sites naming the functions set up with the
// index); or counts a text's parse errors for apply's guard (parse-errors.ts).
// Started through ts-worker.cjs by scan-pool.ts; never imported otherwise.
import { serve } from './scan-pool.ts';
import { LexicalIndex, type FileLex } from './lexical-index.ts';
import type { MacroRule, MacroRules } from './macro-rules.ts';
import type { ParsedFile } from './scan-file.ts';
import { guardCounts, type GuardJob } from './parse-errors.ts';
import { nameFinder, scanFileJob, type FileScan, type NameFinder } from './file-job.ts';
import type { Lang } from './parse.ts';

export type ScanRequest =
  | { kind: 'index'; files: FileLex[]; rules: [string, MacroRule][]; names?: string[] }
  | { kind: 'parse'; path: string; text: string }
  | { kind: 'scan'; path: string; text: string }
  | { kind: 'guard'; job: GuardJob };

let index: LexicalIndex | undefined;
let rules: MacroRules | undefined;
let finder: NameFinder | undefined;

serve((payload): ParsedFile[] | FileScan | { after: number; before: number } | null => {
  const req = payload as ScanRequest;
  if (req.kind === 'index') {
    index = new LexicalIndex(req.files);
    rules = new Map(req.rules);
    finder = nameFinder(req.names ?? []);
    return null;
  }
  if (!index || !rules) throw new Error('scan worker: parse request before the index');
  if (req.kind === 'guard') return guardCounts(req.job, rules);
  if (req.kind === 'scan') return scanFileJob(index, req.path, req.text, rules, finder);
  return index.parse(req.path, req.text, rules);
});
