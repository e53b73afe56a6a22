// One file through the front of the pipeline: bytes → tokens → masked text → tree → declarations.
import { tokenize, directives, lineIndex, positionOf, matchingClose, type Token } from './lex.ts';
import { mask, splitArgs, type MacroUse, type NameResolver } from './mask.ts';
import { parseC, countErrors, languageOf, type ErrorCounts } from './parse.ts';
import { treeFacts, type TreeFacts, type TreeJob } from './tree-facts.ts';
import { extractDeclarations, type RawDeclaration } from './declarations.ts';
import { conditionalPaths } from './conditionals.ts';
import { skippableBodies } from './skip-bodies.ts';
import { braceDepths, depthAt, enclosingFunctionLexical } from './brace-depth.ts';
import { collectDefines, collectIncludes, type MacroDef } from './macro-defs.ts';
import { declaringMacros, expand, findUse, type Origin } from './macro-expand.ts';
import type { MacroRule, MacroRules } from './macro-rules.ts';
import type { Declaration, SourceText } from './model.ts';

/**
 * What can be known of a file without parsing it: enough to resolve includes and macros.
 * Its tokens are made again when it is parsed: holding two million of them for the whole tree
 * between the two steps cost more in garbage collection than tokenizing does.
 */
export interface Lexed {
  source: SourceText;
  defines: MacroDef[];
  includes: { name: string; at: number }[];
  lines: number[];
}

export function lexFile(source: SourceText): Lexed {
  const dirs = directives(source.text);
  return { source, defines: collectDefines(source.path, dirs), includes: collectIncludes(dirs), lines: lineIndex(source.text) };
}

export interface ParsedFile {
  path: string;
  declarations: Declaration[];
  errors: ErrorCounts;
  blankedDirectives: number;
}

export interface FileContext {
  rules: MacroRules;
  /** Macros defined by in-tree headers this file includes, transitively (the file's own come from lexed). */
  headerMacros: Map<string, MacroDef>;
  /** Line tables of other files, to place declarations whose text sits in a macro body elsewhere. */
  linesOf: (file: string) => number[] | undefined;
  /** The file's tokens, when the caller has them already (they depend on the text alone). */
  tokens?: Token[];
}

/**
 * A file's parse up to the tree: what treeFacts needs (plain data, for any thread), and what
 * finishFile needs afterwards. The tokens are kept for finishFile, which reads them when the
 * parse has errors (a quarter of CPython's bytes): the scan keeps only a few files waiting
 * (poolLookahead), and finishFile lets them go.
 */
export interface PreparedFile {
  lexed: Lexed;
  ctx: FileContext;
  visible: Map<string, MacroDef>;
  declaring: MacroUse[];
  found: { uses: DeclaringUse[]; interesting: Set<string> };
  /** The argument texts of each of found.uses, in order. */
  useArgs: string[][];
  condAt: (offset: number) => string;
  blankedDirectives: number;
  job: TreeJob;
  tokens?: Token[];
}

export function prepareFile(lexed: Lexed, ctx: FileContext): PreparedFile {
  const { source, lines } = lexed;
  const tokens = ctx.tokens ?? tokenize(source.text);
  const visible = visibleMacros(lexed, ctx);
  const lang = languageOf(source.path);
  const masked = mask(source.text, tokens, ctx.rules, nameResolver(visible), (n) => visible.get(n)?.params !== undefined, lang);
  const found = findDeclaringUses(lexed, tokens, ctx, visible);
  masked.text = blankUses(masked.text, found.uses);
  const spans = lang === 'c' ? skippableBodies(tokens, masked.text, [...masked.declaring.map((u) => u.start), ...found.uses.map((u) => u.start)]) : [];
  const { forwardMacros, tlsMarkers } = ruleSets(ctx.rules);
  const useArgs = found.uses.map((use) => (use.close >= 0 ? argTexts(source.text, tokens, use.k + 1, use.close) : []));
  // A body that leaves its last declaration's `;` to the use (`M(x);`): see fromFileMacros.
  for (const use of found.uses) use.semi = use.close >= 0 && tokens[use.close + 1]?.text === ';';
  return {
    lexed,
    // The tokens are held once, below, and let go by finishFile.
    ctx: { ...ctx, tokens: undefined },
    visible,
    declaring: masked.declaring,
    found,
    useArgs,
    condAt: conditionalPaths(tokens),
    blankedDirectives: masked.blankedDirectives,
    tokens,
    job: {
      text: source.text,
      masked: masked.text,
      lang,
      spans,
      lines,
      forwardMacros,
      renames: masked.renames,
      tlsMarkers,
      functionsAt: [...masked.declaring.map((u) => u.start), ...found.uses.map((u) => u.start)],
    },
  };
}

