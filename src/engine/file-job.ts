// One file's share of a scan, the same in a pool worker as in the calling thread: its
// declarations under each of its macro contexts, and where it names functions the caller
// asked about (the C library calls that keep state). Both are per file, so they run in
// parallel with the parse instead of after it on one thread.
import { findNameSites, namesPattern, type NameSite } from './calls.ts';
import { tokenize } from './lex.ts';
import type { LexicalIndex } from './lexical-index.ts';
import type { MacroRules } from './macro-rules.ts';
import { finishFile, type ParsedFile, type PreparedFile } from './scan-file.ts';
import { treeFacts, type TreeFacts } from './tree-facts.ts';

export interface NameFinder {
  names: Set<string>;
  /** Any of the names as a word: a file that has none is not tokenized again. */
  pattern: RegExp;
}

export function nameFinder(names: readonly string[]): NameFinder | undefined {
  return names.length ? { names: new Set(names), pattern: namesPattern(names) } : undefined;
}

export interface FileScan {
  parsed: ParsedFile[];
  sites: NameSite[];
}

export function scanFileJob(index: LexicalIndex, path: string, text: string, rules: MacroRules, finder?: NameFinder): FileScan {
  const job = prepareFileJob(index, path, text, rules, finder);
  return finishFileJob(job, job.prepared.map((p) => treeFacts(p.job)));
}

/** A file's scan up to its trees: one prepared parse per context, and its call sites already found. */
export interface PreparedFileJob {
  prepared: PreparedFile[];
  sites: NameSite[];
}

export function prepareFileJob(index: LexicalIndex, path: string, text: string, rules: MacroRules, finder?: NameFinder): PreparedFileJob {
  // One tokenization for every context's parse and for the call sites.
  const tokens = tokenize(text);
  const prepared = index.prepare(path, text, rules, tokens);
  const lines = index.linesOf(path);
  const sites = finder && lines && finder.pattern.test(text) ? findNameSites(text, finder.names, lines, tokens) : [];
  return { prepared, sites };
}

/** The file's scan once each context's tree facts are in (treeFacts of prepared[i].job, in order). */
export function finishFileJob(job: PreparedFileJob, facts: TreeFacts[]): FileScan {
  return { parsed: job.prepared.map((p, i) => finishFile(p, facts[i])), sites: job.sites };
}
