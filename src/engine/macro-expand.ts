// Expands the file's own macros where their bodies declare variables: typeobject.c's SLOT*
// macros hide one function-local static per use, mathmodule.c's FUNC1 pastes docstring names.
// Only macros that can declare something are expanded; every other name stays as written.
import { tokenize, matchingClose, type Token } from './lex.ts';
import { splitArgs } from './mask.ts';
import type { MacroDef } from './macro-defs.ts';

export interface Origin {
  file: string;
  offset: number;
}

export interface Expansion {
  text: string;
  /** For each character of text, where it came from in a macro body (null for argument text and spaces). */
  origin: (Origin | null)[];
}

const identCache = new WeakMap<MacroDef, Set<string>>();
function identsOf(def: MacroDef): Set<string> {
  let s = identCache.get(def);
  if (!s) {
    s = new Set(tokenize(def.body, 0, def.body.length, { directives: false }).filter((t) => t.kind === 'ident').map((t) => t.text));
    identCache.set(def, s);
  }
  return s;
}

/** Names whose expansion can declare a variable, to a fixpoint over the visible macros. */
export function declaringMacros(visible: Map<string, MacroDef>, declaringWords: Set<string>): Set<string> {
  const result = new Set<string>();
  const bodyIdents = new Map<string, Set<string>>();
  for (const [name, def] of visible) bodyIdents.set(name, identsOf(def));
  let changed = true;
  while (changed) {
    changed = false;
    for (const [name, ids] of bodyIdents) {
      if (result.has(name)) continue;
      for (const id of ids) {
        if (id === 'static' || id === 'extern' || declaringWords.has(id) || (result.has(id) && id !== name)) {
          result.add(name);
          changed = true;
          break;
        }
      }
    }
  }
  return result;
}

class Builder {
  text = '';
  origin: (Origin | null)[] = [];
  push(s: string, o: Origin | null): void {
    this.text += s;
    for (let i = 0; i < s.length; i++) this.origin.push(o ? { file: o.file, offset: o.offset + i } : null);
  }
}

function stringify(arg: string): string {
  return '"' + arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\s+/g, ' ') + '"';
}

/** Expands one use of def with the given argument texts, then rescans for nested declaring macros. */
export function expand(
  def: MacroDef,
  args: string[],
  visible: Map<string, MacroDef>,
  interesting: Set<string>,
  active: Set<string> = new Set(),
  depth = 0,
): Expansion {
  const body = def.body;
  const toks = tokenize(body, 0, body.length, { directives: false });
  const params = def.params ?? [];
  const argOf = (name: string): string | undefined => {
    const i = params.indexOf(name);
    if (i < 0) return undefined;
    if (name === '__VA_ARGS__') return args.slice(i).join(', ');
    return args[i] ?? '';
  };
  // First pass: substitution with # and ##, as pieces with origins.
  const pieces: { text: string; origin: Origin | null; glue: boolean }[] = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.text === '#' && toks[k + 1]?.kind === 'ident' && argOf(toks[k + 1].text) !== undefined) {
      pieces.push({ text: stringify(argOf(toks[k + 1].text)!), origin: null, glue: false });
      k++;
      continue;
    }
    if (t.text === '##') {
      if (pieces.length) pieces[pieces.length - 1].glue = true;
      continue;
    }
    const a = t.kind === 'ident' ? argOf(t.text) : undefined;
    if (a !== undefined) pieces.push({ text: a, origin: null, glue: false });
    else pieces.push({ text: t.text, origin: { file: def.file, offset: def.bodyStart + t.start }, glue: false });
  }
  const b = new Builder();
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    b.push(p.text, p.origin);
    if (!p.glue && i < pieces.length - 1) b.push(' ', null);
  }
  if (depth >= 8) return { text: b.text, origin: b.origin };
  return rescan(b.text, b.origin, visible, interesting, new Set([...active, def.name]), depth + 1);
}

/** Replaces uses of declaring macros in text by their expansions. */
export function rescan(
  text: string,
  origin: (Origin | null)[],
  visible: Map<string, MacroDef>,
  interesting: Set<string>,
  active: Set<string>,
  depth: number,
): Expansion {
  const toks = tokenize(text, 0, text.length, { directives: false });
  const out = new Builder();
  let copied = 0;
  // Initializers of big tables come through here whole: copy runs, not characters.
  const copyTo = (end: number) => {
    if (end > copied) out.text += text.slice(copied, end);
    for (let i = copied; i < end; i++) out.origin.push(origin[i]);
    copied = end;
  };
  for (let k = 0; k < toks.length; k++) {
    const use = findUse(toks, k, visible, interesting, active);
    if (!use) continue;
    copyTo(toks[k].start);
    const args = use.close >= 0 ? splitArgs(text, toks, k + 1, use.close).map((a) => a.text) : [];
    const inner = expand(use.def, args, visible, interesting, active, depth);
    out.text += inner.text;
    for (const o of inner.origin) out.origin.push(o);
    const end = use.close >= 0 ? toks[use.close].end : toks[k].end;
    copied = end;
    k = use.close >= 0 ? use.close : k;
  }
  copyTo(text.length);
  return { text: out.text, origin: out.origin };
}

export function findUse(
  toks: Token[],
  k: number,
  visible: Map<string, MacroDef>,
  interesting: Set<string>,
  active: Set<string>,
): { def: MacroDef; close: number } | undefined {
  const t = toks[k];
  if (t.kind !== 'ident' || !interesting.has(t.text) || active.has(t.text)) return undefined;
  const def = visible.get(t.text)!;
  if (!def.params) return { def, close: -1 };
  if (toks[k + 1]?.text !== '(') return undefined;
  const close = matchingClose(toks, k + 1);
  if (close < 0) return undefined;
  return { def, close };
}
