// Second look at the classification, with the file texts at hand: what the first pass called
// shared can be forced thread-local by its initializer or statement, and plain string arrays
// that nothing writes are shared. Runs inside the scan, so every report sees the same answer.
import type { Global } from '../engine/model.ts';
import type { MacroDef } from '../engine/macro-defs.ts';
import { buildMacroIndex, type MacroIndex } from '../engine/macro-index.ts';
import { expandText, mayNameIdentifiers, referencedNames } from '../engine/initializers.ts';
import { identifiers, matchingClose, tokenize } from '../engine/lex.ts';
import { fromMacroRule, fromReviewedRow } from './classify.ts';

export interface RefineInput {
  globals: Global[];
  texts: Map<string, string>;
  defines: Map<string, MacroDef[]>;
  includes: Map<string, string[]>;
}

export function includesClosure(includes: Map<string, string[]>, file: string): Set<string> {
  const seen = new Set<string>();
  const st = [file];
  while (st.length) {
    for (const h of includes.get(st.pop()!) ?? []) if (!seen.has(h)) seen.add(h), st.push(h);
  }
  return seen;
}

export interface InitAnalysis {
  macros: MacroIndex;
  /** Thread-local variables the definition's initializer names (empty: still a constant). */
  refs(g: Global): string[];
  markTls(g: Global): void;
}

export function initAnalysis(globals: Global[], texts: Map<string, string>, defines: Map<string, MacroDef[]>, includes: Map<string, string[]>): InitAnalysis {
  const macros = buildMacroIndex(defines, includes);
  const tls = tlsNames(globals);
  const closures = new Map<string, Set<string>>();
  const includedBy = new Map<string, string[]>();
  for (const [f, hs] of includes) for (const h of hs) if (h !== f) includedBy.set(h, [...(includedBy.get(h) ?? []), f]);
  const closureOf = (f: string) => {
    let c = closures.get(f);
    if (!c) closures.set(f, (c = unitClosure(f)));
    return c;
  };
  // What a file's initializers can name: what it includes and, for a .c or .inc that another
  // file #includes (numpy's __multiarray_api.c inside multiarraymodule.c), the whole unit it is
  // part of. A header stays its own: it is part of too many units to speak for any one.
  const unitClosure = (f: string): Set<string> => {
    const c = includesClosure(includes, f);
    if (/\.h$/.test(f) || !includedBy.has(f)) return c;
    const seen = new Set<string>([f]);
    const st = [...includedBy.get(f)!];
    while (st.length) {
      const a = st.pop()!;
      if (seen.has(a)) continue;
      seen.add(a);
      c.add(a);
      for (const h of includesClosure(includes, a)) c.add(h);
      st.push(...(includedBy.get(a) ?? []));
    }
    c.delete(f);
    return c;
  };
  // Macros whose expansion can name thread-local data (directly, through another such macro, or
  // by pasting a new name): only initializers that use one of them need the full expansion.
  let danger = new Map<string, Map<MacroDef, boolean>>();
  const dangerous = (file: string, def: MacroDef, visible: Map<string, MacroDef>, seen: Set<MacroDef>): boolean => {
    let memo = danger.get(file);
    if (!memo) danger.set(file, (memo = new Map()));
    const known = memo.get(def);
    if (known !== undefined) return known;
    seen.add(def);
    let result = def.body.includes('##');
    const params = new Set(def.params ?? []);
    for (const t of result ? [] : tokenize(def.body, 0, def.body.length, { directives: false })) {
      if (t.kind !== 'ident' || params.has(t.text)) continue;
      const sub = visible.get(t.text);
      if (tls.isTls(file, t.text, closureOf(file)) || (sub && !seen.has(sub) && dangerous(file, sub, visible, seen))) {
        result = true;
        break;
      }
    }
    memo.set(def, result);
    return result;
  };
  // refs() runs for every shared global in each round of refineClassification's fixed point;
  // what it reads of the initializer's text does not change between rounds, so it is read once.
  const initTokens = new Map<Global, { text: string; idents: string[] }>();
  const initIdents = (g: Global): { text: string; idents: string[] } => {
    let known = initTokens.get(g);
    if (known) return known;
    const d = g.definition!;
    // A macro body's initializer is read as the use expands it (engine's bodyInit).
    const text = d.init ? (texts.get(d.file)?.slice(d.init.start, d.init.end) ?? '') : (d.bodyInit?.text ?? '');
    // Literals alone never name a variable.
    const idents = mayNameIdentifiers(text) ? identifiers(text) : [];
    known = { text, idents };
    initTokens.set(g, known);
    return known;
  };
  return {
    macros,
    markTls(g: Global) {
      tls.add(g);
      danger = new Map(); // a new thread-local name can make a macro dangerous
    },
    refs(g: Global): string[] {
      const d = g.definition;
      if (!d?.init && !d?.bodyInit) return [];
      const { text, idents } = initIdents(g);
      if (!idents.length) return [];
      const visible = macros.visible(d.file);
      const isTls = (n: string) => tls.isTls(d.file, n, closureOf(d.file));
      let full = false;
      for (const name of idents) {
        const def = visible.get(name);
        if (isTls(name) || (def && dangerous(d.file, def, visible, new Set()))) {
          full = true;
          break;
        }
      }
      if (!full) return [];
      return referencedNames(expandText(text, visible), isTls);
    },
  };
}

