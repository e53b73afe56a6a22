// C library calls that keep state behind their API (rules/libc-calls.json): where the tree makes
// them, and what each site needs. apply routes the shim kind through PyGlobals_NAME
// (Include/pyglobal_libc.h); check fails on a site that is neither routed, safe nor reviewed.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { findNameSites, namesPattern, type NameSite, type NameUse } from '../engine/calls.ts';
import { readRulesJson, rulesDir } from './rules.ts';
import { defaultProfile, layerFiles, projectRoot, rulePath, type Profile } from './profile.ts';

export type LibcKind = 'shim' | 'safe' | 'unsafe';

export interface LibcRule {
  name: string;
  kind: LibcKind;
  reason: string;
  /** shim: how PyGlobals_NAME makes it safe. */
  replacement?: string;
  /** shim: the C library's prototype, which PyGlobals_NAME copies. */
  returns?: string;
  params?: string;
  /** shim: defined in the header (its library is not libpython's). */
  inline?: boolean;
}

export interface ReviewedSite {
  file: string;
  function: string;
  name: string;
  reason: string;
  source: string;
  /** The rules file it came from, repository-relative. */
  rulesFile: string;
}

/**
 * routed: already PyGlobals_NAME · bare: a shim-kind call apply has not routed yet ·
 * own-definition: the file defines its own NAME, so its uses are its own · safe: the rule says
 * why it needs nothing · reviewed / unreviewed: unsafe, with or without a reviewed row.
 */
export type SiteStatus = 'routed' | 'bare' | 'own-definition' | 'safe' | 'reviewed' | 'unreviewed';

export interface LibcSite {
  file: string;
  line: number;
  column: number;
  offset: number;
  /** The C library function. */
  name: string;
  /** As written: NAME or PyGlobals_NAME. */
  spelled: string;
  use: NameUse;
  function: string;
  kind: LibcKind;
  status: SiteStatus;
  reason: string;
  replacement?: string;
}

export const SHIM_PREFIX = 'PyGlobals_';
/** Files pyglobal writes that call the C library's own functions on purpose. */
export const shimFiles = ['Python/pyglobal_libc.c', 'Include/pyglobal_libc.h'];
export const libcRulesFile = path.join(rulesDir, 'libc-calls.json');

const kinds: LibcKind[] = ['shim', 'safe', 'unsafe'];

/**
 * The C library rules: rules/libc-calls.json, then a libc-calls.json of each later layer of the
 * profile (2.7's: the shadow password calls only its tree makes). A string names one file alone.
 */
export function loadLibcRules(from: Profile | string = defaultProfile()): LibcRule[] {
  const files = typeof from === 'string' ? [from] : layerFiles(from, 'libc-calls.json');
  const seen = new Set<string>();
  return files.flatMap((file) => loadLibcFile(file, seen));
}

/** C sources appended to Python/pyglobal_libc.c by the layers' libc-calls.json ("sources"), in layer order. */
export function libcExtraSources(profile: Profile = defaultProfile()): string[] {
  return layerFiles(profile, 'libc-calls.json').flatMap((file) => {
    const doc = readRulesJson(file);
    if (doc.sources === undefined) return [];
    if (!Array.isArray(doc.sources)) throw new UsageError(`${file}:1: field "sources" must be a list of {file, reason}`);
    return doc.sources.map((src: any, i: number) => {
      if (typeof src?.file !== 'string' || !fs.existsSync(path.join(projectRoot, src.file))) throw new UsageError(`${file}: sources[${i}]: field "file" must name a file of the project`);
      if (typeof src.reason !== 'string' || src.reason.trim().length < 10) throw new UsageError(`${file}: sources[${i}]: field "reason" must say why`);
      return path.join(projectRoot, src.file);
    });
  });
}

function loadLibcFile(file: string, seen: Set<string>): LibcRule[] {
  const doc = readRulesJson(file);
  if (!Array.isArray(doc.calls)) throw new UsageError(`${file}:1: field "calls" must be a list`);
  return doc.calls.map((r: any, i: number) => {
    const where = `${file}: calls[${i}]${typeof r?.name === 'string' ? ` (${r.name})` : ''}`;
    if (typeof r.name !== 'string' || !/^[A-Za-z_]\w*$/.test(r.name)) throw new UsageError(`${where}: field "name" must be a C identifier`);
    if (seen.has(r.name)) throw new UsageError(`${where}: ${r.name} is listed twice`);
    seen.add(r.name);
    if (!kinds.includes(r.kind)) throw new UsageError(`${where}: field "kind" must be one of ${kinds.join(', ')}`);
    if (typeof r.reason !== 'string' || r.reason.trim().length < 10) throw new UsageError(`${where}: field "reason" must say why (non-empty)`);
    if (r.kind === 'shim') {
      for (const k of ['returns', 'params', 'replacement']) {
        if (typeof r[k] !== 'string' || !r[k].trim()) throw new UsageError(`${where}: a shim needs field "${k}"`);
      }
    }
    return r as LibcRule;
  });
}

