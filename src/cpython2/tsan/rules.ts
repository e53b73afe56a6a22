// Loads rules/tsan-suppressions.json: what the TSan build does about reviewed, harmless
// accesses, each row with its reason: build flags, functions left uninstrumented (through a
// prelude header every compile includes), and suppressions. Writes the prelude, the
// suppressions file TSan reads, and the TSAN_OPTIONS string that points at it.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../engine/errors.ts';
import { defaultProfile, profileFile } from '../profile.ts';

/** The suppression types TSan understands (sanitizer_common / tsan_suppressions). */
export const suppressionKinds = [
  'race',
  'race_top',
  'thread',
  'mutex',
  'signal',
  'deadlock',
  'called_from_lib',
] as const;
export type SuppressionKind = (typeof suppressionKinds)[number];

export interface TsanSuppression {
  kind: SuppressionKind;
  /** Function, source file or module name; `*` is a wildcard, as TSan reads it. */
  pattern: string;
  reason: string;
}

export interface TsanBuildFlag {
  flag: string;
  reason: string;
}

/** A function TSan must not instrument: declared with no_sanitize_thread before its definition. */
export interface TsanUninstrumented {
  function: string;
  /** Its prototype with struct types spelled out (typedef names are not visible in the prelude). */
  prototype: string;
  reason: string;
}

/** A library the TSan build links into its programs, so it is loaded when the runtime starts. */
export interface TsanLinkLibrary {
  /** As for -l: "crypt" is libcrypt.so. */
  library: string;
  reason: string;
}

export interface TsanRules {
  file: string;
  buildFlags: TsanBuildFlag[];
  linkLibraries: TsanLinkLibrary[];
  uninstrumented: TsanUninstrumented[];
  suppressions: TsanSuppression[];
}

/** The default profile's (2.4's); a build reads its own tree's profile. */
export const defaultTsanRulesFile = profileFile(defaultProfile(), 'tsan-suppressions.json');

/** The line TSan reads, and prints back in "Matched N suppressions": `kind:pattern`. */
export function suppressionKey(s: { kind: string; pattern: string }): string {
  return `${s.kind}:${s.pattern}`;
}

