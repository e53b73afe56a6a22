// How badly a text parses once the macro rules have masked it: the measure apply's guard
// compares before and after a rewrite (an edit must never leave a file parsing worse). Pure, so
// a pool worker gives the same counts as this thread: the masking here, the parse (errorCount in
// tree-facts.ts) in either.
import { firstTokenFrom, lineIndex, tokenize, type Token } from './lex.ts';
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
 * The guard's first step for a file. In C, the function bodies that no edit touched are left out
 * of the parse after (skip-bodies.ts), and so they are from the parse before (guardBefore): the
 * same bytes on both sides, which tree-sitter's included ranges keep it from reading, so the
 * counts compare what the edits touched and everything at file scope, for a fraction of a whole
 * parse. A rewrite that only inserts what the macro rules blank out (PYGLOBAL after `static`)
 * needs no parse at all (onlyBlanksAdded): then `count` is undefined.
 */
export interface GuardAfter {
  count?: CountJob;
  spans: Span[];
  /** The file before, masked, when the check for added blanks worked it out. */
  maskedBefore?: string;
}

export function guardAfter(job: GuardJob, rules: MacroRules): GuardAfter {
  if (job.lang !== 'c') return { count: countJob(job.after, rules, job.lang), spans: [] };
  const tokens = tokenize(job.after);
  const masked = mask(job.after, tokens, rules, undefined, undefined, job.lang).text;
  const spans = untouched(skippableBodies(tokens, masked, []), job.undo);
  let maskedBefore: string | undefined;
  if (job.undo.every((e) => e.text === '')) {
    const tokensBefore = tokenize(job.before);
    maskedBefore = mask(job.before, tokensBefore, rules, undefined, undefined, job.lang).text;
    if (onlyBlanksAdded(masked, maskedBefore, job.undo, tokensBefore)) return { spans, maskedBefore };
  }
  return { count: { masked, lang: job.lang, spans, lines: spans.length ? lineIndex(job.after) : [] }, spans, maskedBefore };
}

/** The parse of the file before, with the bodies guardAfter left out at their offsets there. */
export function guardBefore(job: GuardJob, rules: MacroRules, after: GuardAfter): CountJob {
  const spans = shiftSpans(after.spans, job.undo);
  const masked = after.maskedBefore ?? mask(job.before, tokenize(job.before), rules, undefined, undefined, job.lang).text;
  return { masked, lang: job.lang, spans, lines: spans.length ? lineIndex(job.before) : [] };
}

/**
 * The parse errors after and before, in this thread. The file before is parsed only when the
 * file after has errors: a clean result cannot be worse (most files). A rewrite that only adds
 * blanks is counted as neither (0 and 0): its parses are the same.
 */
export function guardCounts(job: GuardJob, rules: MacroRules): { after: number; before: number } {
  const a = guardAfter(job, rules);
  if (!a.count) return { after: 0, before: 0 };
  const after = errorCount(a.count);
  return { after, before: after === 0 ? 0 : errorCount(guardBefore(job, rules, a)) };
}

/**
 * Whether the masked text after differs from the masked text before only by runs of spaces and
 * tabs that the edits inserted (undo: insertions only, in order), each between two tokens of the
 * file before (`tokens`, at the masked text's offsets): never inside a word, a number (`1.5`), a
 * literal (`L"x"`), an operator or a directive line, nor after a backslash that continues a
 * line. Tree-sitter reads blanks between tokens as nothing, so the two parses are the same.
 */
export function onlyBlanksAdded(after: string, before: string, undo: readonly { start: number; end: number; text: string }[], tokens: readonly Token[]): boolean {
  let a = 0;
  let b = 0;
  const same = (n: number) => after.startsWith(before.slice(b, b + n), a);
  for (const e of undo) {
    if (e.text !== '') return false;
    const n = e.start - a;
    if (n < 0 || !same(n)) return false;
    a += n;
    b += n;
    for (let i = e.start; i < e.end; i++) {
      const c = after.charCodeAt(i);
      if (c !== 32 && c !== 9) return false;
    }
    const k = firstTokenFrom(tokens as Token[], b);
    if (k > 0 && tokens[k - 1].end > b) return false; // inside a token (a directive is one)
    if (b > 0 && before.charCodeAt(b - 1) === 92 /* \ */) return false;
    a = e.end;
  }
  return after.length - a === before.length - b && same(before.length - b);
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