export function parseFile(lexed: Lexed, ctx: FileContext): ParsedFile {
  const prepared = prepareFile(lexed, ctx);
  return finishFile(prepared, treeFacts(prepared.job));
}

/** The declarations of a prepared file, once its tree's facts are known (in this thread or another). */
export function finishFile(p: PreparedFile, facts: TreeFacts): ParsedFile {
  const { lexed, ctx, visible, found } = p;
  const { source, lines } = lexed;
  const { lang, masked } = p.job;
  const fnAt = new Map<number, string | undefined>();
  p.job.functionsAt.forEach((o, i) => fnAt.set(o, facts.functions[i]));
  let errors = facts.errors;
  // The tokens are read only when the parse has errors.
  const tokens = errors.errorNodes + errors.missingNodes > 0 ? (p.tokens ?? tokenize(source.text)) : undefined;
  p.tokens = undefined;
  if (tokens && errors.topLevelErrors.length && isInitializerFragment(tokens)) errors = fragmentErrors(masked, lang);
  const here = (offset: number) => ({ file: source.path, ...positionOf(lines, offset) });
  const declarations: Declaration[] = [];
  const depths = tokens ? braceDepths(tokens, lang) : undefined;
  for (const d of facts.raw) {
    // Inside braces but outside any function tree-sitter saw: a body it failed to parse.
    if (depths && d.scope === 'file' && depthAt(depths, d.offset) > 0) {
      if (d.storage === 'none') continue; // an automatic variable
      d.scope = 'function';
      d.function = enclosingFunctionLexical(depths, d.offset);
      if (d.kind === 'tentative') d.kind = 'definition';
    } else if (depths && d.scope === 'function' && depthAt(depths, d.offset) === 0) {
      // A body tree-sitter could not close swallowed what follows it: braces say file scope.
      d.scope = 'file';
      d.function = undefined;
      if (d.kind === 'definition' && !d.init && d.storage !== 'extern') d.kind = 'tentative';
      if (d.storage === 'extern' && !d.init) d.kind = 'extern';
    }
    declarations.push({ ...here(d.offset), ...d });
  }
  for (const use of p.declaring) {
    for (const d of fromDeclaringUse(use, fnAt.get(use.start), source.text, here)) {
      if (depths && d.scope === 'function' && depthAt(depths, d.offset) === 0) {
        d.scope = 'file';
        d.function = undefined;
      }
      declarations.push(d);
    }
  }
  declarations.push(...fromFileMacros(lexed, p.useArgs, fnAt, ctx, visible, found));
  // A keyword is never a variable: `static int` alone (the expansion of a return-type macro,
  // _elementtree.c's `LOCAL(int)`) or a misread prefix reads as a declaration of `int`, which
  // every `(int)` cast would then name as a thread-local variable.
  for (let i = declarations.length - 1; i >= 0; i--) if (cKeywords.has(declarations[i].name)) declarations.splice(i, 1);
  for (const d of declarations) d.cond = p.condAt(d.offset) || undefined;
  declarations.sort((a, b) => a.offset - b.offset || a.name.localeCompare(b.name));
  return { path: source.path, declarations, errors, blankedDirectives: p.blankedDirectives };
}

