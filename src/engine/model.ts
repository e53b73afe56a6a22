// Plain data that flows between the pipeline stages. No behaviour lives here.

/** A source file as bytes decoded one byte per code unit, so string offsets are byte offsets. */
export interface SourceText {
  /** Path relative to the tree root, with forward slashes. */
  path: string;
  /** latin1-decoded bytes: text.length === byte length, and Buffer.from(text, 'latin1') gives the bytes back. */
  text: string;
}

export interface Range {
  /** Byte offsets into the original file, end exclusive. */
  start: number;
  end: number;
}

export interface Position {
  file: string;
  /** 1-based line and column (column counts bytes). */
  line: number;
  column: number;
}

export type Scope = 'file' | 'function';

/** How the declaration is spelled, after macro meanings are applied. */
export type Storage = 'static' | 'extern' | 'none';

/**
 * definition: has an initializer, or is a function-local static;
 * tentative: file-scope, no initializer, no extern;
 * extern: a declaration only (extern, PyAPI_DATA);
 * forward: staticforward-style declaration of a static defined later in the same file.
 */
export type DeclKind = 'definition' | 'tentative' | 'extern' | 'forward';

export interface Declaration extends Position {
  name: string;
  /** 0-based byte offset of the name in the original file. */
  offset: number;
  scope: Scope;
  /** Enclosing function for function-local statics. */
  function?: string;
  storage: Storage;
  kind: DeclKind;
  /** The declaration's type as written (specifiers plus declarator, without the name's initializer). */
  type: string;
  /** Qualifiers that matter for classification. */
  isConst: boolean;
  isArray: boolean;
  isPointer: boolean;
  /** Original byte range of the initializer expression (after '='), if any. */
  init?: Range;
  /** Byte offset at which a storage-class prefix like PYGLOBAL is inserted: the start of the declaration. */
  insertAt: number;
  /** Byte range of the whole declaration statement, ';' included. */
  range: Range;
  /** Set when the declaration is produced by a macro: the macro's name (e.g. PyDoc_STRVAR, SLOT1). */
  viaMacro?: string;
  /** For declarations produced by expanding a macro defined elsewhere: where the macro body is. */
  macroDefinedAt?: Position;
  /** For declarations made by a declaring macro (PyDoc_STRVAR): where that macro's name is written. */
  macroNameAt?: { file: string; offset: number };
  /** For declarations inside a macro body: where, in the body, a storage prefix would go. */
  bodyInsert?: { file: string; offset: number };
  /**
   * For a declaration inside a macro body that has an initializer: the initializer as this use
   * expands it, the expanded type, and where ` = initializer` sits in the #define, so that a
   * rewrite can take it out of the body and run it per thread after the use (useEnd).
   */
  bodyInit?: MacroBodyInit;
  /** Other variables declared in the same statement (int a, b;) share one insertAt. */
  sharedStatement: boolean;
  /** The type as written after the storage class, and the declarator without its initializer (absent for macro-made ones). */
  specifiers?: Range;
  declarator?: Range;
  /** The #if branches it sits in ("group:branch/..."), to tell alternatives apart. */
  cond?: string;
  /** Already marked thread-local in the source (PYGLOBAL, __thread, ...). */
  threadLocal: boolean;
  /**
   * C++ only: why the variable is not plain C data (see engine/cxx-objects.ts): an object whose
   * constructor or destructor runs, a reference, a static data member.
   */
  cxx?: { kind: 'object' | 'reference' | 'member'; why: string };
}

export type Classification = 'thread-local' | 'shared-immutable' | 'shared-process';

export interface MacroBodyInit {
  /** The initializer after `=`, expanded for this use (arguments substituted, ## pasted). */
  text: string;
  /** The expanded specifiers (after the storage class) and declarator, and the name's offset in it. */
  spec: string;
  declarator: string;
  nameAt: number;
  /** ` = initializer` in the macro's definition: from the '=' to just before what follows it. */
  body: { file: string; start: number; end: number };
  /** End of the use in the file (its closing parenthesis), where per-use code can follow. */
  useEnd: number;
}

/** One variable: its definition and every declaration that names the same symbol. */
export interface Global {
  /** Stable key: file|function|name|ordinal, ordinal counts same-named statics in one file and function. */
  id: string;
  name: string;
  /** The file that defines it (or the first declaring file for extern-only symbols). */
  file: string;
  function?: string;
  linkage: 'external' | 'internal' | 'none';
  definition?: Declaration;
  declarations: Declaration[];
  classification: Classification;
  reason: string;
  /** Where the reason came from: a rule id, or the analysis that decided it. */
  reasonSource: string;
}

export type Severity = 'error' | 'warning' | 'note';

export interface Finding extends Position {
  ruleId: string;
  severity: Severity;
  message: string;
  /** The variable (or other symbol) the finding is about: with ruleId, file and function it keys baselines and SARIF fingerprints, so line moves don't matter. */
  name?: string;
  /** Enclosing function for function-local statics. */
  function?: string;
}

export interface FileReport {
  path: string;
  bytes: number;
  /** ERROR and MISSING nodes left in the masked parse. */
  errorNodes: number;
  missingNodes: number;
  /** Declarations recovered by the lexical fallback inside ERROR regions. */
  recovered: number;
  /** In-tree headers this file includes directly (resolved paths relative to the root). */
  includes: string[];
}

/** A use of a C library function that keeps state behind its API (the CPython layer fills it in). */
export interface LibcCallSite extends Position {
  offset: number;
  /** The C library function, and how the source spells it (NAME or its thread-safe PyGlobals_NAME). */
  name: string;
  spelled: string;
  use: 'call' | 'reference' | 'declaration' | 'definition';
  function: string;
  kind: string;
  status: string;
  reason: string;
  replacement?: string;
}

export interface ScanResult {
  tool: { name: 'pyglobal'; version: string };
  root: string;
  files: FileReport[];
  globals: Global[];
  /** Every call of a C library function listed in rules/libc-calls.json, with what it needs. */
  libcCalls: LibcCallSite[];
  findings: Finding[];
  totals: Record<string, number>;
  /**
   * Files scanned for their declarations only, never edited or reported on: for an extension
   * folder, the headers of the rewritten Python tree it builds against (read from `python`).
   */
  context?: { python: string; files: string[] };
}
