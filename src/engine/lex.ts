// A small C tokenizer over latin1 text. It exists because macro handling and masking must
// see what tree-sitter cannot: directives, macro bodies and invocations, with exact offsets.

export type TokenKind = 'ident' | 'number' | 'string' | 'char' | 'punct' | 'directive';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

// Character classes by code unit: the tokenizer runs over every byte of the tree.
const IDSTART = new Uint8Array(256);
const IDPART = new Uint8Array(256);
const DIGIT = new Uint8Array(256);
const SPACE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  IDSTART[c] = /[A-Za-z_$]/.test(ch) ? 1 : 0;
  IDPART[c] = /[A-Za-z0-9_$]/.test(ch) ? 1 : 0;
  DIGIT[c] = /[0-9]/.test(ch) ? 1 : 0;
  SPACE[c] = /[ \t\n\r\f\v]/.test(ch) ? 1 : 0;
}
const NUMPART = new Uint8Array(256);
for (let c = 0; c < 256; c++) NUMPART[c] = /[A-Za-z0-9_.]/.test(String.fromCharCode(c)) ? 1 : 0;
// The tables are read with `charCodeAt(i) & 0xff` written out at each use: the CLI runs without
// TurboFan inlining (bin/run-compiled.js), and a helper called per character cost a tenth of the tokenizer.
// Punctuators come from tables, so the two million tokens of the tree make no strings for them.
const PUNCT1 = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));
const PUNCT2 = new Map<number, string>();
for (const p of ['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##']) {
  PUNCT2.set((p.charCodeAt(0) << 8) | p.charCodeAt(1), p);
}
const BS = 92; // backslash
const NL = 10;
const CR = 13;
const SLASH = 47;
const STAR = 42;

/** End offset of a comment starting at i, or -1 when there is none. */
export function commentEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== SLASH) return -1;
  const c1 = text.charCodeAt(i + 1);
  if (c1 === STAR) {
    const e = text.indexOf('*/', i + 2);
    return e < 0 ? text.length : e + 2;
  }
  if (c1 === SLASH) {
    let e = i + 2;
    const n = text.length;
    while (e < n) {
      const c = text.charCodeAt(e);
      if (c === NL) break;
      if (c === BS && text.charCodeAt(e + 1) === NL) e++;
      e++;
    }
    return e;
  }
  return -1;
}

function quotedEnd(text: string, i: number, q: number): number {
  let e = i + 1;
  const n = text.length;
  while (e < n) {
    const c = text.charCodeAt(e);
    if (c === q) break;
    if (c === BS) e++;
    else if (c === NL) return e; // unterminated: stop at line end
    e++;
  }
  return Math.min(e + 1, n);
}

/** True when offset i starts a line, ignoring leading blanks. */
function atLineStart(text: string, i: number): boolean {
  let j = i - 1;
  let c = text.charCodeAt(j);
  while (j >= 0 && (c === 32 || c === 9)) c = text.charCodeAt(--j);
  return j < 0 || c === NL;
}

/** End of a preprocessor directive that starts at i (the '#'), following backslash continuations and comments. */
function directiveEnd(text: string, i: number): number {
  let e = i;
  const n = text.length;
  while (e < n) {
    const c = text.charCodeAt(e);
    if (c === NL) break;
    if (c === BS) {
      const c1 = text.charCodeAt(e + 1);
      if (c1 === NL) {
        e += 2;
        continue;
      }
      if (c1 === CR && text.charCodeAt(e + 2) === NL) {
        e += 3;
        continue;
      }
    } else if (c === SLASH) {
      const ce = commentEnd(text, e);
      if (ce >= 0) {
        e = ce;
        continue;
      }
    } else if (c === 34 || c === 39) {
      e = quotedEnd(text, e, c);
      continue;
    }
    e++;
  }
  return e;
}

