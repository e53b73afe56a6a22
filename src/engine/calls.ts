// Where a file names given functions: calls, references (a function passed as a pointer),
// declarations and definitions, including inside #define bodies. Knows C tokens, not CPython.
import { tokenize, matchingClose, positionOf, type Token } from './lex.ts';
import { braceDepths, enclosingFunctionLexical } from './brace-depth.ts';

export type NameUse = 'call' | 'reference' | 'declaration' | 'definition';

export interface NameSite {
  name: string;
  /** Byte offset of the name in the file. */
  offset: number;
  line: number;
  column: number;
  use: NameUse;
  /** Enclosing function, '-' at file scope, or '#define M' inside the body of macro M. */
  function: string;
}

// Words after which `name(` is a declaration of name (`extern char *crypt(...)`), not a call.
const notTypeWords = new Set(['return', 'case', 'sizeof', 'else', 'do', 'goto']);
// What may stand between a declaration's `)` and its `;`.
const attributeWords = /^(__attribute__|__attribute|__THROW|__wur|__nonnull|__asm__|__asm|asm|__MINGW_NOTHROW|PY_FORMAT_\w+|Py_GCC_ATTRIBUTE)$/;

/** Every site in text where one of names is used as an identifier (members `a.name` and `p->name` excluded). */
export function findNameSites(text: string, names: ReadonlySet<string>, lines: number[], tokens: Token[] = tokenize(text)): NameSite[] {
  const depth = braceDepths(tokens);
  const out: NameSite[] = [];
  const visit = (toks: Token[], i: number, fn: () => string, atFileScope: boolean) => {
    const t = toks[i];
    const prev = toks[i - 1];
    if (prev && prev.kind === 'punct' && (prev.text === '.' || prev.text === '->')) return;
    let use: NameUse = 'reference';
    if (toks[i + 1]?.text === '(') {
      const close = matchingClose(toks, i + 1);
      let k = i - 1;
      while (k >= 0 && toks[k].text === '*') k--;
      const typed = toks[k]?.kind === 'ident' && !notTypeWords.has(toks[k].text);
      if (atFileScope) {
        // `T name(...);` and `T name(...) __attribute__((...));` declare it; `T name(...) {`
        // defines it, and so does K&R's `T name(a, b) int a; char *b; {`, whose `)` is
        // followed by a parameter's type.
        let j = close + 1;
        while (j > 0 && j < toks.length && attributeWords.test(toks[j].text)) j = toks[j + 1]?.text === '(' ? matchingClose(toks, j + 1) + 1 : j + 1;
        const next = toks[j];
        use = next === undefined || next.text === ';' || next.text === ',' || next.text === '=' ? 'declaration' : 'definition';
      } else {
        use = typed && toks[close + 1]?.text === ';' ? 'declaration' : 'call';
      }
    }
    const { line, column } = positionOf(lines, t.start);
    out.push({ name: t.text, offset: t.start, line, column, use, function: fn() });
  };
  // A local variable or parameter of the same name (`PyObject *strerror = NULL;`, `char *dirname`)
  // hides the function inside its function: none of that function's sites are the library's.
  const shadowed = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'ident' || !names.has(t.text) || !declaresVariable(tokens, i)) continue;
    const fn = depth.depth[i] > 0 ? enclosingFunctionLexical(depth, t.start) : parameterOf(tokens, i);
    if (fn) shadowed.add(`${fn}|${t.text}`);
  }
  const textOnly = textOnlyParams(text, tokens);
  // offsetof(T, member): the second argument is a member designator, never a function.
  if (!textOnly.has('offsetof')) textOnly.set('offsetof', new Set([1]));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'directive') {
      const m = /^#\s*define\s+([A-Za-z_]\w*)/.exec(t.text);
      if (!m) continue;
      const body = tokenize(text, t.start + m[0].length, t.end, { directives: false });
      for (let j = 0; j < body.length; j++) {
        if (body[j].kind === 'ident' && names.has(body[j].text)) visit(body, j, () => `#define ${m[1]}`, false);
      }
      continue;
    }
    if (t.kind !== 'ident' || !names.has(t.text)) continue;
    const d = depth.depth[i];
    const fn = d === 0 ? (parameterOf(tokens, i) ?? '-') : enclosingFunctionLexical(depth, t.start);
    if (shadowed.has(`${fn}|${t.text}`)) continue;
    if (textOnly.size && isTextOnlyArgument(tokens, i, textOnly)) continue;
    visit(tokens, i, () => fn, d === 0);
  }
  return out;
}