function tlsNames(globals: Global[]) {
  const external = new Set<string>();
  const internal = new Map<string, Set<string>>();
  const statics = new Map<string, Set<string>>(); // every file-scope static name, TLS or not: they shadow
  const add = (g: Global) => {
    if (g.function) return;
    if (g.linkage === 'external') external.add(g.name);
    else {
      if (!internal.has(g.file)) internal.set(g.file, new Set());
      internal.get(g.file)!.add(g.name);
    }
  };
  for (const g of globals) {
    if (!g.function && g.linkage === 'internal') {
      if (!statics.has(g.file)) statics.set(g.file, new Set());
      statics.get(g.file)!.add(g.name);
    }
    if (g.classification === 'thread-local') add(g);
  }
  return {
    add,
    isTls(file: string, name: string, closure: Set<string>): boolean {
      if (internal.get(file)?.has(name)) return true;
      if (statics.get(file)?.has(name)) return false;
      for (const h of closure) if (internal.get(h)?.has(name)) return true;
      return external.has(name);
    },
  };
}

/**
 * The first place in the file that writes through the array `name` (x[i] = ..., *x = ..., ++x[i],
 * x handed to a copying function), or undefined. Only the definition's own file is read: the
 * arrays this is used for have internal linkage.
 */
type Tokens = ReturnType<typeof tokenize>;

/**
 * Each use of `name` in `text` with the tokens around it: from two lines before to a few hundred
 * bytes after. Tokenizing only there keeps the analysis cheap on megabyte files; macro bodies
 * count as code (directives are split into tokens).
 */
function usesOf(text: string, name: string): { toks: Tokens; k: number }[] {
  const out: { toks: Tokens; k: number }[] = [];
  const word = /[A-Za-z0-9_]/;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + name.length)) {
    if (word.test(text[i - 1] ?? '') || word.test(text[i + name.length] ?? '')) continue;
    let from = i;
    for (let lines = 0; from > 0 && lines < 3; ) if (text[--from] === '\n') lines++;
    const toks = tokenize(text, from, Math.min(text.length, i + name.length + 400), { directives: false });
    const k = toks.findIndex((t) => t.start === i);
    if (k >= 0 && toks[k].kind === 'ident') out.push({ toks, k });
  }
  return out;
}

function firstWrite(name: string, defOffset: number, text: string): number | undefined {
  for (const { toks, k } of usesOf(text, name)) {
    const t = toks[k];
    if (t.start === defOffset) continue;
    const prev = toks[k - 1]?.text;
    const next = toks[k + 1]?.text;
    if (prev === '.' || prev === '->') continue;
    if (next === '[' || prev === '*' || prev === '++' || prev === '--') return t.start;
    const fn = toks[k - 2]?.kind === 'ident' && prev === '(' ? toks[k - 2].text : '';
    if (/^(str|mem|w?cs)n?(cpy|cat|set|move)$|printf$|^fgets$|^read$|^gets$/.test(fn)) return t.start;
  }
  return undefined;
}