/** Validates the parsed JSON; every problem names the file and the row. */
export function validateTsanRules(data: unknown, file: string): TsanRules {
  const fail = (msg: string): never => {
    throw new UsageError(`${file}: ${msg}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    fail('expected an object with "suppressions" (and optionally "buildFlags") arrays');
  const d = data as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (!['description', 'buildFlags', 'linkLibraries', 'uninstrumented', 'suppressions'].includes(k)) fail(`unknown field "${k}"`);
  const reasonOf = (r: Record<string, unknown>, where: string): string => {
    if (typeof r.reason !== 'string' || r.reason.trim().length < 20)
      fail(`${where}.reason: every row needs a reason (what the report is and why it is harmless), not a word`);
    return (r.reason as string).trim();
  };

  if (!Array.isArray(d.suppressions)) fail('"suppressions" must be an array (it may be empty)');
  const seen = new Set<string>();
  const suppressions: TsanSuppression[] = [];
  (d.suppressions as unknown[]).forEach((row, i) => {
    const where = `suppressions[${i}]`;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) fail(`${where}: expected an object`);
    const r = row as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!['kind', 'pattern', 'reason'].includes(k)) fail(`${where}: unknown field "${k}"`);
    if (!suppressionKinds.includes(r.kind as SuppressionKind))
      fail(`${where}.kind: ${JSON.stringify(r.kind)}; expected one of ${suppressionKinds.join(', ')}`);
    // One token: TSan splits its file into lines, and a blank or a bare "*" would silence everything.
    if (typeof r.pattern !== 'string' || !/^[^\s#:]+$/.test(r.pattern) || /^[*^$]+$/.test(r.pattern))
      fail(`${where}.pattern: expected a function, file or module name (no blanks, ':' or '#', not only wildcards)`);
    const s: TsanSuppression = { kind: r.kind as SuppressionKind, pattern: r.pattern as string, reason: reasonOf(r, where) };
    if (seen.has(suppressionKey(s))) fail(`${where}: ${suppressionKey(s)} is listed twice`);
    seen.add(suppressionKey(s));
    suppressions.push(s);
  });

  const buildFlags: TsanBuildFlag[] = [];
  if (d.buildFlags !== undefined) {
    if (!Array.isArray(d.buildFlags)) fail('"buildFlags" must be an array');
    (d.buildFlags as unknown[]).forEach((row, i) => {
      const where = `buildFlags[${i}]`;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) fail(`${where}: expected an object`);
      const r = row as Record<string, unknown>;
      for (const k of Object.keys(r)) if (!['flag', 'reason'].includes(k)) fail(`${where}: unknown field "${k}"`);
      if (typeof r.flag !== 'string' || !/^-[A-Za-z][^\s'"]*$/.test(r.flag))
        fail(`${where}.flag: expected one compiler flag such as -DNAME (no blanks or quotes)`);
      buildFlags.push({ flag: r.flag as string, reason: reasonOf(r, where) });
    });
  }
  const linkLibraries: TsanLinkLibrary[] = [];
  if (d.linkLibraries !== undefined) {
    if (!Array.isArray(d.linkLibraries)) fail('"linkLibraries" must be an array');
    (d.linkLibraries as unknown[]).forEach((row, i) => {
      const where = `linkLibraries[${i}]`;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) fail(`${where}: expected an object`);
      const r = row as Record<string, unknown>;
      for (const k of Object.keys(r)) if (!['library', 'reason'].includes(k)) fail(`${where}: unknown field "${k}"`);
      if (typeof r.library !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/.test(r.library))
        fail(`${where}.library: expected a library name as for -l (crypt for libcrypt.so)`);
      linkLibraries.push({ library: r.library as string, reason: reasonOf(r, where) });
    });
  }
  const uninstrumented: TsanUninstrumented[] = [];
  if (d.uninstrumented !== undefined) {
    if (!Array.isArray(d.uninstrumented)) fail('"uninstrumented" must be an array');
    (d.uninstrumented as unknown[]).forEach((row, i) => {
      const where = `uninstrumented[${i}]`;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) fail(`${where}: expected an object`);
      const r = row as Record<string, unknown>;
      for (const k of Object.keys(r)) if (!['function', 'prototype', 'reason'].includes(k)) fail(`${where}: unknown field "${k}"`);
      if (typeof r.function !== 'string' || !/^[A-Za-z_]\w*$/.test(r.function)) fail(`${where}.function: expected a C identifier`);
      const fn = r.function as string;
      // One declaration, no body, no preprocessor text: "int f(void *p, struct s *q)".
      const proto = typeof r.prototype === 'string' ? r.prototype.trim() : '';
      if (!new RegExp(`^[A-Za-z_][\\w\\s*]*\\b${fn}\\s*\\([\\w\\s*,]*\\)$`).test(proto))
        fail(`${where}.prototype: expected the prototype of ${fn}, like "int ${fn}(void *p, struct s *q)", without ';'`);
      uninstrumented.push({ function: fn, prototype: proto, reason: reasonOf(r, where) });
    });
  }
  return { file, buildFlags, linkLibraries, uninstrumented, suppressions };
}

/**
 * The header every compile of a TSan build includes first (-include): each uninstrumented
 * function declared with no_sanitize_thread, which gcc carries over to the definition, and
 * the struct tags its prototype names, declared at file scope so they are the same types as
 * the definition's. Inert in files that do not define the function, and empty in assembly
 * sources (.S), which the same compile flags preprocess too.
 */
export function preludeText(rules: TsanRules): string {
  const tags = new Set<string>();
  for (const u of rules.uninstrumented) for (const m of u.prototype.matchAll(/\bstruct\s+(\w+)/g)) tags.add(m[1]);
  return [
    `/* generated by pyglobal build --sanitize thread from ${rules.file}; edit that file, not this one */`,
    // Not in assembly: gcc preprocesses a .S file with the same -include (2.7's libffi in
    // _ctypes: unix64.S), and the assembler would read the C declarations as instructions.
    '#if defined(__SANITIZE_THREAD__) && !defined(__ASSEMBLER__)',
    ...[...tags].map((t) => `struct ${t};`),
    ...rules.uninstrumented.flatMap((u) => [`/* ${u.reason.replace(/\*\//g, '* /').replace(/\s+/g, ' ')} */`, `${u.prototype} __attribute__((no_sanitize_thread));`]),
    '#endif',
    '',
  ].join('\n');
}

export function loadTsanRules(file: string = defaultTsanRulesFile): TsanRules {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return validateTsanRules(data, file);
}

/** The suppressions file TSan reads: each row's reason as a comment above its line. */
export function suppressionsText(rules: TsanRules): string {
  const lines = [`# generated by pyglobal from ${rules.file}; edit that file, not this one`];
  for (const s of rules.suppressions) {
    lines.push(`# ${s.reason.replace(/\s+/g, ' ')}`);
    lines.push(suppressionKey(s));
  }
  return lines.join('\n') + '\n';
}

export interface TsanOptionsInput {
  /** TSan writes each process's reports to `${logPrefix}.${pid}`. */
  logPrefix: string;
  suppressionsFile: string;
  /** Stripped from file names in reports, so frames read Objects/obmalloc.c:744. */
  stripPrefix?: string;
  /** Per-thread access history, 0..7 (each step doubles it); more finds the other side of older races. */
  historySize?: number;
}

/**
 * TSAN_OPTIONS for a run whose reports are read afterwards: into files (the programs' own
 * output stays clean), every report (halt_on_error=0), the matched suppressions listed at
 * exit, and exitcode=0 so a program's exit status is its own, not TSan's 66: the harness
 * counts reports from the files, and a failed test keeps meaning what it means. TSan's own
 * handlers for fatal signals are off (handle_segv=0 ...): they end the process through the same
 * exitcode, so a segfault in ./python would exit 0; without them a crash is a signal, as in
 * a build without TSan, and pymt's own handler still says which interpreter it hit.
 * allocator_may_return_null=1: a malloc larger than TSan's allocator serves (1 TB) returns NULL,
 * as glibc's does, instead of ending the whole process with allocation-size-too-big; 2.7's
 * test_io asks for a buffer of sys.maxsize and expects MemoryError (bufferedio.c
 * _buffered_init), and without it part (b) lost both interpreters there, with exit status 0.
 */
export function tsanOptions(o: TsanOptionsInput): string {
  const quote = (name: string, v: string) => {
    if (/["'\n]/.test(v)) throw new UsageError(`${name} ${v}: TSAN_OPTIONS cannot carry a path with quotes or newlines`);
    return `"${v}"`;
  };
  const parts = [
    `log_path=${quote('log path', o.logPrefix)}`,
    `suppressions=${quote('suppressions file', o.suppressionsFile)}`,
    'print_suppressions=1',
    'halt_on_error=0',
    'exitcode=0',
    'allocator_may_return_null=1',
    `history_size=${o.historySize ?? 4}`,
    'handle_segv=0',
    'handle_sigbus=0',
    'handle_sigfpe=0',
    'handle_sigill=0',
  ];
  if (o.stripPrefix) parts.push(`strip_path_prefix=${quote('strip prefix', o.stripPrefix)}`);
  return parts.join(' ');
}
