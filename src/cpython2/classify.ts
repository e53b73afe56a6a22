// Decides, for each variable, whether every interpreter needs its own copy.
// The default is a per-thread copy; sharing needs a proof (const, a macro's meaning) or a reviewed rule.
import type { Global } from '../engine/model.ts';
import type { UnclassifiedGlobal } from '../engine/symbols.ts';
import type { MacroRules } from '../engine/macro-rules.ts';
import type { ReviewedRow, ReviewedType } from './reviewed.ts';
import { matchReviewed } from './reviewed.ts';
import { macroRuleSource } from './rules.ts';
import { cxxDecision } from './cxx-review.ts';

export interface ClassifyOptions {
  /**
   * The files are one translation unit of a larger build (the compiler wrapper's view): a
   * variable declared in these own files and defined in none of them is defined in another unit
   * of the same package. Names the files that are read-only context (the tree's headers).
   */
  unit?: { context: Set<string> };
  /** What is being scanned: reviewed types say for which kind of target their review holds. */
  target?: 'tree' | 'extension';
}

export function classify(globals: UnclassifiedGlobal[], macros: MacroRules, reviewed: ReviewedRow[], types: ReviewedType[] = [], opts: ClassifyOptions = {}): Global[] {
  return globals.map((g) => ({ ...g, ...decide(g, macros, reviewed, types, opts) }));
}

function decide(g: UnclassifiedGlobal, macros: MacroRules, reviewed: ReviewedRow[], types: ReviewedType[], opts: ClassifyOptions): Pick<Global, 'classification' | 'reason' | 'reasonSource'> {
  // A rewritten tree says so itself.
  if (g.declarations.some((d) => d.threadLocal)) {
    return { classification: 'thread-local', reason: 'marked thread-local in the source (PYGLOBAL)', reasonSource: 'source:PYGLOBAL' };
  }
  const row = matchReviewed(reviewed, g);
  if (row) return { classification: row.classification, reason: row.reason, reasonSource: reviewedSource(row) };
  const def = g.definition;
  if (!def && opts.unit && !g.function && g.declarations.every((d) => !opts.unit!.context.has(d.file))) {
    // Its definition, in the other unit, is classified by the same rules and gets PYGLOBAL, so
    // the declaration must say so too: the linker refuses a TLS/non-TLS mismatch, loudly.
    if (g.declarations.some((d) => d.isConst)) {
      return { classification: 'shared-immutable', reason: 'const object defined in another translation unit of this package', reasonSource: 'analysis:const' };
    }
    return {
      classification: 'thread-local',
      reason: 'declared in this package and defined in another of its translation units, where it is mutable state of each interpreter',
      reasonSource: 'analysis:other-unit',
    };
  }
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
    return { classification: rule.classification, reason: rule.reason, reasonSource: macroRuleSource(rule) };
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
  if (typeRule && !typeRule.targets.includes(opts.target ?? 'tree')) {
    return { classification: 'thread-local', reason: `a ${element} table: read-only in the tree, but in an extension's package other code may write it through its descriptors (numpy's add_docstring), so each interpreter needs its own copy (${typeRule.rulesFile}, notFor)`, reasonSource: typeRule.rulesFile };
  }
  if (typeRule) return { classification: typeRule.classification, reason: typeRule.reason, reasonSource: typeRule.rulesFile };
  return {
    classification: 'thread-local',
    reason: 'mutable global state: each interpreter needs its own copy',
    reasonSource: 'analysis:default',
  };
}

/** rules/cpython-2.4/reviewed/pc-dll.json#3: the reviewed row a classification came from. */
export function reviewedSource(row: ReviewedRow): string {
  return `${row.rulesFile}${row.source.slice(row.source.indexOf('#'))}`;
}

/** Decided by a reviewed row (whatever layer it is in), not by analysis. */
export const fromReviewedRow = (reasonSource: string) => /(^|\/)reviewed\/[^/]+#\d+$/.test(reasonSource);
/** Decided by a macro's meaning (a docstring macro, say). */
export const fromMacroRule = (reasonSource: string) => /(^|\/)macros\/[^/]+\.json$/.test(reasonSource);