const ASSIGN = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '++', '--']);

/**
 * True when every use of array `name` in these token streams is an element read: `name[i]`,
 * `name[i][j].f` as an rvalue, or `sizeof name`. Any bare use lets the address escape (to a
 * function that might write through it), so it counts as a write. Macro bodies are included.
 */
function onlyElementReads(name: string, defOffset: number, texts: string[]): boolean {
  for (const text of texts) {
    for (const { toks, k } of usesOf(text, name)) {
      const t = toks[k];
      if (t.start === defOffset) continue;
      const prev = toks[k - 1]?.text;
      if (prev === '.' || prev === '->') continue; // a member of the same name
      if (prev === 'sizeof') continue;
      if (prev === '(' && toks[k - 2]?.text === 'sizeof') continue;
      if (prev === '&' || prev === '++' || prev === '--') return false;
      if (toks[k + 1]?.text !== '[') return false; // bare: the address escapes
      let j = k + 1;
      while (j < toks.length && (toks[j].text === '[' || toks[j].text === '.' || toks[j].text === '->')) {
        if (toks[j].text === '[') {
          let depth = 0;
          for (; j < toks.length; j++) {
            if (toks[j].text === '[') depth++;
            else if (toks[j].text === ']' && --depth === 0) break;
          }
          j++;
        } else j += 2;
      }
      if (ASSIGN.has(toks[j]?.text ?? '')) return false;
    }
  }
  return true;
}

/**
 * `static char x[] = "..."`: a plain string array, the shape of a docstring. The literal may be
 * spelled with macros (`PyDoc_STR("...")`, `"new " _MODULE_STRING " object"`): next to string
 * literals in a char array's initializer, a macro can only stand for more string literals.
 */
function isPlainString(g: Global, texts: Map<string, string>, isMacro: (name: string) => boolean): boolean {
  const d = g.definition;
  if (!d || g.linkage === 'external' || !d.isArray || d.isPointer || !d.init || !d.declarator) return false;
  const text = texts.get(d.file)!;
  if (!/^(unsigned\s+|signed\s+)?char$/.test(text.slice(d.specifiers!.start, d.specifiers!.end).trim())) return false;
  if (!/^\[\s*\]$/.test(text.slice(d.offset + g.name.length, d.declarator.end).trim())) return false;
  const init = text.slice(d.init.start, d.init.end).trim();
  if (/^("(\\.|[^"\\])*"\s*)+$/.test(init)) return true;
  const toks = tokenize(init, 0, init.length, { directives: false });
  if (!toks.some((t) => t.kind === 'string')) return false;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind === 'string') continue;
    if (t.kind !== 'ident' || !isMacro(t.text)) return false;
    if (toks[k + 1]?.text === '(') {
      // a function-like macro: its arguments must be string literals or such macros too
      const close = matchingClose(toks, k + 1);
      if (close < 0) return false;
      for (const a of toks.slice(k + 2, close)) if (a.kind !== 'string' && a.text !== ',' && !(a.kind === 'ident' && isMacro(a.text))) return false;
      k = close;
    }
  }
  return true;
}

