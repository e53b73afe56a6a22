// Decides, for each variable, whether every interpreter needs its own copy.
// The default is a per-thread copy; sharing needs a proof (const, a macro's meaning) or a reviewed rule.
import type { Global } from '../engine/model.ts';
import type { UnclassifiedGlobal } from '../engine/symbols.ts';
import type { MacroRules } from '../engine/macro-rules.ts';
import type { ReviewedRow, ReviewedType } from './reviewed.ts';
import { matchReviewed } from './reviewed.ts';
import { cxxDecision } from './cxx-review.ts';

export function classify(globals: UnclassifiedGlobal[], macros: MacroRules, reviewed: ReviewedRow[], types: ReviewedType[] = []): Global[] {
  return globals.map((g) => ({ ...g, ...decide(g, macros, reviewed, types) }));
}

function decide(g: UnclassifiedGlobal, macros: MacroRules, reviewed: ReviewedRow[], types: ReviewedType[]): Pick<Global, 'classification' | 'reason' | 'reasonSource'> {
  // A rewritten tree says so itself.
  if (g.declarations.some((d) => d.threadLocal)) {
    return { classification: 'thread-local', reason: 'marked thread-local in the source (PYGLOBAL)', reasonSource: 'source:PYGLOBAL' };
  }
  const row = matchReviewed(reviewed, g);
  if (row) return { classification: row.classification, reason: row.reason, reasonSource: `rules/reviewed/${row.source}` };
  const def = g.definition;
  if (!def) {
    return {
      classification: 'shared-process',
      reason: 'declared in the tree but defined outside it (C library or system); not the interpreter\'s state to copy',
      reasonSource: 'analysis:external-definition',
    };
  }
  const via = def.viaMacro?.split(' → ').pop();
  const rule = via ? macros.get(via) : undefined;
  if (rule && rule.kind === 'declares' && rule.classification) {
    return { classification: rule.classification, reason: rule.reason, reasonSource: `rules/macros/${rule.name}.json` };
  }
  if (def.isConst) {
    return {
      classification: 'shared-immutable',
      reason: 'const object: the compiler puts it in read-only data, so no interpreter can write it',
      reasonSource: 'analysis:const',
    };
  }
  // C++ objects with a constructor or destructor, references, static data members: not C data.
  if (def.cxx) return cxxDecision(def.cxx);
  // A static table whose element type is reviewed as read-only (method tables and the like).
  const element = /^(?:struct\s+)?([A-Za-z_]\w*)\s/.exec(def.type)?.[1];
  const typeRule = def.isArray && !def.isPointer && def.init && !g.function ? types.find((t) => t.type === element) : undefined;
  if (typeRule) return { classification: typeRule.classification, reason: typeRule.reason, reasonSource: 'rules/reviewed-types.json' };
  return {
    classification: 'thread-local',
    reason: 'mutable global state: each interpreter needs its own copy',
    reasonSource: 'analysis:default',
  };
}
