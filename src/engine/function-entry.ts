// Where a statement can be added at the top of a function body and still be C89: after the
// body's leading declarations. Uses the same masked parse as the scan.
import { tokenize } from './lex.ts';
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
}

/** `#ifdef X int a; #endif` at the top of a body still belongs to the declarations. */
function onlyDeclarations(n: SyntaxNode): boolean {
  if (!n.type.startsWith('preproc_if') && n.type !== 'preproc_else') return false;
  const body = n.namedChildren.filter((c) => c.type !== 'identifier' && c.type !== 'comment' && !c.type.startsWith('preproc_arg') && c !== n.childForFieldName('condition'));
  return body.length > 0 && body.every((c) => c.type === 'declaration' || onlyDeclarations(c));
}

export function findFunctionEntries(text: string, rules: MacroRules, nameMatches: (name: string) => boolean, lang: Lang = 'c'): FunctionEntry[] {
  const tree = parseC(mask(text, tokenize(text), rules, undefined, undefined, lang).text, lang);
  const out: FunctionEntry[] = [];
  const visit = (n: SyntaxNode) => {
    for (const c of n.namedChildren) {
      if (c.type === 'function_definition') {
        // Through any declarator: `int (*getcb(void))(void) {` defines getcb.
        const name = functionName(c);
        const body = c.childForFieldName('body');
        if (name && /^[A-Za-z_]\w*$/.test(name) && body && nameMatches(name)) {
          let at = body.startIndex + 1;
          for (const s of body.namedChildren) {
            if (s.type === 'declaration' || onlyDeclarations(s)) at = s.endIndex;
            else if (s.type !== 'comment') break;
          }
          out.push({ name, at, start: c.startIndex });
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