/**
 * The file's function-like macros, each with the indexes of the parameters its body only
 * stringizes or pastes (`#define _GETATTR_(str, rstr) ... "__" #rstr "__"`): an argument there is
 * text, so `_GETATTR_(bitwise_and, rand)` names no function.
 */
function textOnlyParams(text: string, tokens: Token[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const t of tokens) {
    if (t.kind !== 'directive') continue;
    const m = /^#\s*define\s+([A-Za-z_]\w*)\(([^)]*)\)/.exec(t.text);
    if (!m) continue;
    const params = m[2].split(',').map((p) => p.trim());
    const body = tokenize(text, t.start + m[0].length, t.end, { directives: false });
    const asText = new Set<number>();
    params.forEach((p, idx) => {
      let plain = false;
      let seen = false;
      for (let j = 0; j < body.length; j++) {
        if (body[j].kind !== 'ident' || body[j].text !== p) continue;
        seen = true;
        const before = body[j - 1]?.text;
        const after = body[j + 1]?.text;
        if (!(before === '#' || before === '##' || after === '##')) plain = true;
      }
      if (seen && !plain) asText.add(idx);
    });
    if (asText.size) out.set(m[1], asText);
  }
  return out;
}

/** tokens[i] is an argument of a use of one of these macros, in a position the macro only stringizes or pastes. */
function isTextOnlyArgument(toks: Token[], i: number, macros: Map<string, Set<number>>): boolean {
  let paren = 0;
  let arg = 0;
  for (let k = i - 1; k >= 0 && k > i - 400; k--) {
    const t = toks[k].text;
    if (t === ')' || t === ']' || t === '}') paren++;
    else if (t === '(' || t === '[' || t === '{') {
      if (paren > 0) {
        paren--;
        continue;
      }
      const name = toks[k - 1];
      const args = t === '(' && name?.kind === 'ident' ? macros.get(name.text) : undefined;
      return args !== undefined && args.has(arg) && singleToken(toks, i);
    } else if (t === ',' && paren === 0) arg++;
    else if (t === ';') return false;
  }
  return false;
}

/** The argument is the name alone: `M(a, rand)`, not `M(a, rand(x))`. */
function singleToken(toks: Token[], i: number): boolean {
  const before = toks[i - 1]?.text;
  const after = toks[i + 1]?.text;
  return (before === '(' || before === ',') && (after === ')' || after === ',');
}

const afterDeclarator = new Set(['=', ';', ',', '[', ')']);

/** `T name =`, `T *name;`, `T name[`, `(T *name)`: a variable named name, not a use of the function. */
function declaresVariable(toks: Token[], i: number): boolean {
  if (!afterDeclarator.has(toks[i + 1]?.text ?? '')) return false;
  let k = i - 1;
  while (k >= 0 && (toks[k].text === '*' || toks[k].text === 'const')) k--;
  const before = toks[k];
  if (before?.text === ',') {
    // `char *domain, *dirname;`: a declarator list, if the statement starts with a type and no
    // parenthesis is open between (`f(a, dirname)` is a call).
    let paren = 0;
    for (let j = k - 1; j >= 0; j--) {
      const t = toks[j].text;
      if (t === ')') paren++;
      else if (t === '(' && --paren < 0) return false;
      else if (t === ';' || t === '{' || t === '}') {
        const first = toks[j + 1];
        return first.kind === 'ident' && !notTypeWords.has(first.text) && toks[j + 2]?.text !== '(' && toks[j + 2]?.text !== '=';
      }
    }
    return false;
  }
  return before !== undefined && before.kind === 'ident' && !notTypeWords.has(before.text) && before.text !== 'sizeof';
}

/** For a token inside a function's parameter list at file scope: that function's name. */
function parameterOf(toks: Token[], i: number): string | undefined {
  let paren = 0;
  for (let k = i - 1; k >= 0 && k > i - 200; k--) {
    const t = toks[k].text;
    if (t === ')') paren++;
    else if (t === '(') {
      if (paren === 0) return toks[k - 1]?.kind === 'ident' ? toks[k - 1].text : undefined;
      paren--;
    } else if (t === ';' || t === '{' || t === '}') return undefined;
  }
  return undefined;
}

/** A quick test before tokenizing: most files name none of the functions. */
export function mentionsAny(text: string, pattern: RegExp): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

export function namesPattern(names: Iterable<string>): RegExp {
  return new RegExp(`\\b(?:${[...names].sort((a, b) => b.length - a.length).join('|')})\\b`);
}