/**
 * A file with no `;` and no braces outside its directives cannot declare anything: it is a piece
 * of an initializer that another file includes between braces (expat's asciitab.h, a list of
 * `BT_NONXML,` entries). Parsed alone it is one ERROR; what counts is whether it parses there.
 */
function isInitializerFragment(tokens: Token[]): boolean {
  let commas = 0;
  for (const t of tokens) {
    if (t.kind !== 'punct') continue;
    if (t.text === ';' || t.text === '{' || t.text === '}') return false;
    if (t.text === ',') commas++;
  }
  return commas > 0;
}

const fragmentOpen = 'int _[] = {';
/** The parse errors of an initializer fragment, read inside an initializer; offsets stay the file's. */
function fragmentErrors(text: string, lang: ReturnType<typeof languageOf>): ErrorCounts {
  const e = countErrors(parseC(`${fragmentOpen}${text}\n};`, lang));
  const shift = fragmentOpen.length;
  const clip = (o: number) => Math.min(text.length, Math.max(0, o - shift));
  return { ...e, topLevelErrors: e.topLevelErrors.map((r) => ({ start: clip(r.start), end: clip(r.end) })) };
}

function tlsMarkers(rules: MacroRules): string[] {
  return [...rules.values()].filter((r) => r.kind === 'erase' && r.marksThreadLocal).map((r) => r.name);
}

// What parseFile derives from the rules and from a header closure is the same for every file
// that shares them: worked out once each, not per file (the tree has 336 files, Python.h's
// closure thousands of macros).
const ruleSetCache = new WeakMap<MacroRules, { forwardMacros: Set<string>; tlsMarkers: string[]; declaringWords: Set<string> }>();
function ruleSets(rules: MacroRules) {
  let r = ruleSetCache.get(rules);
  if (!r) {
    r = {
      forwardMacros: new Set([...rules.values()].filter((r) => r.kind === 'storage' && /forward/.test(r.name)).map((r) => r.name)),
      tlsMarkers: tlsMarkers(rules),
      declaringWords: new Set([...rules.values()].filter((r) => r.kind === 'declares').map((r) => r.name)),
    };
    ruleSetCache.set(rules, r);
  }
  return r;
}
const headerOnlyCache = new WeakMap<Map<string, MacroDef>, WeakMap<MacroRules, Map<string, MacroDef>>>();
const declaringCache = new WeakMap<Map<string, MacroDef>, Set<string>>();

/** A `declares` macro use (PyDoc_STRVAR(name, "...")) becomes the declaration it stands for. */
function fromDeclaringUse(use: MacroUse, fn: string | undefined, text: string, here: (o: number) => { file: string; line: number; column: number }): Declaration[] {
  const rule = use.rule;
  if (rule.kind !== 'declares') return [];
  const nameArg = use.args[rule.nameArg];
  if (!nameArg || !/^[A-Za-z_]\w*$/.test(nameArg.text)) return [];
  let init = rule.initArg !== undefined ? use.args[rule.initArg] : undefined;
  let end = use.end;
  // `PyDoc_VAR(x) = "..." ;` carries its initializer after the use.
  if (!init) {
    const m = /^\s*=\s*/.exec(text.slice(use.end, use.end + 200));
    if (m) {
      const semi = findStatementEnd(text, use.end + m[0].length);
      init = { text: text.slice(use.end + m[0].length, semi), start: use.end + m[0].length, end: semi };
      end = semi;
    }
  }
  return [
    {
      ...here(nameArg.start),
      ...declaredBy(rule, nameArg.text, fn),
      offset: nameArg.start,
      init: init ? { start: init.start, end: init.end } : undefined,
      insertAt: use.start,
      range: { start: use.start, end },
      viaMacro: rule.name,
      macroNameAt: { file: here(use.start).file, offset: use.start },
    },
  ];
}

