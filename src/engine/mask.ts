// Builds a length-preserving masked copy of a file: known macros become parseable C of the
// same length, so tree-sitter's offsets are the original file's offsets and edits can be
// applied to the original bytes unchanged.
import type { MacroRule, MacroRules } from './macro-rules.ts';
import { matchingClose, type Token } from './lex.ts';
import type { Lang } from './parse.ts';

export interface MacroUse {
  rule: MacroRule;
  /** Token index of the macro name. */
  at: number;
  start: number;
  end: number;
  /** Argument texts (trimmed) and their ranges, for function-like uses. */
  args: { text: string; start: number; end: number }[];
}

export interface Masked {
  text: string;
  /** Declared names spelled through a macro (NS(encodings) → encodingsNS): offset of the use → real name. */
  renames: Map<number, string>;
  /** Uses of `declares` macros: the caller turns them into declarations. */
  declaring: MacroUse[];
  /** Conditional directives blanked because they sat inside an initializer or argument list. */
  blankedDirectives: number;
}

/** Splits the arguments of a function-like use whose '(' is tokens[open]. */
export function splitArgs(text: string, tokens: Token[], open: number, close: number) {
  const args: { text: string; start: number; end: number }[] = [];
  let depth = 0;
  let argStart = tokens[open].end;
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k];
    if (t.kind !== 'punct') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    else if (t.text === ',' && depth === 0) {
      args.push(mkArg(text, argStart, t.start));
      argStart = t.end;
    }
  }
  args.push(mkArg(text, argStart, tokens[close].start));
  return args;
}

function mkArg(text: string, start: number, end: number) {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  return { text: text.slice(s, e), start: s, end: e };
}

/** Replaces text[start,end) keeping newlines (so line numbers hold) and the length. */
type Buf = Uint8Array;
const NL = 10;
const CR = 13;

function blank(buf: Buf, start: number, end: number): void {
  for (let i = start; i < end; i++) if (buf[i] !== NL && buf[i] !== CR) buf[i] = 32;
}

function put(buf: Buf, start: number, s: string): void {
  for (let i = 0; i < s.length; i++) buf[start + i] = s.charCodeAt(i);
}

const condOpen = /^#\s*(if|ifdef|ifndef)\b/;
const condElse = /^#\s*(elif|else)\b/;
const condEnd = /^#\s*endif\b/;
const cplusplus = /^#\s*(ifdef\s+__cplusplus|if\s+defined\s*\(?\s*__cplusplus)/;

const defineLine = /^#\s*define\b/;

/**
 * A comment inside a #define that continues on further lines (ceval.c's C_TRACE: a comment, then a
 * backslash and more body) ends tree-sitter's macro body there, and the rest parses as code. To C a
 * comment is a space: it is blanked (line ends kept), quotes respected.
 */
function blankContinuedComments(buf: Buf, d: string, at: number): void {
  if (!d.includes('/*') && !d.includes('//')) return;
  for (let i = 0; i < d.length; i++) {
    const c = d[i];
    if (c === '"' || c === "'") {
      for (i++; i < d.length && d[i] !== c && d[i] !== '\n'; i++) if (d[i] === '\\') i++;
    } else if (c === '/' && (d[i + 1] === '*' || d[i + 1] === '/')) {
      const end = d[i + 1] === '*' ? d.indexOf('*/', i + 2) + 2 : d.indexOf('\n', i);
      const e = end < 2 || end > d.length ? d.length : end;
      // Only where the body goes on after the comment, on a continued line.
      if (d.slice(e).includes('\\\n') || d.slice(e).includes('\\\r\n')) blank(buf, at + i, at + e);
      i = e - 1;
    }
  }
}

/** Resolves a use of a name-building macro at tokens[k] to the identifier it makes, if it makes one. */
export type NameResolver = (tokens: Token[], k: number) => { name: string; close: number } | undefined;

