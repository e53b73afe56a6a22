// Where a statement can be added at the top of a function body and still be C89: after the
// body's leading declarations. Uses the same masked parse as the scan.
import { firstTokenFrom, lineIndex, tokenize, type Token } from './lex.ts';
import { skippableBodies } from './skip-bodies.ts';
import { mask } from './mask.ts';
import { parseC, type Lang, type SyntaxNode } from './parse.ts';
import { functionName } from './declarations.ts';
import type { MacroRules } from './macro-rules.ts';

export interface FunctionEntry {
  name: string;
  /** Offset right after the last leading declaration (or after the '{'). */
  at: number;
  /** Offset of the function definition, to compare with other declarations. */
  start: number;
  /**
   * A conditional group after `at` declares something before its statements (`#ifdef
   * __FreeBSD__ fp_except_t m; m = fpgetmask(); #endif`): a statement put at `at` would come
   * before that declaration, which C89 forbids, so what goes there must be a declaration too.
   */
  declarationsFollow: boolean;
}

/** A conditional group (or one of its #else/#elif branches) whose first statement is a declaration. */
function declaresFirst(n: SyntaxNode): boolean {
  const alternative = (c: SyntaxNode) => c.type === 'preproc_else' || c.type === 'preproc_elif';
  if (!n.type.startsWith('preproc_if') && !alternative(n)) return false;
  const kids = n.namedChildren.filter((c) => c !== n.childForFieldName('condition') && c.type !== 'identifier' && c.type !== 'comment');
  const first = kids.find((c) => !alternative(c));
  const alt = kids.find(alternative);
  return (!!first && (first.type === 'declaration' || declaresFirst(first))) || (!!alt && declaresFirst(alt));
}

/** `#ifdef X int a; #endif` at the top of a body still belongs to the declarations. */
function onlyDeclarations(n: SyntaxNode): boolean {
  if (!n.type.startsWith('preproc_if') && n.type !== 'preproc_else') return false;
  const body = n.namedChildren.filter((c) => c.type !== 'identifier' && c.type !== 'comment' && !c.type.startsWith('preproc_arg') && c !== n.childForFieldName('condition'));
  return body.length > 0 && body.every((c) => c.type === 'declaration' || onlyDeclarations(c));
}

export function findFunctionEntries(text: string, rules: MacroRules, nameMatches: (name: string) => boolean, lang: Lang = 'c'): FunctionEntry[] {
  const tokens = tokenize(text);
  const masked = mask(text, tokens, rules, undefined, undefined, lang).text;
  // Only the bodies of the functions asked for are read: the others are left out of the parse.
  const spans = lang === 'c' ? skippableBodies(tokens, masked, []).filter((s) => !headerNames(tokens, s.start, nameMatches)) : [];
  const tree = parseC(masked, lang, spans.length ? { spans, lines: lineIndex(text) } : undefined);
  const out: FunctionEntry[] = [];
  const visit = (n: SyntaxNode) => {
    for (const c of n.namedChildren) {
      if (c.type === 'function_definition') {
        // Through any declarator: `int (*getcb(void))(void) {` defines getcb.
        const name = functionName(c);
        const body = c.childForFieldName('body');
        if (name && /^[A-Za-z_]\w*$/.test(name) && body && nameMatches(name)) {
          let at = body.startIndex + 1;
          let declarationsFollow = false;
          for (const s of body.namedChildren) {
            if (s.type === 'declaration' || onlyDeclarations(s)) at = s.endIndex;
            else if (s.type !== 'comment') {
              declarationsFollow = declaresFirst(s);
              break;
            }
          }
          out.push({ name, at, start: c.startIndex, declarationsFollow });
        }
      } else if (c.type.startsWith('preproc_') || c.type === 'ERROR' || c.type === 'linkage_specification' || c.type === 'declaration_list' || c.type === 'namespace_definition') {
        // `extern "C" { ... }` and namespaces hold their definitions in a declaration_list.
        visit(c);
      }
    }
  };
  visit(tree.rootNode);
  return out;
}

/**
 * Whether the header of the body that opens just before `bodyStart` calls out a wanted name: any
 * identifier followed by `(` from the previous `;`, `}` or directive on (`DL_EXPORT(void)
 * initfoo(void) {`, `int (*getcb(void))(void) {`). Keeping a body too many costs only its parse.
 */
function headerNames(tokens: Token[], bodyStart: number, nameMatches: (name: string) => boolean): boolean {
  // The token before the first one in the body is its `{`.
  for (let k = firstTokenFrom(tokens, bodyStart) - 2; k >= 0; k--) {
    const t = tokens[k];
    if (t.kind === 'directive' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'))) break;
    if (t.kind === 'ident' && tokens[k + 1]?.text === '(' && nameMatches(t.text)) return true;
  }
  return false;
}