/** What a `declares` rule says of the variable a use of its macro declares. */
function declaredBy(rule: Extract<MacroRule, { kind: 'declares' }>, name: string, fn: string | undefined) {
  return {
    name,
    scope: (fn === undefined ? 'file' : 'function') as Declaration['scope'],
    function: fn,
    storage: rule.storage,
    kind: 'definition' as const,
    type: `${rule.isConst ? 'const ' : ''}${rule.type} ${name}${rule.array ? '[]' : ''}`,
    isConst: rule.isConst,
    isArray: rule.array,
    isPointer: false,
    sharedStatement: false,
    threadLocal: !!rule.threadLocal,
  };
}

function findStatementEnd(text: string, from: number): number {
  const toks = tokenize(text, from, Math.min(text.length, from + 200_000), { directives: false });
  let depth = 0;
  for (const t of toks) {
    if (t.text === '(' || t.text === '{' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === '}' || t.text === ']') depth--;
    else if (t.text === ';' && depth === 0) return t.start;
  }
  return from;
}

/** Uses of the file's own (or its local headers') macros whose bodies declare variables. */
function visibleMacros(lexed: Lexed, ctx: FileContext): Map<string, MacroDef> {
  // Read-only from here on, so files without #defines of their own share one map.
  let byRules = headerOnlyCache.get(ctx.headerMacros);
  if (!byRules) headerOnlyCache.set(ctx.headerMacros, (byRules = new WeakMap()));
  let base = byRules.get(ctx.rules);
  if (!base) {
    base = new Map(ctx.headerMacros);
    for (const name of ctx.rules.keys()) base.delete(name);
    byRules.set(ctx.rules, base);
  }
  if (lexed.defines.length === 0) return base;
  const visible = new Map(base);
  for (const d of lexed.defines) visible.set(d.name, d);
  for (const d of lexed.defines) if (ctx.rules.has(d.name)) visible.delete(d.name);
  return visible;
}

const cKeywords = new Set(['int', 'char', 'short', 'long', 'float', 'double', 'void', 'signed', 'unsigned', 'const', 'volatile', 'static', 'extern', 'struct', 'union', 'enum', 'register', 'auto', 'inline']);

/** Macros that only spell a name: `#define re_syntax _Py_re_syntax`, `#define NS(x) x ## NS`. */
const nameMacroCache = new WeakMap<MacroDef, boolean>();
function isNameMacro(def: MacroDef): boolean {
  let ok = nameMacroCache.get(def);
  if (ok === undefined) nameMacroCache.set(def, (ok = isNameMacroUncached(def)));
  return ok;
}

function isNameMacroUncached(def: MacroDef): boolean {
  const toks = tokenize(def.body, 0, def.body.length, { directives: false });
  if (toks.length === 0 || toks.length > 5) return false;
  if (!toks.every((t) => t.kind === 'ident' || t.text === '##')) return false;
  if (!def.params) return toks.length === 1 && !cKeywords.has(toks[0].text);
  return true;
}

function nameResolver(visible: Map<string, MacroDef>): NameResolver {
  const empty = new Map<string, MacroDef>();
  return (tokens, k) => {
    const def = visible.get(tokens[k].text);
    if (!def) return undefined;
    if (!isNameMacro(def)) return undefined;
    if (!def.params) return { name: tokenize(def.body, 0, def.body.length, { directives: false })[0].text, close: k };
    if (tokens[k + 1]?.text !== '(') return undefined;
    const close = matchingClose(tokens, k + 1);
    if (close < 0) return undefined;
    const args = tokens.slice(k + 2, close).map((t) => t.text);
    if (args.length !== 1 && def.params.length === 1) return undefined;
    const name = expand(def, args.length ? [args.join('')] : [], empty, new Set()).text.trim();
    return /^[A-Za-z_]\w*$/.test(name) ? { name, close } : undefined;
  };
}