/**
 * A use of a known function-like macro as a whole statement with no `;` after it
 * (cjkcodecs' `NEXT(1, 1)` then `WRITE1(c)` on the next line): the macro brings its own
 * semicolon. Such a use becomes an empty block of the same width.
 */
function isBareStatementUse(tokens: Token[], k: number, close: number): boolean {
  const before = tokens[k - 1]?.text;
  const after = tokens[close + 1];
  if (!(before === ';' || before === '{' || before === '}' || before === ':' || before === ')' || before === 'else')) return false;
  if (!after) return false;
  return after.kind === 'ident' || after.text === '{' || after.text === '}';
}

/**
 * Whether the group opened at tokens[k] has an alternative, every branch holds only the words
 * of a type (identifiers, `(`, `)`, `*`), and a name and `(` follow its #endif: a return type.
 * Or every branch is a whole function header (type, name, parameters: commas allowed) and the
 * body's `{` follows the #endif (_bsddb.c's `#if PY_VERSION_HEX < ... DL_EXPORT(void)
 * init_bsddb(void) #else PyMODINIT_FUNC PyInit__bsddb(void) #endif {`).
 */
function returnTypeGroup(tokens: Token[], k: number): boolean {
  let depth = 0;
  let alternatives = 0;
  let commas = false;
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind === 'directive') {
      if (condOpen.test(t.text)) return false;
      if (condEnd.test(t.text)) {
        if (depth !== 0 || alternatives === 0) return false;
        if (tokens[j + 1]?.text === '{') return tokens[j - 1]?.text === ')';
        return !commas && tokens[j + 1]?.kind === 'ident' && tokens[j + 2]?.text === '(';
      }
      if (condElse.test(t.text)) {
        if (depth !== 0) return false;
        alternatives++;
      } else return false;
      continue;
    }
    if (t.kind === 'ident') continue;
    if (t.kind === 'punct' && (t.text === '(' || t.text === ')' || t.text === '*' || t.text === ',')) {
      depth += t.text === '(' ? 1 : t.text === ')' ? -1 : 0;
      commas ||= t.text === ',';
      continue;
    }
    return false;
  }
  return false;
}

/**
 * Whether the group opened at tokens[k] has no #else/#elif and its braces do not balance. A
 * statement macro that opens or closes a block (`Py_BEGIN_ALLOW_THREADS`) counts as its brace.
 */
function loneBranchUnbalanced(tokens: Token[], k: number, rules: MacroRules): boolean {
  let depth = 0;
  let braces = 0;
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind === 'directive') {
      if (condOpen.test(t.text)) depth++;
      else if (condEnd.test(t.text)) {
        if (depth === 0) return braces !== 0;
        depth--;
      } else if (depth === 0 && condElse.test(t.text)) return false;
      continue;
    }
    if (t.kind === 'punct' && t.text === '{') braces++;
    else if (t.kind === 'punct' && t.text === '}') braces--;
    else if (t.kind === 'ident') {
      const r = rules.get(t.text);
      if (r?.kind === 'statement') braces += r.means === '{' ? 1 : r.means === '}' ? -1 : 0;
    }
  }
  return false;
}

/**
 * Whether the group opened at tokens[k] has no #else/#elif and holds part of a statement: it
 * begins with `else` (`#ifdef X else if (b) ... #endif`), or ends with `else` or with a control
 * header's `)` (`#if X if (c) #endif f();`, a condition around the statement after it). The
 * code is valid C with the group or without it.
 */
function loneBranchPartial(tokens: Token[], k: number): boolean {
  const startsElse = tokens[k + 1]?.kind === 'ident' && tokens[k + 1].text === 'else';
  let depth = 0;
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind !== 'directive') continue;
    if (condOpen.test(t.text)) depth++;
    else if (condEnd.test(t.text)) {
      if (depth === 0) return j - 1 > k && (startsElse || endsStatementPrefix(tokens, j - 1));
      depth--;
    } else if (depth === 0 && condElse.test(t.text)) return false;
  }
  return false;
}

