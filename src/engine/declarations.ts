// Finds variable declarations in a parsed file: file-scope ones of any storage, and the
// static or extern ones inside function bodies. Functions, typedefs and fields are not variables.
import type { SyntaxNode, Tree } from './parse.ts';
import type { Declaration, DeclKind, Position, Range, Storage } from './model.ts';
import { classesWithLifetime, cxxNatureOf } from './cxx-objects.ts';

/** A declaration as the syntax shows it: a Declaration before its file, line and column are known. */
export type RawDeclaration = Omit<Declaration, keyof Position | 'specifiers' | 'declarator'> & {
  /** The type as written after the storage class, and the declarator without its initializer. */
  specifiers: Range;
  declarator: Range;
};

export function extractDeclarations(
  tree: Tree,
  text: string,
  opts: { forwardMacros?: Set<string>; renames?: Map<number, string>; tlsMarkers?: string[]; masked?: string; cxx?: boolean } = {},
): RawDeclaration[] {
  const out: RawDeclaration[] = [];
  // C++ only: the classes whose objects run a constructor or destructor, to tell such globals apart.
  const classes = opts.cxx ? classesWithLifetime(tree) : undefined;
  visit(tree.rootNode, undefined, out, text, opts.forwardMacros ?? new Set(), opts.masked === undefined ? undefined : storageWords(opts.masked), classes);
  const marker = new RegExp(`\\b(${['__thread', '_Thread_local', 'thread_local', ...(opts.tlsMarkers ?? [])].join('|')})\\b|__declspec\\s*\\(\\s*thread\\s*\\)`);
  // The masked parse starts a declaration after an erased PYGLOBAL, so look just before it too.
  for (const d of out) {
    // Only code counts: a comment or a directive saying PYGLOBAL does not make anything thread-local.
    const before = text.slice(Math.max(0, d.range.start - 64), d.range.start).replace(/^[\s\S]*[;{}]/, '');
    const code = (before + text.slice(d.range.start, d.offset)).replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/^[ \t]*#.*$/gm, ' ').replace(/^[\s\S]*\*\//, ' ');
    d.threadLocal = marker.test(code);
  }
  const renames = opts.renames;
  if (renames?.size) for (const d of out) d.name = renames.get(d.offset) ?? d.name;
  return out;
}

// Only these can hold a declaration of a variable; expressions and types never do.
const containers = new Set([
  'translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list', 'function_definition', 'compound_statement', 'if_statement',
  'else_clause', 'while_statement', 'for_statement', 'do_statement', 'switch_statement', 'case_statement',
  'labeled_statement', 'ERROR',
  // C++: namespaces hold file-scope variables; class bodies hold inline member functions, whose statics are globals.
  'namespace_definition', 'class_specifier', 'struct_specifier', 'field_declaration_list',
]);

/** Offsets of every `static` and `extern` in the text the tree was parsed from, ascending. */
function storageWords(masked: string): Int32Array {
  const at: number[] = [];
  for (const w of ['static', 'extern']) for (let i = masked.indexOf(w); i >= 0; i = masked.indexOf(w, i + 6)) at.push(i);
  return Int32Array.from(at.sort((a, b) => a - b));
}

/** Whether [start, end) holds the text `static` or `extern`: no storage class specifier can be in it otherwise. */
function spellsStorage(words: Int32Array, start: number, end: number): boolean {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < words.length && words[lo] + 6 <= end;
}

/**
 * Depth-first walk with a cursor: cheap, since only declarations become node objects.
 * Inside a function only static and extern declarations count, so with `words` (see storageWords)
 * a subtree that cannot spell either is skipped unseen: most function bodies.
 */