/** findUse only reads it: one empty set for the whole file, not one per token. */
const noneActive = new Set<string>();

interface DeclaringUse {
  def: MacroDef;
  k: number;
  close: number;
  start: number;
  end: number;
  /** A `;` follows the use's closing parenthesis. */
  semi?: boolean;
}

/** Uses of the file's own (or its local headers') macros whose bodies declare variables. */
function findDeclaringUses(lexed: Lexed, tokens: Token[], ctx: FileContext, visible: Map<string, MacroDef>): { uses: DeclaringUse[]; interesting: Set<string> } {
  let interesting = declaringCache.get(visible);
  if (!interesting) declaringCache.set(visible, (interesting = declaringMacros(visible, ruleSets(ctx.rules).declaringWords)));
  const uses: DeclaringUse[] = [];
  if (interesting.size === 0) return { uses, interesting };
  const ownDefs = new Map(lexed.defines.map((d) => [d.name, d]));
  for (let k = 0; k < tokens.length; k++) {
    const use = findUse(tokens, k, visible, interesting, noneActive);
    if (!use) continue;
    // A name used before its own file defines it is not that macro yet.
    const own = ownDefs.get(use.def.name);
    if (own && own.at > tokens[k].start) continue;
    uses.push({ def: use.def, k, close: use.close, start: tokens[k].start, end: use.close >= 0 ? tokens[use.close].end : tokens[k].end });
    if (use.close >= 0) k = use.close;
  }
  return { uses, interesting };
}

function fromFileMacros(lexed: Lexed, useArgs: string[][], fnAt: Map<number, string | undefined>, ctx: FileContext, visible: Map<string, MacroDef>, found: { uses: DeclaringUse[]; interesting: Set<string> }): Declaration[] {
  const out: Declaration[] = [];
  found.uses.forEach((use, n) => {
    const exp = expand(use.def, useArgs[n], visible, found.interesting);
    // A body that leaves its last declaration's `;` to the use (`M(x);`) gets it back: without it,
    // a last declarator with no initializer whose type is a typedef name (`PyObject *PyExc_ ##
    // NAME`, once apply has moved the initializer out) reads as a multiplication, not a declaration.
    const text = use.semi ? `${exp.text}\n;` : exp.text;
    const origin = use.semi ? [...exp.origin, null, null] : exp.origin;
    out.push(...declarationsInExpansion(text, origin, use.def, use.start, fnAt.get(use.start), lexed, ctx, use.end));
  });
  return out;
}

/**
 * The expansion stands for these uses, so the main parse must not guess at them. A use whose
 * body opens a brace it does not close (cjkcodecs' `BEGIN_MAPPINGS_LIST`, `static const struct
 * dbcs_map _mapping_list[] = {`) goes with everything up to the use that closes it
 * (`END_MAPPINGS_LIST`): the entries between are the initializer of what the first declares, and
 * left alone at file scope they cannot parse.
 */
function blankUses(text: string, uses: DeclaringUse[]): string {
  if (uses.length === 0) return text;
  const buf = Buffer.from(text, 'latin1');
  const wipe = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (buf[i] !== 10 && buf[i] !== 13) buf[i] = 32;
  };
  for (let n = 0; n < uses.length; n++) {
    const u = uses[n];
    wipe(u.start, u.end);
    let open = braceBalance(u.def);
    if (open <= 0) continue;
    for (let m = n + 1; m < uses.length; m++) {
      open += braceBalance(uses[m].def);
      if (open > 0) continue;
      wipe(u.end, uses[m].end);
      n = m;
      break;
    }
  }
  return buf.toString('latin1');
}

