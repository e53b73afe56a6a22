// How badly a text parses once the macro rules have masked it: the measure apply's guard
// compares before and after a rewrite (an edit must never leave a file parsing worse). Pure, so
// a pool worker gives the same count as this thread.
import { tokenize } from './lex.ts';
import { mask } from './mask.ts';
import type { MacroRules } from './macro-rules.ts';
import { countErrors, parseC, type Lang } from './parse.ts';

export function maskedParseErrors(text: string, rules: MacroRules, lang: Lang = 'c'): number {
  const e = countErrors(parseC(mask(text, tokenize(text), rules, undefined, undefined, lang).text, lang));
  return e.errorNodes + e.missingNodes;
}