function visit(root: SyntaxNode, _fn: string | undefined, out: RawDeclaration[], text: string, fwd: Set<string>, words?: Int32Array, classes?: Set<string>): void {
  const c = root.walk();
  const fns: { depth: number; name: string }[] = [];
  // typedef int Handler(int); makes `static Handler h;` a function declaration, not a variable.
  const fnTypes = new Set<string>();
  let depth = 0;
  for (;;) {
    const type = c.nodeType;
    let descend = containers.has(type);
    if (type === 'type_definition') collectFunctionTypedef(c.currentNode, fnTypes);
    if (words && fns.length && (descend || type === 'declaration') && !spellsStorage(words, c.startIndex, c.endIndex)) {
      descend = false;
    } else if (type === 'declaration') {
      fromDeclaration(c.currentNode, fns.length ? fns[fns.length - 1].name : undefined, out, text, fwd, fnTypes, classes);
      descend = false;
    } else if (type === 'function_definition') {
      fns.push({ depth, name: functionName(c.currentNode) ?? '?' });
    }
    if (descend && c.gotoFirstChild()) {
      depth++;
      continue;
    }
    for (;;) {
      if (fns.length && fns[fns.length - 1].depth === depth && c.nodeType === 'function_definition') fns.pop();
      if (c.gotoNextSibling()) break;
      if (!c.gotoParent()) return;
      depth--;
    }
  }
}

/** The name a function definition defines, through any declarator (`int (*getcb(void))(void) {...}` is getcb). */
export function functionName(def: SyntaxNode): string | undefined {
  let d: SyntaxNode | null = def.childForFieldName('declarator');
  while (d) {
    if (d.type === 'function_declarator') {
      const inner = d.childForFieldName('declarator');
      const id = inner && innermostIdentifier(inner);
      return id?.text;
    }
    d = d.childForFieldName('declarator');
  }
  return undefined;
}

function innermostIdentifier(d: SyntaxNode): SyntaxNode | undefined {
  let cur: SyntaxNode | null = d;
  while (cur) {
    if (cur.type === 'identifier') return cur;
    // C++: a member function's name (field_identifier), `A::f` and `A::~A` as a whole, `operator+`.
    if (cur.type === 'field_identifier' || cur.type === 'qualified_identifier' || cur.type === 'destructor_name' || cur.type === 'operator_name') return cur;
    if (cur.type === 'parenthesized_declarator' || cur.type === 'reference_declarator' || cur.type === 'rvalue_reference_declarator') {
      cur = cur.namedChildren.find((c) => c.type !== 'comment') ?? null;
      continue;
    }
    cur = cur.childForFieldName('declarator');
  }
  return undefined;
}

type Derivation = 'pointer' | 'array' | 'function' | 'none';

/** What the identifier itself is: the derivation nearest to it decides (C declarator rules). */
function nearestDerivation(decl: SyntaxNode, id: SyntaxNode): { nearest: Derivation; anyPointer: boolean; constPointer: boolean; constElements: boolean } {
  const chain: SyntaxNode[] = [];
  for (let cur: SyntaxNode | null = id.parent; cur && cur.id !== decl.parent?.id; cur = cur.parent) {
    if (cur.type === 'init_declarator') break;
    chain.push(cur);
    if (cur.id === decl.id) break;
  }
  let nearest: Derivation = 'none';
  let anyPointer = false;
  let constPointer = false;
  // An array's elements are what the first derivation past the arrays makes: `char *const t[]` holds const pointers.
  let constElements = false;
  let pastArrays = false;
  for (const n of chain) {
    const kind: Derivation =
      n.type === 'pointer_declarator' ? 'pointer' : n.type === 'array_declarator' ? 'array' : n.type === 'function_declarator' ? 'function' : 'none';
    if (kind === 'pointer') {
      anyPointer = true;
      if (nearest === 'none') constPointer = n.namedChildren.some((c) => c.type === 'type_qualifier' && c.text === 'const');
    }
    if (nearest === 'array' && !pastArrays && kind !== 'array' && kind !== 'none') {
      pastArrays = true;
      constElements = kind === 'pointer' && n.namedChildren.some((c) => c.type === 'type_qualifier' && c.text === 'const');
    }
    if (nearest === 'none' && kind !== 'none') nearest = kind;
  }
  return { nearest, anyPointer, constPointer, constElements };
}

