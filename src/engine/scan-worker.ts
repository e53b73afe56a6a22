// A scan pool worker: holds the tree's lexical index and parses the files it is sent, replying
// with plain declarations; or counts a text's parse errors for apply's guard (parse-errors.ts).
// Started through ts-worker.cjs by scan-pool.ts; never imported otherwise.
import { serve } from './scan-pool.ts';
import { LexicalIndex, type FileLex } from './lexical-index.ts';
import type { MacroRule, MacroRules } from './macro-rules.ts';
import type { ParsedFile } from './scan-file.ts';
import { maskedParseErrors } from './parse-errors.ts';
import type { Lang } from './parse.ts';

export type ScanRequest =
  | { kind: 'index'; files: FileLex[]; rules: [string, MacroRule][] }
  | { kind: 'parse'; path: string; text: string }
  | { kind: 'errors'; text: string; lang: Lang };

let index: LexicalIndex | undefined;
let rules: MacroRules | undefined;

serve((payload): ParsedFile[] | number | null => {
  const req = payload as ScanRequest;
  if (req.kind === 'index') {
    index = new LexicalIndex(req.files);
    rules = new Map(req.rules);
    return null;
  }
  if (!index || !rules) throw new Error('scan worker: parse request before the index');
  if (req.kind === 'errors') return maskedParseErrors(req.text, rules, req.lang);
  return index.parse(req.path, req.text, rules);
});