/** Reviewed call sites from every layer's reviewed-libc-sites.json, in layer order. */
export function loadReviewedSites(from: Profile | string = defaultProfile()): ReviewedSite[] {
  return (typeof from === 'string' ? [from] : layerFiles(from, 'reviewed-libc-sites.json')).flatMap(loadReviewedSitesFile);
}

function loadReviewedSitesFile(file: string): ReviewedSite[] {
  if (!fs.existsSync(file)) return [];
  const doc = readRulesJson(file);
  if (!Array.isArray(doc.rows)) throw new UsageError(`${file}:1: field "rows" must be a list`);
  return doc.rows.map((r: any, i: number) => {
    const where = `${file}: rows[${i}]`;
    for (const k of ['file', 'function', 'name', 'reason']) {
      if (typeof r[k] !== 'string' || !r[k].trim()) throw new UsageError(`${where}: field "${k}" is required and must not be empty`);
    }
    if (r.reason.trim().length < 10) throw new UsageError(`${where}: the reason must say why ("${r.reason}")`);
    return { file: r.file, function: r.function, name: r.name, reason: r.reason, source: `${path.basename(file)}#${i}`, rulesFile: rulePath(file) };
  });
}

export interface LibcIndex {
  rules: Map<string, LibcRule>;
  /** Bare and PyGlobals_ spellings → the rule's name. */
  spellings: Map<string, string>;
  pattern: RegExp;
  reviewed: ReviewedSite[];
}

export function libcIndex(rules = loadLibcRules(), reviewed = loadReviewedSites()): LibcIndex {
  const byName = new Map(rules.map((r) => [r.name, r]));
  const spellings = new Map<string, string>();
  for (const r of rules) {
    spellings.set(r.name, r.name);
    if (r.kind === 'shim') spellings.set(SHIM_PREFIX + r.name, r.name);
  }
  return { rules: byName, spellings, pattern: namesPattern(spellings.keys()), reviewed };
}

/** Every site in one file, with what it needs. */
export function libcSitesOf(file: string, text: string, lines: number[], ix: LibcIndex): LibcSite[] {
  if (shimFiles.includes(file) || !ix.pattern.test(text)) return [];
  return libcSitesFrom(file, findNameSites(text, new Set(ix.spellings.keys()), lines), ix);
}

/** The spellings every scan looks for in each file (findNameSites), bare and PyGlobals_. */
export const libcSpellings = (ix: LibcIndex): string[] => [...ix.spellings.keys()];

/** What each site of one file needs, from the sites of libcSpellings found in it. */
export function libcSitesFrom(file: string, sites: NameSite[], ix: LibcIndex): LibcSite[] {
  if (shimFiles.includes(file)) return [];
  const ownDefinitions = new Set(sites.filter((s) => s.use === 'definition').map((s) => s.name));
  return sites.map((s) => {
    const name = ix.spellings.get(s.name)!;
    const rule = ix.rules.get(name)!;
    let status: SiteStatus;
    let reason = rule.reason;
    if (s.name !== name) status = 'routed';
    else if (ownDefinitions.has(name)) {
      status = 'own-definition';
      reason = `${file} defines its own ${name}, so its uses here are not the C library's`;
    } else if (rule.kind === 'safe') status = 'safe';
    else {
      // A reviewed row also keeps a call with a safe form as written: in a file that cannot see
      // the shims (libffi's closures.c does not include Python.h), the row says why it may stay.
      const row = ix.reviewed.find((r) => r.name === name && r.file === file && (r.function === '*' || r.function === s.function));
      status = row ? 'reviewed' : rule.kind === 'shim' ? 'bare' : 'unreviewed';
      if (row) reason = row.reason;
    }
    return { file, line: s.line, column: s.column, offset: s.offset, name, spelled: s.name, use: s.use, function: s.function, kind: rule.kind, status, reason, replacement: rule.replacement };
  });
}

/** Reviewed rows about a file the tree has that match no site: they must not rot. */
export function staleSiteRows(ix: LibcIndex, sites: LibcSite[], filesInTree: Set<string>): ReviewedSite[] {
  return ix.reviewed.filter(
    (r) => filesInTree.has(r.file) && !sites.some((s) => s.status === 'reviewed' && s.name === r.name && s.file === r.file && (r.function === '*' || r.function === s.function)),
  );
}

/** The message check gives for a site that is not safe yet. */
export function siteMessage(s: LibcSite): string {
  const what = s.use === 'reference' ? `${s.name} (passed as a function)` : s.use === 'declaration' ? `declaration of ${s.name}` : `${s.name}()`;
  if (s.status === 'bare') {
    return `${what} is not thread-safe: it ${s.reason}. Use ${SHIM_PREFIX}${s.name}: ${s.replacement}; \`pyglobal apply\` makes this edit`;
  }
  return `${what} is not thread-safe and has no safe form: ${s.reason}. Review the call and add a row to the reviewed-libc-sites.json of the version profile (rules/cpython-2.4/) saying why it is safe here`;
}

