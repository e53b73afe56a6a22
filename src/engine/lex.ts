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
const code = (text: string, i: number) => text.charCodeAt(i) & 0xff;
const puncts3 = new Set(['...', '<<=', '>>=']);
const puncts2 = new Set(['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##']);
const PUNCT2_FIRST = new Set([...puncts2].map((p) => p[0]).concat(['.']));

/** End offset of a comment starting at i, or -1 when there is none. */
export function commentEnd(text: string, i: number): number {
  if (text[i] !== '/') return -1;
  if (text[i + 1] === '*') {
    const e = text.indexOf('*/', i + 2);
    return e < 0 ? text.length : e + 2;
  }
  if (text[i + 1] === '/') {
    let e = i + 2;
    while (e < text.length && text[e] !== '\n') {
      if (text[e] === '\\' && text[e + 1] === '\n') e++;
      e++;
    }
    return e;
  }
  return -1;
}

function quotedEnd(text: string, i: number, q: string): number {
  let e = i + 1;
  while (e < text.length && text[e] !== q) {
    if (text[e] === '\\') e++;
    else if (text[e] === '\n') return e; // unterminated: stop at line end
    e++;
  }
  return Math.min(e + 1, text.length);
}

/** True when offset i starts a line, ignoring leading blanks. */
function atLineStart(text: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  return j < 0 || text[j] === '\n';
}

/** End of a preprocessor directive that starts at i (the '#'), following backslash continuations and comments. */
function directiveEnd(text: string, i: number): number {
  let e = i;
  while (e < text.length && text[e] !== '\n') {
    if (text[e] === '\\' && text[e + 1] === '\n') {
      e += 2;
      continue;
    }
    if (text[e] === '\\' && text[e + 1] === '\r' && text[e + 2] === '\n') {
      e += 3;
      continue;
    }
    const c = commentEnd(text, e);
    if (c >= 0) {
      e = c;
      continue;
    }
    if (text[e] === '"' || text[e] === "'") {
      e = quotedEnd(text, e, text[e]);
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
    const cc = code(text, i);
    if (SPACE[cc]) {
      i++;
      continue;
    }
    const ch = text[i];
    if (ch === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) {
      i += 2;
      continue;
    }
    const c = commentEnd(text, i);
    if (c >= 0) {
      i = c;
      continue;
    }
    if (directives && ch === '#' && atLineStart(text, i)) {
      const e = Math.min(directiveEnd(text, i), to);
      out.push({ kind: 'directive', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    if (IDSTART[cc]) {
      let e = i + 1;
      while (e < to && IDPART[code(text, e)]) e++;
      // L"..." and L'...' are literals, not identifiers.
      if (e === i + 1 && ch === 'L' && (text[e] === '"' || text[e] === "'")) {
        const q = quotedEnd(text, e, text[e]);
        out.push({ kind: text[e] === '"' ? 'string' : 'char', start: i, end: q, text: text.slice(i, q) });
        i = q;
        continue;
      }
      out.push({ kind: 'ident', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    if (DIGIT[cc] || (ch === '.' && DIGIT[code(text, i + 1)])) {
      let e = i + 1;
      while (e < to && NUMPART[code(text, e)]) {
        if ((text[e] === 'e' || text[e] === 'E' || text[e] === 'p' || text[e] === 'P') && (text[e + 1] === '+' || text[e + 1] === '-')) e++;
        e++;
      }
      out.push({ kind: 'number', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const e = quotedEnd(text, i, ch);
      out.push({ kind: ch === '"' ? 'string' : 'char', start: i, end: e, text: text.slice(i, e) });
      i = e;
      continue;
    }
    const next = text[i + 1];
    let p = ch;
    if (next !== undefined && PUNCT2_FIRST.has(ch)) {
      const two = ch + next;
      if (puncts2.has(two)) p = puncts3.has(two + text[i + 2]) ? two + text[i + 2] : two;
      else if (two === '..' && text[i + 2] === '.') p = '...';
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
      i = quotedEnd(text, i, text[i]);
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
