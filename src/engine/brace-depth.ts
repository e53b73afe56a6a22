// Lexical brace depth, so that a declaration tree-sitter recovered at the top level of an
// ERROR region can be recognised as a local variable of a function it failed to parse.
// Conditional groups count their first branch only: `#if A f(x) { #else f(x, y) { #endif`
// opens one body, not two.
import { firstTokenFrom, type Token } from './lex.ts';
import type { Lang } from './parse.ts';

const open = /^#\s*(if|ifdef|ifndef)\b/;
const alt = /^#\s*(elif|else)\b/;
const end = /^#\s*endif\b/;

export interface DepthIndex {
  /** Depth before tokens[i]. */
  depth: Int32Array;
  tokens: Token[];
}

/** In a C++ source (lang 'cxx') the `#ifdef __cplusplus` branches are the code and their braces count. */
export function braceDepths(tokens: Token[], lang: Lang = 'c'): DepthIndex {
  const depth = new Int32Array(tokens.length + 1);
  let d = 0;
  const groups: { atOpen: number; afterFirst: number | null; cxx: boolean }[] = [];
  let cxx = 0;
  for (let i = 0; i < tokens.length; i++) {
    depth[i] = d;
    const t = tokens[i];
    if (t.kind === 'directive') {
      if (open.test(t.text)) {
        // `extern "C" {` guards are C++ only: a C compiler never sees their braces.
        const isCxx = lang === 'c' && /__cplusplus/.test(t.text) && !/!\s*defined|ifndef/.test(t.text);
        groups.push({ atOpen: d, afterFirst: null, cxx: isCxx });
        if (isCxx) cxx++;
      }
      else if (alt.test(t.text) && groups.length) {
        const g = groups[groups.length - 1];
        if (g.afterFirst === null) g.afterFirst = d;
        d = g.atOpen;
        // The #else/#elif of `#ifdef __cplusplus` is C again: its braces count.
        if (g.cxx) {
          g.cxx = false;
          cxx--;
        }
      } else if (end.test(t.text) && groups.length) {
        const g = groups.pop()!;
        if (g.cxx) cxx--;
        if (g.afterFirst !== null) d = g.afterFirst;
      }
      continue;
    }
    if (t.kind !== 'punct' || cxx > 0) continue;
    if (t.text === '{') d++;
    else if (t.text === '}') d = Math.max(0, d - 1);
  }
  depth[tokens.length] = d;
  return { depth, tokens };
}

export function depthAt(idx: DepthIndex, offset: number): number {
  return idx.depth[firstTokenFrom(idx.tokens, offset)];
}

/** Name of the function whose body holds offset, found lexically; '?' when it cannot be told. */
export function enclosingFunctionLexical(idx: DepthIndex, offset: number): string {
  const { tokens, depth } = idx;
  let i = firstTokenFrom(tokens, offset) - 1;
  // back to the '{' that opened depth 1
  while (i >= 0 && !(tokens[i].text === '{' && depth[i] === 0)) i--;
  let paren = 0;
  for (let k = i - 1; k >= 0 && k > i - 400; k--) {
    const t = tokens[k];
    if (t.text === ')') paren++;
    else if (t.text === '(') {
      paren--;
      if (paren === 0 && tokens[k - 1]?.kind === 'ident') return tokens[k - 1].text;
    } else if (paren === 0 && (t.text === '}' || t.text === '=')) break;
  }
  return '?';
}
