// Function bodies the parse can leave out. Inside a function only static and extern declarations
// are globals, and the declaration walk already skips any subtree that cannot spell either
// (declarations.ts); tree-sitter still had to parse those bodies, about a quarter of the tree's
// bytes. Handing it the rest as included ranges keeps every offset and row of the file, and the
// tree outside the bodies is the one a full parse gives.
import type { Token } from './lex.ts';

export interface Span {
  start: number;
  end: number;
}

/** Below this, leaving a body out saves less than the range costs. */
const minBody = 64;

/**
 * Interiors of the file-scope `) { ...; }` blocks that are function bodies holding nothing the
 * scan reads. A statement's `;` tells a body from a braced list after a macro use
 * (`CODEC(x) { "name", f }` in cjkcodecs' tables), which a guess at its end would misparse. No directive (a conditional can unbalance braces, and the parse must see the
 * branches), no `static` or `extern` in the masked text (masking may spell them: staticforward),
 * no offset of `keep` (macro uses that declare). A file whose braces do not balance gives none.
 */
export function skippableBodies(tokens: Token[], masked: string, keep: number[]): Span[] {
  const out: Span[] = [];
  const kept = [...keep].sort((a, b) => a - b);
  // Where the masked text spells static or extern, found once: a body is tested by bisection.
  const words: number[] = [];
  for (const w of ['static', 'extern']) for (let i = masked.indexOf(w); i >= 0; i = masked.indexOf(w, i + 6)) words.push(i);
  words.sort((a, b) => a - b);
  let depth = 0;
  let prev: Token | undefined;
  let assigns = false;
  let open: Token | undefined;
  let spoiled = false;
  let statements = false;
  for (const t of tokens) {
    if (depth > 0) {
      if (t.kind === 'directive') spoiled = true;
      else if (t.kind === 'punct' && t.text === ';') statements = true;
      else if (t.kind === 'punct' && t.text === '{') depth++;
      else if (t.kind === 'punct' && t.text === '}' && --depth === 0) {
        if (open && statements && !spoiled && t.start - open.end >= minBody && !holdsAny(words, kept, open.end, t.start)) out.push({ start: open.end, end: t.start });
        open = undefined;
        assigns = false;
        prev = t;
      }
      continue;
    }
    if (t.kind === 'directive') continue;
    if (t.kind === 'punct' && t.text === '}') return []; // more closing braces than opening ones
    if (t.kind === 'punct' && t.text === '{') {
      // `T f(args) {` opens a body; `= (T){...}` and `struct s {` do not.
      open = prev?.kind === 'punct' && prev.text === ')' && !assigns ? t : undefined;
      spoiled = false;
      statements = false;
      depth = 1;
      continue;
    }
    if (t.kind === 'punct' && t.text === ';') assigns = false;
    else if (t.kind === 'punct' && t.text === '=') assigns = true;
    prev = t;
  }
  return depth === 0 ? out : [];
}

function holdsAny(words: number[], kept: number[], start: number, end: number): boolean {
  return firstInRange(words, start, end) || firstInRange(kept, start, end);
}

/** Whether the sorted list has a value in [start, end). */
function firstInRange(sorted: number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] < end;
}