/** Whether tokens[last] ends a statement's head: `else`, or the `)` of `if (...)`, `while (...)`, `for (...)`. */
function endsStatementPrefix(tokens: Token[], last: number): boolean {
  const t = tokens[last];
  if (t.kind === 'ident') return t.text === 'else';
  if (t.text !== ')') return false;
  let depth = 0;
  for (let j = last; j >= 0; j--) {
    const x = tokens[j];
    if (x.kind === 'directive') return false;
    if (x.text === ')') depth++;
    else if (x.text === '(' && --depth === 0) {
      const head = tokens[j - 1];
      return head?.kind === 'ident' && (head.text === 'if' || head.text === 'while' || head.text === 'for');
    }
  }
  return false;
}

/** Whether the group opened at tokens[k] must stay whole: it has no #else/#elif, or its other branches declare static or extern data. */
function alternativesDeclare(tokens: Token[], k: number, rules: MacroRules): boolean {
  let depth = 0;
  let branch = 0;
  for (let j = k + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind === 'directive') {
      if (condOpen.test(t.text)) depth++;
      else if (condEnd.test(t.text)) {
        // No alternative at all: nothing to choose between, leave the group to tree-sitter.
        if (depth === 0) return branch === 0;
        depth--;
      } else if (depth === 0 && condElse.test(t.text)) branch++;
      else if (branch > 0 && /^#\s*define\b[\s\S]*\b(static|extern)\b/.test(t.text)) return true;
      continue;
    }
    if (branch > 0 && t.kind === 'ident' && (t.text === 'static' || t.text === 'extern' || rules.get(t.text)?.kind === 'storage' || rules.get(t.text)?.kind === 'declares')) return true;
  }
  return true;
}