/** Include/pyglobal_libc.h: the shims' prototypes, or in a stock build the C library's own names. */
export function libcHeader(rules: LibcRule[]): string {
  const shims = rules.filter((r) => r.kind === 'shim').sort((a, b) => a.name.localeCompare(b.name));
  const proto = (r: LibcRule) => `${r.returns}${r.returns!.endsWith('*') ? '' : ' '}${SHIM_PREFIX}${r.name}(${r.params});`;
  const inline = shims.filter((r) => r.inline);
  return `/* Include/pyglobal_libc.h: generated by pyglobal apply from rules/libc-calls.json. Do not edit;
   run apply again instead.

   C library calls that keep their answer or their state in static storage, shared by every
   thread of the process. apply renames each call NAME in the tree to PyGlobals_NAME: in the
   thread-local build that is the safe form in Python/pyglobal_libc.c (each rule says how); in
   the stock-equivalent build (PYGLOBAL_STOCK) it is NAME itself, so nothing changes. The C
   runtime on Windows keeps these results per thread, so there too PyGlobals_NAME is NAME.

   Reached through pyport.h, after pyconfig.h, so the feature macros are set. */
#ifndef Py_PYGLOBAL_LIBC_H
#define Py_PYGLOBAL_LIBC_H

#if defined(PYGLOBAL_STOCK) || defined(_WIN32)

#define PyGlobals_LibcLock() ((void)0)
#define PyGlobals_LibcUnlock() ((void)0)
#define PyGlobals_LibcRelease() ((void)0)
#define PyGlobals_OnceInProcess(key) 1
${shims.map((r) => `#define ${SHIM_PREFIX}${r.name} ${r.name}`).join('\n')}

#else

#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <grp.h>
#include <netdb.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <locale.h>
#ifdef HAVE_LANGINFO_H
#include <langinfo.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* One process-wide recursive lock around the calls that touch process state (locale, time
   zone, environment); hold it around a sequence of them that must not interleave. */
void PyGlobals_LibcLock(void);
void PyGlobals_LibcUnlock(void);
/* Frees the calling thread's buffers; PyGlobals_FiniThread calls it. */
void PyGlobals_LibcRelease(void);
/* 1 the first time the process asks with this key (a string constant), 0 after; 1 always in
   the stock build. For setup that belongs to the process, not to one interpreter. */
int PyGlobals_OnceInProcess(const char *key);

${shims
  .filter((r) => !r.inline)
  .map((r) => (r.name === 'nl_langinfo' ? `#ifdef HAVE_LANGINFO_H\n${proto(r)}\n#endif` : proto(r)))
  .join('\n')}

#ifdef __cplusplus
}
#endif

/* Inline, so that a file that does not call it does not need its library. */
#if defined(__GNUC__) || defined(__clang__)
#define _PYGLOBAL_INLINE static __inline__
#else
#define _PYGLOBAL_INLINE static
#endif
${inline.map(inlineShim).join('\n')}
#endif /* PYGLOBAL_STOCK || _WIN32 */

#endif /* !Py_PYGLOBAL_LIBC_H */
`;
}

/**
 * A shim whose C library function lives outside libc (crypt: libcrypt) is a static function
 * in the header, so only the modules that call it need that library. Under the lock, its
 * answer copied to a thread-local buffer of the calling module.
 */
function inlineShim(r: LibcRule): string {
  const params = r.params!.split(',').map((p) => p.trim());
  const args = params.map((p) => /([A-Za-z_]\w*)\s*$/.exec(p)![1]);
  return `
/* ${r.name}: ${r.replacement}. */
_PYGLOBAL_INLINE ${r.returns}
${SHIM_PREFIX}${r.name}(${r.params})
{
\textern ${r.returns}${r.name}(${params.join(', ')});
\tstatic PYGLOBAL char *buf;
\tstatic PYGLOBAL size_t len;
\tchar *answer, *copy = NULL;
\tsize_t n;
\tPyGlobals_LibcLock();
\tanswer = ${r.name}(${args.join(', ')});
\tif (answer != NULL) {
\t\tn = strlen(answer) + 1;
\t\tif (n > len) {
\t\t\tchar *p = (char *)realloc(buf, n);
\t\t\tif (p != NULL) {
\t\t\t\tbuf = p;
\t\t\t\tlen = n;
\t\t\t}
\t\t}
\t\tif (n <= len) {
\t\t\tmemcpy(buf, answer, n);
\t\t\tcopy = buf;
\t\t}
\t}
\tPyGlobals_LibcUnlock();
\treturn copy;
}
`;
}

export function libcSource(root: string, profile: Profile = defaultProfile()): string {
  const base = fs.readFileSync(path.join(root, 'src/c/pyglobal_libc.c'), 'latin1');
  return base + libcExtraSources(profile).map((f) => fs.readFileSync(f, 'latin1')).join('');
}
