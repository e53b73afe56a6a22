// How badly a text parses once the macro rules have masked it: the measure apply's guard
// compares before and after a rewrite (an edit must never leave a file parsing worse). Pure, so
// a pool worker gives the same counts as this thread: the masking here, the parse (errorCount in
// tree-facts.ts) in either.
import { lineIndex, tokenize } from './lex.ts';
import { mask } from './mask.ts';
import type { MacroRules } from './macro-rules.ts';
import type { Lang } from './parse.ts';
import { skippableBodies, type Span } from './skip-bodies.ts';
import { errorCount, type CountJob } from './tree-facts.ts';

/** The parse of text, masked, with the spans in skip left out. */
export function countJob(text: string, rules: MacroRules, lang: Lang = 'c', skip: Span[] = []): CountJob {
  const masked = mask(text, tokenize(text), rules, undefined, undefined, lang).text;
  return { masked, lang, spans: skip, lines: skip.length ? lineIndex(text) : [] };
}

export function maskedParseErrors(text: string, rules: MacroRules, lang: Lang = 'c', skip?: Span[]): number {
  return errorCount(countJob(text, rules, lang, skip));
}

/** A rewritten file and what it was: undo holds the rewrite's edits inverted (invertEdits). */
export interface GuardJob {
  after: string;
  before: string;
  lang: Lang;
  undo: { start: number; end: number; text: string }[];
}

/**
 * The parse of a file after its rewrite, for the guard. In C, the function bodies that no edit
 * touched are left out (skip-bodies.ts), and so they are from the parse of the file before
 * (guardBefore): the same bytes on both sides, which tree-sitter's included ranges keep it from
 * reading, so the counts compare what the edits touched and everything at file scope, for a
 * fraction of a whole parse.
 */
export function guardAfter(job: GuardJob, rules: MacroRules): CountJob {
  if (job.lang !== 'c') return countJob(job.after, rules, job.lang);
  const tokens = tokenize(job.after);
  const masked = mask(job.after, tokens, rules, undefined, undefined, job.lang).text;
  const spans = untouched(skippableBodies(tokens, masked, []), job.undo);
  return { masked, lang: job.lang, spans, lines: spans.length ? lineIndex(job.after) : [] };
}

/** The parse of the file before, with the bodies guardAfter left out at their offsets there. */
export function guardBefore(job: GuardJob, rules: MacroRules, after: CountJob): CountJob {
  return countJob(job.before, rules, job.lang, shiftSpans(after.spans, job.undo));
}

/**
 * The parse errors after and before, in this thread. The file before is parsed only when the
 * file after has errors: a clean result cannot be worse (most files).
 */
export function guardCounts(job: GuardJob, rules: MacroRules): { after: number; before: number } {
  const a = guardAfter(job, rules);
  const after = errorCount(a);
  return { after, before: after === 0 ? 0 : errorCount(guardBefore(job, rules, a)) };
}

/**
 * The spans that no edit's new text meets, not even at an end (a deletion leaves no byte of its
 * own, and an edit may insert whole bodies: moved initializers' functions): both in order.
 */
function untouched(spans: Span[], undo: readonly { start: number; end: number }[]): Span[] {
  const out: Span[] = [];
  let k = 0;
  for (const s of spans) {
    while (k < undo.length && undo[k].end < s.start) k++;
    // undo[k] is the first edit that ends at or after the span's start: does it begin by its end?
    if (k < undo.length && undo[k].start <= s.end) continue;
    out.push(s);
  }
  return out;
}

/** Spans of the edited text that no edit meets (untouched) at their offsets in the text before. */
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