export function mask(text: string, tokens: Token[], rules: MacroRules, names?: NameResolver, functionMacros?: (name: string) => boolean, lang: Lang = 'c'): Masked {
  const buf: Buf = Buffer.from(text, 'latin1');
  const declaring: MacroUse[] = [];
  const renames = new Map<number, string>();
  let blankedDirectives = 0;

  // Bracket context, to know whether a directive sits inside an initializer or an argument list.
  type Ctx = '(' | 'init' | 'block';
  const stack: Ctx[] = [];
  // Conditional groups opened inside such a context: after its first branch, text is blanked.
  const inline: { depth: number; blanking: boolean }[] = [];
  let blanking = false;
  let condDepth = 0;
  let blankFrom = -1;
  // `#ifdef __cplusplus` blocks are C++-only: a C compiler never sees them.
  let cxxDepth = -1;
  // In a C++ source it is the other way round: the `#ifdef __cplusplus` branch (`extern "C" {`)
  // is what the compiler sees and stays, only its directive lines go; an #else branch goes whole.
  let cxxKept = -1;

  let prev: Token | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'directive') {
      const d = t.text;
      if (condOpen.test(d)) {
        condDepth++;
        if (lang === 'cxx' && cxxDepth < 0 && cxxKept < 0 && cplusplus.test(d)) {
          cxxKept = condDepth;
          blank(buf, t.start, t.end);
        } else if (lang === 'c' && cxxDepth < 0 && cplusplus.test(d)) {
          cxxDepth = condDepth;
          blankFrom = t.start;
        } else if (cxxDepth < 0 && stack.length && (stack[stack.length - 1] !== 'block' || !alternativesDeclare(tokens, k, rules))) {
          // Inside an initializer or argument list, or inside a body whose other branches declare
          // nothing of static storage: keep the first branch only, so `#ifdef X if (a) #else if (b)
          // #endif` parses as one statement. (File scope is never touched.)
          inline.push({ depth: condDepth, blanking: false });
          blank(buf, t.start, t.end);
          blankedDirectives++;
        } else if (cxxDepth < 0 && !stack.length && !inline.length && returnTypeGroup(tokens, k)) {
          // A function's return type spelled per version at file scope (`#if PY_VERSION_HEX >= ...
          // PyMODINIT_FUNC #else DL_EXPORT(void) #endif init_subprocess() {`): the first branch
          // stays, so the definition parses and its body is found.
          inline.push({ depth: condDepth, blanking: false });
          blank(buf, t.start, t.end);
          blankedDirectives++;
        } else if (cxxDepth < 0 && stack.length && !inline.length && (loneBranchUnbalanced(tokens, k, rules) || loneBranchPartial(tokens, k))) {
          // A group with no alternative that opens or closes a block (numpy's `#if X` `if (a) {`
          // `#endif`, with the `}` in a twin group further on), or that continues an if-chain
          // (`if (a) ... #ifdef X else if (b) ... #endif else ...`): the directives go, the code stays.
          inline.push({ depth: condDepth, blanking: false });
          blank(buf, t.start, t.end);
          blankedDirectives++;
        } else if (inline.length) {
          blank(buf, t.start, t.end);
          blankedDirectives++;
        }
      } else if (condElse.test(d)) {
        const top = inline[inline.length - 1];
        if (cxxKept === condDepth) {
          // the C branch of a C++ source: blanked up to #endif, as C++ blocks are in C
          cxxKept = -1;
          cxxDepth = condDepth;
          blankFrom = t.start;
        } else if (cxxDepth === condDepth) {
          // keep the C branch
          blank(buf, blankFrom, t.end);
          cxxDepth = -1;
          blankFrom = -1;
          // the rest up to #endif is C; remember to blank the #endif line only
          inline.push({ depth: condDepth, blanking: false });
        } else if (top && top.depth === condDepth) {
          top.blanking = true;
          blank(buf, t.start, t.end);
          blankedDirectives++;
        } else if (inline.length) {
          blank(buf, t.start, t.end);
        }
      } else if (condEnd.test(d)) {
        const top = inline[inline.length - 1];
        if (cxxKept === condDepth) {
          cxxKept = -1;
          blank(buf, t.start, t.end);
        } else if (cxxDepth === condDepth) {
          blank(buf, blankFrom, t.end);
          cxxDepth = -1;
          blankFrom = -1;
        } else if (top && top.depth === condDepth) {
          inline.pop();
          blank(buf, t.start, t.end);
          blankedDirectives++;
        } else if (inline.length) {
          blank(buf, t.start, t.end);
        }
        condDepth--;
      } else if (inline.length || (stack.length && stack[stack.length - 1] !== 'block')) {
        // #define or #include inside an initializer or argument list: keep the parse clean
        blank(buf, t.start, t.end);
      } else if (defineLine.test(d)) {
        blankContinuedComments(buf, d, t.start);
      }
      // Only a directive changes it: worked out here, not at every token.
      blanking = inline.some((e) => e.blanking);
      continue;
    }
    if (cxxDepth >= 0) continue;
    // Inside any branch being blanked (nested #if included), the text goes.
    if (blanking) {
      blank(buf, t.start, t.end);
      continue;
    }
    if (t.kind === 'punct') {
      if (t.text === '(' || t.text === '[') stack.push('(');
      else if (t.text === '{') {
        const enclosing = stack[stack.length - 1];
        const isInit = prev?.text === '=' || (enclosing === 'init' && (prev?.text === ',' || prev?.text === '{'));
        stack.push(isInit ? 'init' : 'block');
      } else if (t.text === ')' || t.text === '}' || t.text === ']') stack.pop();
    }
    if (t.kind === 'ident') {
      const rule = rules.get(t.text);
      const k0 = k;
      if (rule) k = applyRule(text, buf, tokens, k, rule, declaring);
      else if (functionMacros?.(t.text) && tokens[k + 1]?.text === '(' && stack.length > 0) {
        const close = matchingClose(tokens, k + 1);
        if (close > 0 && isBareStatementUse(tokens, k, close)) {
          blank(buf, t.start, tokens[close].end);
          buf[t.start] = 123; // {
          buf[tokens[close].end - 1] = 125; // }
          k = close;
        }
      }
      if (!rule && names && k === k0) {
        const n = names(tokens, k);
        if (n) {
          renames.set(t.start, n.name);
          if (n.close > k) {
            // One identifier of the same width stands for the whole use.
            const end = tokens[n.close].end;
            for (let i = t.end; i < end; i++) if (buf[i] !== NL && buf[i] !== CR) buf[i] = 95;
            k = n.close;
          }
        }
      }
    }
    prev = tokens[k];
  }
  return { text: Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1'), declaring, renames, blankedDirectives };
}

