// Is an initializer still a constant once some variables are thread-local? The address of a
// __thread variable is not an address constant (C11 6.6p9 and gcc's "initializer element is not
// constant"), so any initializer that names one, directly or through macros, must move to run time.
import { tokenize, matchingClose } from './lex.ts';
import { rescan } from './macro-expand.ts';
import type { MacroDef } from './macro-defs.ts';

/**
 * False only when the text holds nothing but literals, comments, punctuation and space: then it
 * names no variable and need not be tokenized. One pass with an early exit: the tree's biggest
 * initializers are megabyte tables of numbers (unicodedata), where regular expressions that strip
 * the literals first cost more than the rest of the analysis.
 */
export function mayNameIdentifiers(text: string): boolean {
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 39) {
      // "..." or '...'
      for (i++; i < n && text.charCodeAt(i) !== c; i++) if (text.charCodeAt(i) === 92) i++;
      i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c >= 48 && c <= 57) {
      // a preprocessing number: digits, letters (0x1F, 10UL), dots, and e+/p- exponents
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if ((d === 43 || d === 45) && /[eEpP]/.test(text[i - 1])) continue;
        if (!(d === 46 || d === 95 || (d >= 48 && d <= 57) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122))) break;
      }
    } else if (c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      return true;
    } else i++;
  }
  return false;
}

/** Fully macro-expands an initializer's text with the macros visible where it stands. */
export function expandText(text: string, visible: Map<string, MacroDef>): string {
  const all = new Set(visible.keys());
  const origin = new Array(text.length).fill(null);
  return rescan(text, origin, visible, all, new Set(), 0).text;
}

/**
 * Names of variables (from `candidates`) that the expanded text uses as values or addresses.
 * Operands of sizeof and member names after '.' or '->' do not count.
 */
export function referencedNames(expanded: string, candidates: (name: string) => boolean): string[] {
  const toks = tokenize(expanded, 0, expanded.length, { directives: false });
  const found = new Set<string>();
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind !== 'ident') continue;
    if (t.text === 'sizeof') {
      if (toks[k + 1]?.text === '(') {
        const close = matchingClose(toks, k + 1);
        if (close > 0) k = close;
      } else k++;
      continue;
    }
    const prev = toks[k - 1]?.text;
    if (prev === '.' || prev === '->') continue;
    if (candidates(t.text)) found.add(t.text);
  }
  return [...found];
}

/**
 * The element count of a braced initializer as C text. Conditional directives between elements
 * are kept, so `{a, #ifdef X b, #endif c}` gives "\n#ifdef X\n1 +\n#endif\n2" and the array keeps
 * the size its initializer gave it on every configuration. Undefined for designated elements.
 */
export function elementCountText(initText: string): string | undefined {
  const toks = tokenize(initText, 0, initText.length);
  const code = toks.filter((t) => t.kind !== 'directive');
  if (code[0]?.text !== '{') return undefined;
  if (code.some((t, i) => t.text === '[' && i > 0 && (code[i - 1].text === '{' || code[i - 1].text === ','))) return undefined;
  let depth = 0;
  let pending = false;
  let plain = 0;
  const parts: string[] = [];
  const flush = () => {
    if (pending) plain++;
    pending = false;
  };
  for (const t of toks) {
    if (t.kind === 'directive') {
      if (depth !== 1) return undefined;
      if (!/^#\s*(if|ifdef|ifndef|elif|else|endif)\b/.test(t.text)) return undefined;
      if (pending) return undefined; // a directive in the middle of an element
      if (plain) parts.push(`${plain} +`);
      plain = 0;
      parts.push(`\n${t.text.replace(/\\\r?\n/g, ' ')}\n`);
      continue;
    }
    const x = t.text;
    if (x === '(' || x === '{' || x === '[') {
      depth++;
      if (depth > 1) pending = true;
      continue;
    }
    if (x === ')' || x === '}' || x === ']') {
      depth--;
      if (depth === 0) flush();
      continue;
    }
    if (depth === 1 && x === ',') flush();
    else if (depth >= 1) pending = true;
  }
  parts.push(`${plain}`);
  return parts.join(' ').replace(/ \n/g, '\n').replace(/\n /g, '\n');
}