/** Tokenizes [from, to) of text. Comments are skipped; directives are one token each. */
export function tokenize(text: string, from = 0, to = text.length, opts: { directives?: boolean } = {}): Token[] {
  const directives = opts.directives ?? true;
  const out: Token[] = [];
  let i = from;
  while (i < to) {
    const cc = text.charCodeAt(i) & 0xff;
    if (SPACE[cc]) {
      i++;
      continue;
    }
    const c0 = text.charCodeAt(i);
    if (c0 === BS) {
      const c1 = text.charCodeAt(i + 1);
      if (c1 === NL || c1 === CR) {
        i += 2;
        continue;
      }
    } else if (c0 === SLASH) {
      const c = commentEnd(text, i);
      if (c >= 0) {
        i = c;
        continue;
      }
    } else if (c0 === 35 && directives && atLineStart(text, i)) {
      const e = Math.min(directiveEnd(text, i), to);
      out.push({ kind: 'directive', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    if (IDSTART[cc]) {
      let e = i + 1;
      while (e < to && IDPART[text.charCodeAt(e) & 0xff]) e++;
      // L"..." and L'...' are literals, not identifiers.
      if (e === i + 1 && c0 === 76 /* L */) {
        const q = text.charCodeAt(e);
        if (q === 34 || q === 39) {
          const qe = quotedEnd(text, e, q);
          out.push({ kind: q === 34 ? 'string' : 'char', start: i, end: qe, text: text.slice(i, qe) });
          i = qe;
          continue;
        }
      }
      out.push({ kind: 'ident', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    if (DIGIT[cc] || (c0 === 46 && DIGIT[text.charCodeAt(i + 1) & 0xff])) {
      let e = i + 1;
      while (e < to && NUMPART[text.charCodeAt(e) & 0xff]) {
        const c = text.charCodeAt(e);
        if ((c === 101 || c === 69 || c === 112 || c === 80) /* eEpP */) {
          const s = text.charCodeAt(e + 1);
          if (s === 43 || s === 45) e++;
        }
        e++;
      }
      out.push({ kind: 'number', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    if (c0 === 34 || c0 === 39) {
      const e = quotedEnd(text, i, c0);
      out.push({ kind: c0 === 34 ? 'string' : 'char', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    let p = cc === c0 ? PUNCT1[cc] : text[i];
    if (i + 1 < text.length) {
      const c1 = text.charCodeAt(i + 1);
      const two = PUNCT2.get((c0 << 8) | c1);
      if (two !== undefined) {
        // <<= and >>=
        p = (c1 === 60 || c1 === 62) && c0 === c1 && text.charCodeAt(i + 2) === 61 ? two + '=' : two;
      } else if (c0 === 46 && c1 === 46 && text.charCodeAt(i + 2) === 46) p = '...';
    }
    out.push({ kind: 'punct', start: i, end: i + p.length, text: p });
    i += p.length;
  }
  return out;
}

/**
 * The directive tokens of tokenize(text), without making the others: what a file's #defines and
 * #includes need. It skips exactly what tokenize skips (comments, literals, line continuations),
 * so a '#' counts here if and only if it starts a directive token there.
 */
export function directives(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cc = text.charCodeAt(i);
    if (cc === 47 /* / */) {
      const c = commentEnd(text, i);
      if (c >= 0) {
        i = c;
        continue;
      }
    } else if (cc === 34 /* " */ || cc === 39 /* ' */) {
      i = quotedEnd(text, i, cc);
      continue;
    } else if (cc === 35 /* # */ && atLineStart(text, i)) {
      const e = directiveEnd(text, i);
      out.push({ kind: 'directive', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    } else if (cc === 92 /* \ */ && (text[i + 1] === '\n' || text[i + 1] === '\r')) {
      i += 2;
      continue;
    }
    i++;
  }
  return out;
}

/**
 * The identifier texts of tokenize(text, from, to, { directives: false }), in order, without
 * making the other tokens: what the initializer analysis reads of every initializer. It skips
 * exactly what tokenize reads as another kind (comments, literals with their L prefix, numbers
 * with their letters, line continuations).
 */
export function identifiers(text: string, from = 0, to = text.length): string[] {
  const out: string[] = [];
  let i = from;
  while (i < to) {
    const cc = text.charCodeAt(i) & 0xff;
    const c0 = text.charCodeAt(i);
    if (c0 === SLASH) {
      const c = commentEnd(text, i);
      if (c >= 0) {
        i = c;
        continue;
      }
      i++;
    } else if (IDSTART[cc]) {
      let e = i + 1;
      while (e < to && IDPART[text.charCodeAt(e) & 0xff]) e++;
      if (e === i + 1 && c0 === 76 /* L */) {
        const q = text.charCodeAt(e);
        if (q === 34 || q === 39) {
          i = quotedEnd(text, e, q);
          continue;
        }
      }
      out.push(text.slice(i, e));
      i = e;
    } else if (DIGIT[cc] || (c0 === 46 && DIGIT[text.charCodeAt(i + 1) & 0xff])) {
      let e = i + 1;
      while (e < to && NUMPART[text.charCodeAt(e) & 0xff]) {
        const c = text.charCodeAt(e);
        if (c === 101 || c === 69 || c === 112 || c === 80) {
          const sg = text.charCodeAt(e + 1);
          if (sg === 43 || sg === 45) e++;
        }
        e++;
      }
      i = e;
    } else if (c0 === 34 || c0 === 39) {
      i = quotedEnd(text, i, c0);
    } else i++;
  }
  return out;
}

/** Line starts of a text, for offset → line/column. */
export function lineIndex(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function positionOf(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** Index of the first token that starts at or after offset (tokens.length if none). */
export function firstTokenFrom(tokens: Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the token that closes the bracket opened at tokens[open], or -1. */
export function matchingClose(tokens: Token[], open: number): number {
  const o = tokens[open].text;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'punct') continue;
    if (t.text === o) depth++;
    else if (t.text === c && --depth === 0) return k;
  }
  return -1;
}