export function refineClassification(input: RefineInput): void {
  const { globals, texts, defines, includes } = input;
  const includedBy = new Map<string, string[]>();
  for (const [f, hs] of includes) for (const h of hs) (includedBy.get(h) ?? includedBy.set(h, []).get(h)!).push(f);
  const includers = (h: string): string[] => {
    const out = new Set<string>();
    const st = [h];
    while (st.length) for (const f of includedBy.get(st.pop()!) ?? []) if (!out.has(f)) out.add(f), st.push(f);
    return [...out];
  };
  const macroIndex = buildMacroIndex(defines, includes);
  const globalNames = new Set(globals.filter((g) => !g.function).map((g) => g.name));
  const lineOf = (file: string, offset: number) => texts.get(file)!.slice(0, offset).split('\n').length;
  for (const g of globals) {
    const d = g.definition;
    if (!d) continue;
    // f2c's `static char fmt_9999[] = "(...)"` inside a function is the same string as at file
    // scope; a write to any array of that name anywhere in the file keeps it per thread.
    if (g.classification === 'thread-local' && g.reasonSource === 'analysis:default' && isPlainString(g, texts, (n) => macroIndex.visible(d.file).has(n))) {
      if (firstWrite(g.name, d.offset, texts.get(d.file)!) === undefined) {
        Object.assign(g, {
          classification: 'shared-immutable',
          reason: 'a string array (static char x[] = "...") that no code in its file writes: a docstring in all but name',
          reasonSource: 'analysis:unwritten-string',
        });
      }
    } else if (g.function) {
      continue;
    } else if (g.classification === 'thread-local' && g.reasonSource === 'analysis:default' && g.linkage === 'internal' && d.isArray && !d.isPointer && d.init) {
      // A lookup table (unicodedata's phrasebook, a code hash): initialized once, only indexed.
      // Its elements must hold no address of a variable (itself included, like obmalloc's
      // usedpools): writes through such a pointer would change the table.
      // A table of literals alone (unicodedata's megabytes of numbers) names no macro and no
      // variable: nothing to expand, nothing to look up.
      const rawInit = texts.get(d.file)!.slice(d.init.start, d.init.end);
      const named = mayNameIdentifiers(rawInit);
      const initText = named ? expandText(rawInit, macroIndex.visible(d.file)) : rawInit;
      const holdsAddress = /&/.test(initText.replace(/&&/g, '')) || (named && referencedNames(initText, (n) => globalNames.has(n)).length > 0);
      const files = [d.file, ...includers(d.file)];
      if (!holdsAddress && onlyElementReads(g.name, d.offset, files.map((f) => texts.get(f)!))) {
        Object.assign(g, {
          classification: 'shared-immutable',
          reason: 'a table that code only indexes to read (no element is assigned and its address never escapes), so one shared copy serves every interpreter',
          reasonSource: 'analysis:read-only-table',
        });
      }
    } else if (g.classification === 'shared-immutable' && fromMacroRule(g.reasonSource) && d.isArray) {
      // A macro rule says "only read" (docstrings); the file may still write one. Believe the code.
      const w = firstWrite(g.name, -1, texts.get(d.file)!);
      if (w !== undefined) {
        Object.assign(g, {
          classification: 'thread-local',
          reason: `declared by ${d.viaMacro} as read-only data, but written at ${d.file}:${lineOf(d.file, w)}`,
          reasonSource: 'analysis:written',
        });
      }
    }
  }
  const ia = initAnalysis(globals, texts, defines, includes);
  // A shared variable whose initializer holds a thread-local address cannot stay shared; nor can
  // a variable declared in one statement with a thread-local one (PYGLOBAL covers the statement).
  for (let changed = true; changed; ) {
    changed = false;
    for (const g of globals) {
      if (g.classification === 'thread-local' || !g.definition || fromReviewedRow(g.reasonSource)) continue;
      const refs = ia.refs(g);
      if (refs.length) {
        Object.assign(g, { classification: 'thread-local', reason: `its initializer holds the address of thread-local ${refs.join(', ')}`, reasonSource: 'analysis:initializer' });
        ia.markTls(g);
        changed = true;
      }
    }
    const tlsStatements = new Set(globals.filter((g) => g.classification === 'thread-local' && g.definition).map((g) => `${g.definition!.file}@${g.definition!.range.start}`));
    for (const g of globals) {
      const d = g.definition;
      if (g.classification === 'thread-local' || !d?.sharedStatement) continue;
      if (tlsStatements.has(`${d.file}@${d.range.start}`)) {
        Object.assign(g, { classification: 'thread-local', reason: 'declared in one statement with a thread-local variable', reasonSource: 'analysis:statement' });
        ia.markTls(g);
        changed = true;
      }
    }
  }
}