/** Masks one macro use; returns the index of the last token consumed. */
function applyRule(text: string, buf: Buf, tokens: Token[], k: number, rule: MacroRule, declaring: MacroUse[]): number {
  const t = tokens[k];
  const hasParen = tokens[k + 1]?.text === '(';
  const close = hasParen ? matchingClose(tokens, k + 1) : -1;
  const wantsArgs = rule.kind === 'wrapper' || rule.kind === 'initializer-comma' || rule.kind === 'declares' || ((rule.kind === 'erase' || rule.kind === 'statement') && rule.args);
  if (wantsArgs && (!hasParen || close < 0)) return k; // the name used some other way: leave it
  const end = wantsArgs ? tokens[close].end : t.end;
  const width = end - t.start;
  switch (rule.kind) {
    case 'storage':
    case 'replace':
      blank(buf, t.start, t.end);
      put(buf, t.start, rule.means.length <= width ? rule.means : rule.means.slice(0, width));
      return k;
    case 'wrapper': {
      // "M(" becomes "<means>  ", ")" becomes " "
      blank(buf, t.start, tokens[k + 1].end);
      if (rule.means) put(buf, t.start, rule.means);
      blank(buf, tokens[close].start, tokens[close].end);
      return k; // keep scanning inside the wrapped type
    }
    case 'erase':
      blank(buf, t.start, end);
      return wantsArgs ? close : k;
    case 'fields': {
      blank(buf, t.start, end);
      // "int ___;" fills the same width
      const filler = width >= 7 ? `int ${'_'.repeat(width - 5)};` : ';';
      put(buf, t.start, filler);
      return k;
    }
    case 'statement':
      blank(buf, t.start, end);
      // A block's end is written `;}`: the macro ends a statement too, so a label may precede
      // it (`failed: Py_END_ALLOW_THREADS`), which a bare `}` would not allow.
      put(buf, t.start, rule.means === '}' && width >= 2 ? ';}' : rule.means);
      return wantsArgs ? close : k;
    case 'initializer-comma':
      // "M(args)" becomes "M'(args),": the name loses its last letter to make room for the comma.
      if (t.end - t.start < 2) return k;
      put(buf, t.end - 1, ' ');
      for (let i = t.end; i < tokens[close].end; i++) buf[i - 1] = text.charCodeAt(i) & 0xff;
      buf[tokens[close].end - 1] = 44;
      return close;
    case 'declares': {
      const args = splitArgs(text, tokens, k + 1, close);
      declaring.push({ rule, at: k, start: t.start, end, args });
      blank(buf, t.start, end);
      // `PyDoc_VAR(x) = "...";` carries its initializer after the use: it goes too.
      if (tokens[close + 1]?.text === '=') {
        let depth = 0;
        for (let j = close + 1; j < tokens.length; j++) {
          const x = tokens[j].text;
          if (x === '(' || x === '{' || x === '[') depth++;
          else if (x === ')' || x === '}' || x === ']') depth--;
          else if (x === ';' && depth === 0) {
            blank(buf, tokens[close].end, tokens[j].start);
            return j - 1;
          }
        }
      }
      return close;
    }
  }
}
