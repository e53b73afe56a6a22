// How badly a text parses once the macro rules have masked it: the measure apply's guard
// compares before and after a rewrite (an edit must never leave a file parsing worse). Pure, so
// a pool worker gives the same counts as this thread.
import { lineIndex, tokenize } from './lex.ts';
import { mask } from './mask.ts';
import type { MacroRules } from './macro-rules.ts';
import { countErrors, parseC, type Lang } from './parse.ts';
import { skippableBodies, type Span } from './skip-bodies.ts';

export function maskedParseErrors(text: string, rules: MacroRules, lang: Lang = 'c', skip?: Span[]): number {
  const masked = mask(text, tokenize(text), rules, undefined, undefined, lang).text;
  const e = countErrors(parseC(masked, lang, skip?.length ? { spans: skip, lines: lineIndex(text) } : undefined));
  return e.errorNodes + e.missingNodes;
}

/** A rewritten file and what it was: undo holds the rewrite's edits inverted (invertEdits). */
export interface GuardJob {
  after: string;
  before: string;
  lang: Lang;
  undo: { start: number; end: number; text: string }[];
}

/**
 * The parse errors of a file after and before its rewrite. In C, the function bodies that no
 * edit touched are left out of both parses (skip-bodies.ts): the same bytes on both sides, which
 * tree-sitter's included ranges keep it from reading, so the counts compare what the edits
 * touched and everything at file scope, for a fraction of a whole parse. The file before is
 * parsed only when the file after has errors: a clean result cannot be worse (most files).
 */
export function guardCounts(job: GuardJob, rules: MacroRules): { after: number; before: number } {
  let skip: Span[] = [];
  if (job.lang === 'c') {
    const tokens = tokenize(job.after);
    const masked = mask(job.after, tokens, rules, undefined, undefined, job.lang).text;
    skip = skippableBodies(tokens, masked, editedOffsets(job.undo));
  }
  const after = maskedParseErrors(job.after, rules, job.lang, skip);
  if (after === 0) return { after, before: 0 };
  return { after, before: maskedParseErrors(job.before, rules, job.lang, shiftSpans(skip, job.undo)) };
}

/**
 * Offsets into the edited text that keep every edited body in the parse: where each edit's new
 * text starts and ends, and the byte before it (a deletion leaves no byte of its own).
 */
function editedOffsets(undo: readonly { start: number; end: number }[]): number[] {
  const out: number[] = [];
  for (const e of undo) out.push(Math.max(0, e.start - 1), e.start, Math.max(e.start, e.end - 1));
  return out;
}

/** Spans of the edited text (none holding an edit) at their offsets in the text before. */
export function shiftSpans(spans: readonly Span[], undo: readonly { start: number; end: number; text: string }[]): Span[] {
  const out: Span[] = [];
  let k = 0;
  let delta = 0; // before − after, for offsets past the edits seen so far
  for (const s of spans) {
    while (k < undo.length && undo[k].end <= s.start) {
      delta += undo[k].text.length - (undo[k].end - undo[k].start);
      k++;
    }
    out.push({ start: s.start + delta, end: s.end + delta });
  }
  return out;
}