function collectFunctionTypedef(def: SyntaxNode, fnTypes: Set<string>): void {
  for (const d of def.childrenForFieldName('declarator')) {
    let cur: SyntaxNode | null = d;
    while (cur && cur.type === 'parenthesized_declarator') cur = cur.namedChildren[0] ?? null;
    if (cur?.type !== 'function_declarator') continue;
    let id: SyntaxNode | null = cur.childForFieldName('declarator');
    while (id && id.type === 'parenthesized_declarator') id = id.namedChildren[0] ?? null;
    if (id && (id.type === 'type_identifier' || id.type === 'identifier')) fnTypes.add(id.text);
  }
}

function fromDeclaration(decl: SyntaxNode, fn: string | undefined, out: RawDeclaration[], text: string, fwd: Set<string>, fnTypes: Set<string> = new Set(), classes?: Set<string>): void {
  let storage: Storage = 'none';
  let forward = false;
  let specConst = false;
  let lastStorageEnd = -1;
  let firstTypeStart = -1;
  const declarators: SyntaxNode[] = [];
  for (let i = 0; i < decl.childCount; i++) {
    const c = decl.child(i)!;
    const field = decl.fieldNameForChild(i);
    if (field === 'declarator') {
      declarators.push(c);
      continue;
    }
    if (c.type === 'storage_class_specifier') {
      const word = c.text;
      const original = text.slice(c.startIndex, c.endIndex);
      if (word === 'static' || word === 'extern') storage = word;
      if (word === 'auto' || word === 'register' || word === 'typedef') return;
      if (fwd.has(original.trim()) || fwd.has(text.slice(c.startIndex, c.startIndex + 32).match(/^\w+/)?.[0] ?? '')) forward = true;
      lastStorageEnd = c.endIndex;
      continue;
    }
    if (c.type === 'type_qualifier' && c.text === 'const') specConst = true;
    if (firstTypeStart < 0 && c.type !== 'comment' && c.isNamed && c.type !== 'attribute_specifier' && c.type !== 'ms_declspec_modifier') {
      firstTypeStart = c.startIndex;
    }
  }
  if (fn !== undefined && storage === 'none') return; // automatic variable
  const typeNode = decl.childForFieldName('type');
  const typeStart = firstTypeStart >= 0 ? firstTypeStart : typeNode?.startIndex ?? decl.startIndex;
  const typeEnd = typeNode?.endIndex ?? typeStart;
  const shared = declarators.length > 1;
  for (const d of declarators) {
    const init = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
    const target = d.type === 'init_declarator' ? d.childForFieldName('declarator')! : d;
    const id = innermostIdentifier(target);
    if (!id) continue;
    const der = nearestDerivation(target, id);
    if (der.nearest === 'function') continue; // a function prototype
    if (der.nearest === 'none' && typeNode?.type === 'type_identifier' && fnTypes.has(typeNode.text)) continue; // a function, declared through its typedef
    const isPointer = der.nearest === 'pointer';
    const isArray = der.nearest === 'array';
    // const on the specifiers makes the object const unless it is a pointer (then the pointee is const).
    const isConst = isPointer ? der.constPointer : specConst || (isArray && der.constElements);
    const cxx = classes ? cxxNatureOf(typeNode, target, init, isPointer, classes) : undefined;
    let kind: DeclKind;
    if (forward) kind = 'forward';
    else if (storage === 'extern' && !init) kind = 'extern';
    else if (init || fn !== undefined) kind = 'definition';
    else kind = 'tentative';
    const declText = text.slice(typeStart, typeEnd) + ' ' + text.slice(target.startIndex, target.endIndex);
    out.push({
      name: id.text,
      offset: id.startIndex,
      scope: fn === undefined ? 'file' : 'function',
      function: fn,
      storage,
      kind,
      type: declText.replace(/\s+/g, ' ').trim(),
      isConst,
      isArray,
      isPointer,
      init: init ? { start: init.startIndex, end: init.endIndex } : undefined,
      insertAt: lastStorageEnd >= 0 ? typeStart : decl.startIndex,
      range: { start: decl.startIndex, end: decl.endIndex },
      sharedStatement: shared,
      specifiers: { start: typeStart, end: typeEnd },
      declarator: { start: target.startIndex, end: target.endIndex },
      threadLocal: false,
      ...(cxx ? { cxx } : {}),
    });
  }
}
