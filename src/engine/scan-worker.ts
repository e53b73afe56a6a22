// A scan pool worker: holds the tree's lexical index and parses the files it is sent, replying
// with plain declarations. Started through ts-worker.cjs by scan-pool.ts; never imported otherwise.
import { serve } from './scan-pool.ts';
import { LexicalIndex, type FileLex } from './lexical-index.ts';
import type { MacroRule, MacroRules } from './macro-rules.ts';
import type { ParsedFile } from './scan-file.ts';

export type ScanRequest =
  | { kind: 'index'; files: FileLex[]; rules: [string, MacroRule][] }
  | { kind: 'parse'; path: string; text: string };

let index: LexicalIndex | undefined;
let rules: MacroRules | undefined;

serve((payload): ParsedFile[] | null => {
  const req = payload as ScanRequest;
  if (req.kind === 'index') {
    index = new LexicalIndex(req.files);
    rules = new Map(req.rules);
    return null;
  }
  if (!index || !rules) throw new Error('scan worker: parse request before the index');
  return index.parse(req.path, req.text, rules);
});