const balanceCache = new WeakMap<MacroDef, number>();
/** Braces a macro's body opens minus those it closes. */
function braceBalance(def: MacroDef): number {
  let b = balanceCache.get(def);
  if (b === undefined) {
    b = 0;
    for (const t of tokenize(def.body, 0, def.body.length, { directives: false })) {
      if (t.kind === 'punct' && t.text === '{') b++;
      else if (t.kind === 'punct' && t.text === '}') b--;
    }
    balanceCache.set(def, b);
  }
  return b;
}

function argTexts(text: string, tokens: Token[], open: number, close: number): string[] {
  return splitArgs(text, tokens, open, close).map((a) => a.text);
}

/**
 * Where ` = initializer` of a declaration in an expansion sits in the macro's body: from the
 * body's '=' to the first body token after the initializer (or the body's end). Undefined when
 * the '=' itself comes from an argument: then the body has nothing to take out.
 */
function bodyInitOf(d: RawDeclaration, text: string, origin: (Origin | null)[], def: MacroDef, useEnd: number): Declaration['bodyInit'] {
  const init = d.init!;
  let eq = init.start - 1;
  while (eq > 0 && /\s/.test(text[eq])) eq--;
  const from = origin[eq];
  if (text[eq] !== '=' || !from || from.file !== def.file) return undefined;
  let end = def.bodyStart + def.body.length;
  for (let k = init.end; k < origin.length; k++) {
    const o = origin[k];
    if (o && o.file === def.file) {
      end = o.offset;
      break;
    }
  }
  if (end <= from.offset) return undefined;
  return {
    text: text.slice(init.start, init.end),
    spec: text.slice(d.specifiers.start, d.specifiers.end),
    declarator: text.slice(d.declarator.start, d.declarator.end),
    nameAt: d.offset - d.declarator.start,
    body: { file: def.file, start: from.offset, end },
    useEnd,
  };
}

function declarationsInExpansion(
  text: string,
  origin: (Origin | null)[],
  def: MacroDef,
  useAt: number,
  fnAtUse: string | undefined,
  lexed: Lexed,
  ctx: FileContext,
  useEnd: number,
): Declaration[] {
  const toks = tokenize(text, 0, text.length, { directives: false });
  const masked = mask(text, toks, ctx.rules);
  const tree = parseC(masked.text);
  const raw: RawDeclaration[] = extractDeclarations(tree, text, { tlsMarkers: tlsMarkers(ctx.rules), masked: masked.text });
  const pos = { file: lexed.source.path, ...positionOf(lexed.lines, useAt) };
  const defLines = ctx.linesOf(def.file);
  const defPos = defLines ? { file: def.file, ...positionOf(defLines, def.at) } : undefined;
  const out: Declaration[] = [];
  const mk = (d: RawDeclaration): Declaration => {
    const o = origin[d.insertAt];
    return {
      ...pos,
      ...d,
      // Offsets inside an expansion mean nothing in the file: the use stands for them.
      offset: useAt,
      insertAt: useAt,
      init: undefined,
      range: { start: useAt, end: useAt },
      scope: d.scope === 'function' || fnAtUse !== undefined ? 'function' : 'file',
      function: d.function ?? fnAtUse,
      viaMacro: def.name,
      macroDefinedAt: defPos,
      bodyInsert: o ?? undefined,
      bodyInit: d.init ? bodyInitOf(d, text, origin, def, useEnd) : undefined,
    };
  };
  for (const d of raw) out.push(mk(d));
  for (const use of masked.declaring) {
    const rule = use.rule;
    if (rule.kind !== 'declares') continue;
    const nameArg = use.args[rule.nameArg];
    if (!nameArg || !/^[A-Za-z_]\w*$/.test(nameArg.text)) continue;
    out.push({
      ...pos,
      ...declaredBy(rule, nameArg.text, fnAtUse),
      offset: useAt,
      insertAt: useAt,
      range: { start: useAt, end: useAt },
      viaMacro: `${def.name} → ${rule.name}`,
      macroNameAt: origin[use.start] ?? undefined,
      macroDefinedAt: defPos,
    });
  }
  return out;
}
