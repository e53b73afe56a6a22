// From classified globals to edits: which declarations get PYGLOBAL, which initializers move to
// run time, and the generated code that runs them in each thread. Pure: scan result in, plan out.
import path from 'node:path';
import fs from 'node:fs';
import type { Declaration, Finding, Global, MacroBodyInit, ScanResult } from '../engine/model.ts';
import type { Edit } from '../engine/edits.ts';
import { lexFile, type Lexed } from '../engine/scan-file.ts';
import { elementCountText, expandText } from '../engine/initializers.ts';
import { initAnalysis, includesClosure } from './refine.ts';
import { resolveInclude, readSource } from './scan.ts';
import { loadMacroRules, readRulesJson } from './rules.ts';
import { cite, layerFiles, profileFile, rulePath, type Profile } from './profile.ts';
import { findFunctionEntries } from '../engine/function-entry.ts';
import { languageOf } from '../engine/parse.ts';
import { cxxReviewFinding, needsCxxReview } from './cxx-review.ts';
import { UsageError } from '../engine/errors.ts';
import type { MacroDef } from '../engine/macro-defs.ts';
import { projectRoot } from './target/tree.ts';
import { SHIM_PREFIX, libcHeader, libcSource, loadLibcRules } from './libc.ts';

export const MARK = 'PYGLOBAL';
export const CHAIN = '_PYGLOBAL_CHAIN';

export interface MovedInit {
  global: string;
  file: string;
  line: number;
  offset: number;
  /** The thread-local variables the initializer names, which make it non-constant. */
  because: string[];
}

export interface Plan {
  globals: Global[];
  edits: Edit[];
  /** Whole files the tool owns and writes from scratch. */
  generated: { path: string; text: string }[];
  moved: MovedInit[];
  findings: Finding[];
  /** Core files whose per-file init function PyGlobals_InitThread calls. */
  coreInits: string[];
  finiHooks: string[];
}

interface CoreRules {
  coreDirs: string[];
  /** A path, or a path with the preprocessor condition under which it is compiled at all. */
  files: (string | { file: string; if: string })[];
}
interface Hook {
  id: string;
  file: string;
  /** fini: becomes the file's _PyGlobals_Fini_ function; entry: runs first in `function`;
   *  replace: exact text replacements, each of which must match once. */
  phase: 'fini' | 'entry' | 'replace';
  function?: string;
  code?: string[];
  replacements?: { find: string; replace: string }[];
  /** Lines added at the end of the file (once). */
  append?: string[];
  reason: string;
  /** How the rewrite names this hook's file in the sources it writes (profile.ts, cite). */
  cite: string;
  /** The hook's file, repository-relative, for errors. */
  rulesFile: string;
}

function loadCore(profile: Profile): CoreRules {
  return readRulesJson(profileFile(profile, 'core-files.json'));
}
/** Every layer's hooks/, in layer order. */
function loadHooks(profile: Profile): Hook[] {
  return layerFiles(profile, 'hooks').flatMap((dir) => loadHookDir(profile, dir));
}
function loadHookDir(profile: Profile, dir: string): Hook[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const h = readRulesJson(path.join(dir, f));
      const ok = h.phase === 'replace' ? Array.isArray(h.replacements) && h.replacements.length > 0 : Array.isArray(h.code);
      if (!h.reason || !ok || !h.file || !['fini', 'entry', 'replace'].includes(h.phase)) {
        throw new UsageError(`${path.join(dir, f)}:1: a hook needs id, file, phase (fini, entry or replace), reason, and code or replacements`);
      }
      return { ...h, cite: cite(profile, path.join(dir, f)), rulesFile: rulePath(path.join(dir, f)) };
    });
}

/** An extension module that setup.py builds from several files: its init<module> lives in `init`. */
interface ExtensionUnit {
  name: string;
  init: string;
  files: string[];
  reason: string;
}
/** The profile's extension-modules.json, if a layer has one (2.4 has none). */
function loadUnits(profile: Profile): ExtensionUnit[] {
  const files = layerFiles(profile, 'extension-modules.json');
  if (!files.length) return [];
  const file = files[files.length - 1];
  const doc = readRulesJson(file);
  if (!Array.isArray(doc.modules)) throw new UsageError(`${file}:1: field "modules" must be a list`);
  return doc.modules.map((m: Partial<ExtensionUnit>, i: number) => {
    if (!m.name || !m.init || !Array.isArray(m.files) || !m.reason) throw new UsageError(`${file}: modules[${i}] needs name, init, files and reason`);
    return m as ExtensionUnit;
  });
}

export function isCore(file: string, core: CoreRules): boolean {
  return core.coreDirs.some((d) => file.startsWith(d + '/')) || core.files.some((f) => (typeof f === 'string' ? f : f.file) === file);
}

/** A C identifier made from a path: Objects/typeobject.c → Objects_typeobject. */
export function fileId(file: string): string {
  return file.replace(/\.c(\.in)?$/, '').replace(/[^A-Za-z0-9]/g, '_');
}

/** lexed: the scan's own lexing of the files (ScanOptions.keepLexed), so that they are not lexed twice. */
export function planRewrite(scan: ScanResult, texts: Map<string, string>, profile: Profile, lexed?: ReadonlyMap<string, Lexed>): Plan {
  const core = loadCore(profile);
  const macroRules = loadMacroRules(profile);
  // Files scanned only as context (the rewritten tree's headers, for an extension folder) are
  // never edited, and an extension has no core files: each module runs its chain in init<module>.
  const readOnly = new Set(scan.context?.files ?? []);
  const extension = scan.context !== undefined;
  const coreFile = (file: string) => !extension && isCore(file, core);
  const hooks = loadHooks(profile).filter((h) => texts.has(h.file) && !readOnly.has(h.file));
  const findings: Finding[] = [];
  const globals = scan.globals.map((g) => ({ ...g }));
  const inTree = new Set(scan.files.map((f) => f.path));
  const includes = new Map(scan.files.map((f) => [f.path, f.includes]));
  const defines = new Map<string, MacroDef[]>();
  const includeSites = new Map<string, { name: string; at: number }[]>();
  for (const [p, text] of texts) {
    const known = lexed?.get(p);
    const lx = known?.source.text === text ? known : lexFile({ path: p, text });
    defines.set(p, lx.defines);
    includeSites.set(p, lx.includes);
  }

  const ia = initAnalysis(globals, texts, defines, includes);
  const initRefs = (g: Global) => ia.refs(g);

  const edits: Edit[] = [];
  const insert = (file: string, at: number, text: string, reason: string) => edits.push({ file, start: at, end: at, text, reason });
  const moved: MovedInit[] = [];
  const chainFiles = new Map<string, number>(); // file → count of chain functions
  const bodyMoves = new Map<string, string[]>(); // macro body initializer → thread-local names one of its uses names
  // Own files #included by other own files, and where: an extension that compiles one .c that
  // includes the rest (numpy's multiarraymodule.c) runs all their chains in one init<module>.
  // In a tree, a header that defines what must move (stringlib/string_format.h's static type
  // objects, compiled once in each of stringobject.c and unicodeobject.c) joins the chain of
  // every file that includes it the same way.
  const includedBy = new Map<string, { file: string; at: number }[]>();
  for (const [file, sites] of includeSites) {
    if (readOnly.has(file)) continue;
    for (const i of sites) {
      const target = resolveInclude(file, i.name, inTree, extension);
      if (!target || target === file || readOnly.has(target) || !(extension || target.endsWith('.h'))) continue;
      (includedBy.get(target) ?? includedBy.set(target, []).get(target)!).push({ file, at: i.at });
    }
  }
  const includedHere = (f: string) => (includedBy.get(f)?.length ?? 0) > 0;
  // The files that include f (directly or not) and are included by none: the units' main files,
  // with the offset of the #include line that leads to f.
  const includerRoots = (f: string): Map<string, number> => {
    const roots = new Map<string, number>();
    const seen = new Set<string>([f]);
    const st = [...(includedBy.get(f) ?? [])];
    while (st.length) {
      const g = st.pop()!;
      if (includedHere(g.file)) {
        if (!seen.has(g.file)) seen.add(g.file), st.push(...includedBy.get(g.file)!);
      } else roots.set(g.file, Math.max(roots.get(g.file) ?? 0, g.at));
    }
    return roots;
  };
  const chainIncludeAt = new Map<string, number>(); // root → last #include that brings in moved initializers
  const needsHeader = new Set<string>();
  const tlsDefines = new Set<string>();
  for (const r of macroRules.values()) if (r.kind === 'declares' && r.tlsDefine) tlsDefines.add(r.tlsDefine);

  for (const g of globals) {
    // Left alone, and said so: PYGLOBAL cannot make a C++ object with a constructor thread-local.
    if (needsCxxReview(g) && !g.declarations.every((d) => readOnly.has(d.file))) findings.push(cxxReviewFinding(g, 'warning'));
    if (g.classification !== 'thread-local') continue;
    if (g.declarations.every((d) => readOnly.has(d.file))) continue;
    for (const d of g.declarations) {
      if (readOnly.has(d.file)) continue;
      if (d.threadLocal) continue;
      if (d.bodyInsert) {
        if (!texts.get(d.bodyInsert.file)?.startsWith(MARK, d.bodyInsert.offset)) insert(d.bodyInsert.file, d.bodyInsert.offset, `${MARK} `, `thread-local ${g.name} (declared in macro ${d.viaMacro})`);
        needsHeader.add(d.bodyInsert.file);
        continue;
      }
      if (d.viaMacro) {
        // A declaring macro (PyDoc_STRVAR) with a thread-local twin: switch the use to the twin.
        const rule = macroRules.get(d.viaMacro.split(' → ').pop()!);
        const tlsName = rule?.kind === 'declares' ? rule.tlsVariant : undefined;
        const where = d.macroNameAt;
        if (rule && tlsName && where && texts.get(where.file)?.startsWith(rule.name, where.offset) && !texts.get(where.file)!.startsWith(tlsName, where.offset)) {
          edits.push({ file: where.file, start: where.offset, end: where.offset + rule.name.length, text: tlsName, reason: `thread-local ${g.name}: ${g.reason}` });
          needsHeader.add(where.file);
          continue;
        }
        findings.push(at(d, 'macro-declaration', 'error', `${g.name} is declared by macro ${d.viaMacro} and must be thread-local, but the declaration cannot be edited here`));
        continue;
      }
      insert(d.file, d.insertAt, `${MARK} `, `thread-local ${g.name}`);
      needsHeader.add(d.file);
    }
    const d = g.definition;
    if (d?.bodyInit && !d.threadLocal) {
      const refs = initRefs(g);
      if (refs.length) bodyMoves.set(bodyKey(d.bodyInit), refs.concat(bodyMoves.get(bodyKey(d.bodyInit)) ?? []));
      continue;
    }
    if (!d?.init || d.threadLocal) continue;
    const refs = initRefs(g);
    if (!refs.length) continue;
    const text = texts.get(d.file)!;
    const problem = moveProblem(g, d, text, includedHere(d.file));
    if (problem) {
      findings.push(at(d, 'cannot-move-initializer', 'error', `${g.name}: initializer names thread-local ${refs.join(', ')} but cannot move: ${problem}`));
      continue;
    }
    moved.push({ global: g.id, file: d.file, line: d.line, offset: d.offset, because: refs });
    const arith = BELOW_ELEMENT.test(expandText(text.slice(d.init.start, d.init.end), ia.macros.visible(d.file)));
    edits.push(...moveEdits(g, d, text, chainFiles, arith, includedHere(d.file) ? `_pyglobal_init_${fileId(d.file)}_` : undefined));
  }

  // Initializers in the bodies of a file's own macros (2.7's SimpleExtendsException defines a
  // type object whose tp_base is &_PyExc_<base>): once one use names thread-local data, the
  // initializer leaves the #define, and every use of it runs its own expansion per thread.
  edits.push(...moveBodyInits(globals, bodyMoves, texts, chainFiles, moved, findings, needsHeader));

  // Per-file wiring: the chain base at the top, and the entry point at the bottom or in init<module>.
  // A file #included by another of the extension's files (numpy's generated .inc) continues its
  // includer's chain, which then runs in the includer's init<module>.
  const wiring = new Map<string, boolean>([...chainFiles.keys()].map((f) => [f, !includedHere(f)]));
  for (const f of chainFiles.keys()) {
    if (!includedHere(f)) continue;
    for (const [r, at] of includerRoots(f)) {
      wiring.set(r, true);
      chainIncludeAt.set(r, Math.max(chainIncludeAt.get(r) ?? 0, at));
    }
  }
  // A file of a multi-file extension module (setup.py's Extension('_io', [...])) other than the
  // one with init<module>: its chain gets an entry point, which that init<module> calls.
  const units = extension ? [] : loadUnits(profile);
  const unitOf = (file: string) => units.find((u) => u.init !== file && u.files.includes(file));
  const siblingCalls = new Map<ExtensionUnit, string[]>();
  for (const file of wiring.keys()) {
    const u = wiring.get(file) && !coreFile(file) ? unitOf(file) : undefined;
    if (u) (siblingCalls.get(u) ?? siblingCalls.set(u, []).get(u)!).push(file);
  }
  for (const [file, runsChain] of wiring) {
    const text = texts.get(file)!;
    if (text.includes(`#define ${CHAIN}() ((void)0)`)) continue; // wired by an earlier apply
    if (!runsChain) {
      insert(file, 0, `#ifndef ${CHAIN} /* pyglobal: generated; this file's moved initializers join its includer's chain */\n#define ${CHAIN}() ((void)0)\n#endif\n`, 'chain base');
      continue;
    }
    insert(file, 0, `#define ${CHAIN}() ((void)0) /* pyglobal: generated, see the end of this file */\n`, 'chain base');
    const unit = coreFile(file) ? undefined : unitOf(file);
    if (coreFile(file) || unit) {
      const who = unit ? `init${unit.name}() in ${unit.init} calls it once per interpreter` : 'in the calling thread';
      insert(file, text.length, `${text.endsWith('\n') ? '' : '\n'}\n/* pyglobal: generated. Runs this file's moved initializers ${unit ? `(${who})` : who}. */\nvoid _PyGlobals_Init_${fileId(file)}(void) { ${CHAIN}(); }\n`, 'per-file init');
    } else {
      // An extension module: its init<name>() runs once per interpreter, so the chain runs there.
      const entries = findFunctionEntries(text, macroRules, (n) => /^init\w+$/.test(n), languageOf(file));
      const entry = entries[entries.length - 1];
      const lastMoved = Math.max(...moved.filter((m) => m.file === file).map((m) => m.offset), chainIncludeAt.get(file) ?? -1);
      if (!entry || entry.start < lastMoved) {
        const via = [...chainFiles.keys()].filter((f) => f !== file && includerRoots(f).has(file));
        findings.push({ file, line: 1, column: 1, ruleId: 'no-module-init', severity: 'error', message: extension
            ? `${file} moves initializers${via.length ? ` (of ${via.join(', ')}, which it includes)` : ''} but has no init<module> function after them to run them in (an init function whose name is made by ## pasting is not recognised yet); use PyObject_HEAD_INIT(NULL) and set ob_type in init, as most extensions do`
            : `${file} moves initializers but has no init<module> function after them to run them in; list it in ${rulePath(profileFile(profile, 'core-files.json'))} or call them by hand` });
        continue;
      }
      insert(file, entry.at, `\n\t${entryCode(entry, `${CHAIN}();`, '_pyglobal_chain')} /* pyglobal: this file's moved initializers, once per interpreter */`, 'per-interpreter init');
    }
  }
  for (const [u, files] of siblingCalls) {
    const text = texts.get(u.init);
    if (text === undefined) continue;
    const order = files.sort((a, b) => u.files.indexOf(a) - u.files.indexOf(b));
    const protos = order.map((f) => `void _PyGlobals_Init_${fileId(f)}(void);`).join(' ');
    if (text.includes(protos)) continue; // wired by an earlier apply
    const entries = findFunctionEntries(text, macroRules, (n) => n === `init${u.name}`, languageOf(u.init));
    const entry = entries[entries.length - 1];
    if (!entry) {
      findings.push({ file: u.init, line: 1, column: 1, ruleId: 'no-module-init', severity: 'error', message: `${u.init} has no init${u.name}() to run the moved initializers of ${order.join(', ')} (${rulePath(layerFiles(profile, 'extension-modules.json').pop()!)})` });
      continue;
    }
    insert(u.init, entry.start, `/* pyglobal: generated. The moved initializers of ${u.name}'s other files. */\n${protos}\n`, `extension unit ${u.name}`);
    insert(u.init, entry.at, `\n\t${entryCode(entry, order.map((f) => `_PyGlobals_Init_${fileId(f)}();`).join(' '), '_pyglobal_unit')} /* pyglobal: ${u.name}'s other files' moved initializers, once per interpreter */`, `extension unit ${u.name}`);
  }
  for (const h of hooks.filter((h) => h.phase === 'replace')) {
    const text = texts.get(h.file)!;
    // A tree whose file has none of the texts (the fixture's own obmalloc.c) is not this hook's.
    if (!h.replacements!.some((r) => text.includes(r.find) || text.includes(r.replace))) continue;
    for (const r of h.replacements!) {
      if (text.includes(r.replace)) continue; // done by an earlier apply
      const at = text.indexOf(r.find);
      if (at < 0 || text.indexOf(r.find, at + 1) >= 0) {
        findings.push({ file: h.file, line: 1, column: 1, ruleId: 'hook-target-missing', severity: 'error', message: `${h.rulesFile}: ${JSON.stringify(r.find)} must occur exactly once in ${h.file}` });
        continue;
      }
      edits.push({ file: h.file, start: at, end: at + r.find.length, text: r.replace, reason: `hook ${h.id}` });
    }
    if (h.append && !text.includes(h.append[0])) {
      insert(h.file, text.length, `${text.endsWith('\n') ? '' : '\n'}\n${h.append.join('\n')}\n`, `hook ${h.id}`);
    }
  }
  for (const h of hooks.filter((h) => h.phase === 'entry')) {
    const text = texts.get(h.file)!;
    const code = h.code!.join(' ');
    if (text.includes(code) || text.includes(`/* pyglobal: ${h.cite} */`)) continue;
    const entry = findFunctionEntries(text, macroRules, (n) => n === h.function, languageOf(h.file))[0];
    if (!entry) {
      findings.push({ file: h.file, line: 1, column: 1, ruleId: 'hook-target-missing', severity: 'error', message: `${h.rulesFile}: no function ${h.function} in ${h.file}` });
      continue;
    }
    insert(h.file, entry.at, `\n\t${entryCode(entry, code, '_pyglobal_entry')} /* pyglobal: ${h.cite} */`, `entry hook ${h.id}`);
  }
  for (const h of hooks.filter((h) => h.phase === 'fini')) {
    const text = texts.get(h.file)!;
    if (text.includes(`_PyGlobals_Fini_${fileId(h.file)}(void)`)) continue;
    insert(h.file, text.length, `${text.endsWith('\n') ? '' : '\n'}\n/* pyglobal: generated from ${h.cite}. */\nvoid _PyGlobals_Fini_${fileId(h.file)}(void)\n${h.code!.join('\n')}\n`, `fini hook ${h.id}`);
  }

  // Every file that now says PYGLOBAL must see its definition before its first use: through an
  // include that reaches pyport.h first, or (a header) because everything that includes it has.
  const reachesPyport = (f: string) => f === 'Include/pyport.h' || f === 'Include/pyglobal.h' || includesClosure(includes, f).has('Include/pyport.h');
  const includers = new Map<string, { file: string; at: number }[]>();
  for (const [file, sites] of includeSites) {
    for (const i of sites) {
      const target = resolveInclude(file, i.name, inTree, extension);
      if (target) (includers.get(target) ?? includers.set(target, []).get(target)!).push({ file, at: i.at });
    }
  }
  const seesBefore = (file: string, offset: number, visiting: Set<string>): boolean => {
    const via = (includeSites.get(file) ?? []).find((i) => {
      const target = resolveInclude(file, i.name, inTree, extension);
      return target !== undefined && reachesPyport(target);
    });
    if (via && via.at < offset) return true;
    const by = includers.get(file) ?? [];
    // A header, or a .c file that another .c includes (socketmodule.c includes getaddrinfo.c),
    // sees what everything that includes it has seen by then.
    if (!(file.endsWith('.h') || by.length) || visiting.has(file)) return false;
    visiting.add(file);
    const ok = by.length > 0 && by.every((i) => seesBefore(i.file, i.at, visiting));
    visiting.delete(file);
    return ok;
  };
  for (const file of needsHeader) {
    if (file === 'Include/pyport.h') continue;
    const firstMark = Math.min(...edits.filter((e) => e.file === file && e.text === `${MARK} `).map((e) => e.start));
    if (seesBefore(file, firstMark, new Set())) continue;
    if (texts.get(file)!.includes('#include "pyglobal.h"')) continue;
    insert(file, 0, '#include "pyglobal.h" /* pyglobal: defines PYGLOBAL */\n', 'reach pyglobal.h');
  }
  // C library calls that keep state: each goes through its PyGlobals_ form (rules/libc-calls.json).
  for (const c of scan.libcCalls) {
    if (c.status !== 'bare') continue;
    const angled = /^[ \t]*#[ \t]*include[ \t]*<(Python|pyport)\.h>/m.exec(texts.get(c.file) ?? ''); // <Python.h>, as pystrtod.c writes it
    if (!seesBefore(c.file, c.offset, new Set()) && !reachesPyport(c.file) && !(angled && angled.index < c.offset)) {
      findings.push({ file: c.file, line: c.line, column: c.column, ruleId: 'libc-call-unreachable', severity: 'error', message: `${c.name} must become ${SHIM_PREFIX}${c.name}, but ${c.file} does not include Python.h before this line, so Include/pyglobal_libc.h would not declare it`, name: c.name });
      continue;
    }
    edits.push({ file: c.file, start: c.offset, end: c.offset + c.name.length, text: SHIM_PREFIX + c.name, reason: `${c.name}: ${c.replacement}` });
  }
  if (texts.has('Include/pyport.h') && !readOnly.has('Include/pyport.h')) {
    const t = texts.get('Include/pyport.h')!;
    const m = /#define Py_PYPORT_H[^\n]*\n/.exec(t);
    if (m && !t.includes('#include "pyglobal.h"')) insert('Include/pyport.h', m.index + m[0].length, '\n#include "pyglobal.h" /* pyglobal: thread-local globals */\n', 'pyport.h includes pyglobal.h');
    // The libc shims need pyconfig.h's feature macros first, so they come at the end.
    const last = t.lastIndexOf('#endif');
    if (last >= 0 && !t.includes('#include "pyglobal_libc.h"')) insert('Include/pyport.h', last, '#include "pyglobal_libc.h" /* pyglobal: thread-safe forms of C library calls */\n\n', 'pyport.h includes pyglobal_libc.h');
  }
  if (texts.has('Makefile.pre.in')) {
    const t = texts.get('Makefile.pre.in')!;
    const m = /^PYTHON_OBJS=\s*\\\n/m.exec(t);
    if (m && !t.includes('Python/pyglobal_init.o')) insert('Makefile.pre.in', m.index + m[0].length, '\t\tPython/pyglobal_init.o \\\n', 'build the generated init');
    if (m && !t.includes('Python/pyglobal_libc.o')) insert('Makefile.pre.in', m.index + m[0].length, '\t\tPython/pyglobal_libc.o \\\n', 'build the libc shims');
    if (m && !t.includes('Python/pyglobal_queue.o') && texts.has('Modules/Setup.dist')) insert('Makefile.pre.in', m.index + m[0].length, '\t\tPython/pyglobal_queue.o \\\n', 'build the process-wide queues');
  }
  edits.push(...setupEdits(texts));
  // The entry points come from the files themselves, so a second apply regenerates the same init.
  const coreInits: string[] = [];
  const finiHooks: string[] = [];
  for (const [file, text] of texts) {
    if (readOnly.has(file)) continue;
    const planned = edits.filter((e) => e.file === file).map((e) => e.text).join('');
    const all = text + planned;
    // A sibling file of a multi-file extension module has one too, which its init<module> calls.
    if (coreFile(file) && all.includes(`void _PyGlobals_Init_${fileId(file)}(void)`)) coreInits.push(file);
    if (all.includes(`void _PyGlobals_Fini_${fileId(file)}(void)`)) finiHooks.push(file);
  }
  coreInits.sort();
  finiHooks.sort();
  const heapRelease = [...texts].some(([f, t]) => (t + edits.filter((e) => e.file === f).map((e) => e.text).join('')).includes('void\n_PyGlobals_HeapRelease(void)'));
  // A CPython tree (it has Modules/Setup.dist) gets the interpqueue module, built in, and the
  // process-wide queues under it; the fixture's small tree has no room for them.
  const queues = !extension && texts.has('Modules/Setup.dist');
  const generated = extension ? [] : [
    { path: 'Include/pyglobal.h', text: pyglobalHeader([...tlsDefines].sort(), { queues }) },
    { path: 'Python/pyglobal_init.c', text: initSource(coreInits, finiHooks, conditionOf(core), heapRelease) },
    { path: 'Include/pyglobal_libc.h', text: libcHeader(loadLibcRules(profile)) },
    { path: 'Python/pyglobal_libc.c', text: libcSource(projectRoot, profile) },
  ];
  if (queues) generated.push(...queueFiles(projectRoot));
  // The thread-local build has no thread module (--without-threads): Lib/thread.py gives it
  // locks and a clear error for new threads. A build with threads finds its built-in first.
  if (!extension && fs.existsSync(path.join(scan.root, 'Lib'))) {
    generated.push({ path: 'Lib/thread.py', text: profile.threadModule.map((f) => fs.readFileSync(path.join(projectRoot, f), 'latin1')).join('') });
  }
  // Nothing the plan writes may land outside the target's own files.
  const own = extension ? edits.filter((e) => !readOnly.has(e.file)) : edits;
  return { globals, edits: own, generated, moved, findings: extension ? findings.filter((f) => !readOnly.has(f.file)) : findings, coreInits, finiHooks };
}

function at(d: Declaration, ruleId: string, severity: Finding['severity'], message: string): Finding {
  return { file: d.file, line: d.line, column: d.column, ruleId, severity, message, name: d.name, function: d.function };
}

function moveProblem(g: Global, d: Declaration, text: string, included: boolean): string | undefined {
  if (g.function) return 'it is a function-local static';
  if (!d.specifiers || !d.declarator || !d.init) return 'its declaration was made by a macro';
  if (d.file.endsWith('.h') && !included) return 'it is defined in a header that no file of the tree includes';
  const decl = text.slice(d.declarator.start, d.declarator.end);
  if (/\[\s*\]/.test(decl) && elementCountText(text.slice(d.init.start, d.init.end)) === undefined) return 'its array size comes from an initializer with designators';
  const after = restOfLine(text, d.range.end);
  if (/\S/.test(after.replace(/\/\*.*?\*\//g, '').replace(/\/\*.*$/, '').replace(/\/\/.*$/, ''))) return 'more code follows the declaration on its line';
  return undefined;
}

const bodyKey = (b: MacroBodyInit) => `${b.body.file}@${b.body.start}`;

function moveBodyInits(
  globals: Global[],
  bodyMoves: Map<string, string[]>,
  texts: Map<string, string>,
  chain: Map<string, number>,
  moved: MovedInit[],
  findings: Finding[],
  needsHeader: Set<string>,
): Edit[] {
  const edits: Edit[] = [];
  const uses = new Map<string, { g: Global; d: Declaration }[]>();
  for (const g of globals) {
    const d = g.definition;
    if (d?.bodyInit && bodyMoves.has(bodyKey(d.bodyInit))) (uses.get(bodyKey(d.bodyInit)) ?? uses.set(bodyKey(d.bodyInit), []).get(bodyKey(d.bodyInit))!).push({ g, d });
  }
  for (const [key, all] of uses) {
    const refs = [...new Set(bodyMoves.get(key)!)];
    const { body } = all[0].d.bodyInit!;
    const bodyText = texts.get(body.file);
    const shared = all.find((u) => u.g.classification !== 'thread-local');
    const crowded = all.find((u) => /\S/.test(restOfLine(texts.get(u.d.file)!, afterUse(texts.get(u.d.file)!, u.d.bodyInit!.useEnd)).replace(/\/\*.*?\*\//g, '')));
    if (!bodyText || shared || crowded) {
      const u = shared ?? crowded ?? all[0];
      const why = shared ? `${shared.g.name}, declared by another use, is not thread-local` : crowded ? 'more code follows a use of the macro on its line' : 'the macro body is not in the tree';
      findings.push(at(u.d, 'cannot-move-initializer', 'error', `${u.g.name}: initializer in macro ${u.d.viaMacro} names thread-local ${refs.join(', ')} but cannot move: ${why}`));
      continue;
    }
    // Out of the body, keeping its line continuations so that line numbers stay.
    const gone = bodyText.slice(body.start, body.end);
    const keep = (gone.match(/\\\r?\n/g) ?? []).join(' ');
    edits.push({ file: body.file, start: body.start, end: body.end, text: `/* pyglobal: initializer runs per thread after each use */ ${keep}`, reason: `move the initializer out of macro ${all[0].d.viaMacro}` });
    for (const { g, d } of all) {
      const b = d.bodyInit!;
      const text = texts.get(d.file)!;
      const at = afterUse(text, b.useEnd);
      const tmpDecl = b.declarator.slice(0, b.nameAt) + '_pyglobal_tmp' + b.declarator.slice(b.nameAt + g.name.length);
      const fn = nextLink(d.file, text, chain);
      const code = `static void ${fn}(void)\n{\n\t${CHAIN}();\n\t{\n\t${b.spec.replace(/\bconst\b\s*/g, '')} ${tmpDecl} = ${b.text};\n\tmemcpy((void *)&${g.name}, (void *)&_pyglobal_tmp, sizeof _pyglobal_tmp);\n\t}\n}\n`;
      edits.push({ file: d.file, start: at, end: at, text: `\n/* pyglobal: generated. ${g.name} (${d.viaMacro}): its initializer names thread-local data, so it runs in each thread. */\n${code}#undef ${CHAIN}\n#define ${CHAIN} ${fn}`, reason: `run ${g.name}'s initializer per thread` });
      moved.push({ global: g.id, file: d.file, line: d.line, offset: d.offset, because: refs });
      needsHeader.add(d.file);
    }
  }
  return edits;
}

/** After a macro use's closing parenthesis and the ';' that may follow it. */
function afterUse(text: string, end: number): number {
  const m = /^[ \t]*;/.exec(text.slice(end, end + 80));
  return m ? end + m[0].length : end;
}

/** The name of the next function of a file's init chain, continuing an earlier apply's numbering. */
function nextLink(file: string, text: string, chain: Map<string, number>, prefix = '_pyglobal_init_'): string {
  const earlier = [...text.matchAll(new RegExp(`\\b${prefix}(\\d+)\\b`, 'g'))].map((m) => Number(m[1]));
  const n = Math.max(chain.get(file) ?? 0, ...earlier) + 1;
  chain.set(file, n);
  return `${prefix}${n}`;
}

function restOfLine(text: string, from: number): string {
  const nl = text.indexOf('\n', from);
  return text.slice(from, nl < 0 ? text.length : nl);
}

/**
 * Strips `= init` from the definition, sizes `[]` arrays, and right after the statement adds a
 * function that copies the original initializer text into the variable, chained to the file's
 * previous one through the _PYGLOBAL_CHAIN macro, so each lands inside the same #if as its variable.
 */
/** `&(a[i]) - k` (obmalloc's PTA): an address below an array, fine as a link-time constant, but
 *  gcc's -Warray-bounds flags the same arithmetic when it runs in a function. */
const BELOW_ELEMENT = /&\s*\(\s*[A-Za-z_]\w*\s*\[[^\]]*\]\s*\)\s*\)?\s*-/;

function moveEdits(g: Global, d: Declaration, text: string, chain: Map<string, number>, belowElement = false, prefix = '_pyglobal_init_'): Edit[] {
  const init = d.init!;
  const edits: Edit[] = [];
  // from the end of the declarator (just before ' = ') to the end of the initializer
  edits.push({ file: d.file, start: d.declarator!.end, end: init.end, text: '', reason: `move initializer of ${g.name}` });
  const declText = text.slice(d.declarator!.start, d.declarator!.end);
  const initText = text.slice(init.start, init.end);
  // Exactly the bytes taken from the definition (" = " and the initializer), so the move is
  // reversible from the output alone.
  const moved = text.slice(d.declarator!.end, init.end);
  const empty = /\[\s*\]/.exec(declText);
  if (empty) {
    const n = elementCountText(initText)!;
    const pos = d.declarator!.start + empty.index + 1;
    edits.push({ file: d.file, start: pos, end: pos, text: String(n), reason: `size of ${g.name}, which its initializer used to give` });
  }
  // Continue the numbering of an earlier apply's functions in this file.
  // A file included into another gets names of its own, so that the two never define one name.
  const fn = nextLink(d.file, text, chain, prefix);
  const nameRel = d.offset - d.declarator!.start;
  // The name as written: where a macro stands for it (numpy's PyArray_API), the macro's own
  // expansion in this unit names the right object, which a guess at the #if branch may not.
  const written = /^[A-Za-z_]\w*/.exec(text.slice(d.offset))?.[0] ?? g.name;
  const tmpDecl = declText.slice(0, nameRel) + '_pyglobal_tmp' + declText.slice(nameRel + written.length);
  // The type is repeated as written; an inline struct definition repeated in a block is a new,
  // layout-identical type, which is all memcpy needs.
  const spec = text.slice(d.specifiers!.start, d.specifiers!.end).replace(/\bconst\b\s*/g, '');
  const [quiet, loud] = belowElement
    ? [
        '#if defined(__GNUC__) && __GNUC__ >= 5 /* the original constant computes an address below an array */\n#pragma GCC diagnostic push\n#pragma GCC diagnostic ignored "-Warray-bounds"\n#endif\n',
        '#if defined(__GNUC__) && __GNUC__ >= 5\n#pragma GCC diagnostic pop\n#endif\n',
      ]
    : ['', ''];
  const code =
    `\n/* pyglobal: generated. ${g.name}'s initializer names thread-local data, so it runs in each thread. */\n` +
    quiet +
    `static void ${fn}(void)\n{\n\t${CHAIN}();\n\t{\n\t${spec} ${tmpDecl}${moved};\n\tmemcpy((void *)&${written}, (void *)&_pyglobal_tmp, sizeof _pyglobal_tmp);\n\t}\n}\n` +
    loud +
    `#undef ${CHAIN}\n#define ${CHAIN} ${fn}`;
  edits.push({ file: d.file, start: d.range.end, end: d.range.end, text: code, reason: `run ${g.name}'s initializer per thread` });
  return edits;
}

export function pyglobalHeader(tlsDefines: string[] = [], opts: { queues?: boolean } = {}): string {
  return `/* Include/pyglobal.h: generated by pyglobal apply. Do not edit; run apply again instead.

   PYGLOBAL marks every global of the interpreter as thread-local, so that each OS thread
   that calls PyGlobals_InitThread() and then Py_Initialize() owns a complete, isolated
   interpreter. Build the tree --without-threads: there is no GIL, and Python-level threads
   inside one interpreter are not supported (a new OS thread gets fresh copies).

   Windows: MSVC refuses dllimport/dllexport on thread-local data (C2492), so link the
   rewritten Python as a static library there.

   Host pattern, in each worker thread:
       PyGlobals_InitThread();  Py_Initialize();  ...  Py_Finalize();  PyGlobals_FiniThread();
*/
#ifndef Py_PYGLOBAL_H
#define Py_PYGLOBAL_H

#ifndef PYGLOBAL
#  if defined(PYGLOBAL_STOCK)
#    define PYGLOBAL /* stock-equivalent build: ordinary process-wide globals */
#  elif defined(_MSC_VER)
#    define PYGLOBAL __declspec(thread)
#  else
#    define PYGLOBAL __thread _PYGLOBAL_TLS_MODEL
#  endif
#endif

/* The TLS model of the core's own variables (Py_BUILD_CORE: never an extension module). Code
   built for an executable (no -fPIC, or -fPIE: the static libpython, python, pymt) can only
   land in the executable, so local-exec holds: %fs plus a link-time offset, the cheapest
   access. Code built -fPIC (--enable-shared) keeps the compiler's default, general-dynamic,
   which a dlopen'ed libpython needs; the build may choose initial-exec for it
   (PYGLOBAL_TLS_INITIAL_EXEC), valid while libpython is loaded at start-up, not dlopen'ed.
   Extensions keep the default: they are loaded with dlopen. */
#ifndef _PYGLOBAL_TLS_MODEL
#  if defined(Py_BUILD_CORE) && defined(__GNUC__) && !defined(PYGLOBAL_TLS_DEFAULT)
#    if defined(PYGLOBAL_TLS_INITIAL_EXEC)
#      define _PYGLOBAL_TLS_MODEL __attribute__((tls_model("initial-exec")))
#    elif (defined(__PIE__) || !defined(__PIC__)) && !defined(Py_ENABLE_SHARED)
#      define _PYGLOBAL_TLS_MODEL __attribute__((tls_model("local-exec")))
#    endif
#  endif
#  ifndef _PYGLOBAL_TLS_MODEL
#    define _PYGLOBAL_TLS_MODEL
#  endif
#endif

/* The interpreter's own heap: what pymalloc passes on to the C allocator, and PyMem_MALLOC,
   go through a per-thread list, so PyGlobals_FiniThread can release what Py_Finalize leaves. */
#if defined(PYGLOBAL_STOCK) || defined(PYGLOBAL_NO_HEAP)
#  define PyGlobals_MALLOC malloc
#  define PyGlobals_REALLOC realloc
#  define PyGlobals_FREE free
#else
#  include <stddef.h>
void *_PyGlobals_HeapMalloc(size_t n);
void *_PyGlobals_HeapRealloc(void *p, size_t n);
void _PyGlobals_HeapFree(void *p);
#  define PyGlobals_MALLOC _PyGlobals_HeapMalloc
#  define PyGlobals_REALLOC _PyGlobals_HeapRealloc
#  define PyGlobals_FREE _PyGlobals_HeapFree
#endif

/* A call at the top of a function body written as a declaration, for bodies whose later
   conditional groups declare variables (C89: no declaration after a statement). */
#if defined(__GNUC__)
#  define PYGLOBAL_ENTRY(name, call) int name __attribute__((unused)) = ((call), 0)
#else
#  define PYGLOBAL_ENTRY(name, call) int name = ((call), 0)
#endif

/* Thread-local twins of declaring macros, for the few such variables that code writes. */
${tlsDefines.join('\n')}

#ifdef __cplusplus
extern "C" {
#endif

/* Prepares the calling thread's copies of the interpreter's globals: runs every initializer
   that cannot be a link-time constant. Call it before Py_SetProgramName and Py_Initialize. */
void PyGlobals_InitThread(void);

/* Releases what the calling thread's interpreter still holds after Py_Finalize (2.4's
   allocator keeps its arenas forever otherwise). Call it after Py_Finalize. */
void PyGlobals_FiniThread(void);

#ifdef __cplusplus
}
#endif
${opts.queues ? '\n/* Process-wide named queues, for interpreters and the host: see pyglobal_queue.h. */\n#include "pyglobal_queue.h"\n' : ''}
#endif /* !Py_PYGLOBAL_H */
`;
}

function conditionOf(core: CoreRules): (file: string) => string | undefined {
  const m = new Map<string, string>();
  for (const f of core.files) if (typeof f !== 'string') m.set(f.file, f.if);
  return (file) => m.get(file);
}

export function initSource(coreInits: string[], finiHooks: string[], cond: (file: string) => string | undefined = () => undefined, heapRelease = false): string {
  const guarded = (file: string, line: string) => {
    const c = cond(file);
    return c ? [`#if ${c}`, line, '#endif'] : [line];
  };
  const lines = [
    '/* Python/pyglobal_init.c: generated by pyglobal apply. Do not edit; run apply again instead. */',
    '#include "Python.h"',
    '',
    ...coreInits.flatMap((f) => guarded(f, `void _PyGlobals_Init_${fileId(f)}(void); /* ${f} */`)),
    ...finiHooks.map((f) => `void _PyGlobals_Fini_${fileId(f)}(void); /* ${f} */`),
    ...(heapRelease ? ['#if !defined(PYGLOBAL_STOCK) && !defined(PYGLOBAL_NO_HEAP)', 'void _PyGlobals_HeapRelease(void); /* Objects/obmalloc.c, rules/hooks/obmalloc-heap.json */', '#endif'] : []),
    '',
    'void',
    'PyGlobals_InitThread(void)',
    '{',
    ...coreInits.flatMap((f) => guarded(f, `\t_PyGlobals_Init_${fileId(f)}();`)),
    '}',
    '',
    'void',
    'PyGlobals_FiniThread(void)',
    '{',
    ...finiHooks.map((f) => `\t_PyGlobals_Fini_${fileId(f)}();`),
    ...(heapRelease ? ['#if !defined(PYGLOBAL_STOCK) && !defined(PYGLOBAL_NO_HEAP)', '\t_PyGlobals_HeapRelease();', '#endif'] : []),
    '\tPyGlobals_LibcRelease(); /* Python/pyglobal_libc.c: this thread\'s buffers */',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** The texts of files (those the scan read already taken from `known`) and the build files the plan edits. */
export function readTexts(root: string, files: string[], abs?: (rel: string) => string, known?: ReadonlyMap<string, Lexed>): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of files) m.set(f, known?.get(f)?.source.text ?? readSource(root, f, abs?.(f)).text);
  for (const extra of ['Makefile.pre.in', 'Modules/Setup.dist']) if (fs.existsSync(path.join(root, extra))) m.set(extra, readSource(root, extra).text);
  return m;
}

/** The interpqueue module and the queues under it, as apply writes them into a CPython tree. */
function queueFiles(root: string): { path: string; text: string }[] {
  const read = (f: string) => fs.readFileSync(path.join(root, 'src/c', f), 'latin1');
  return [
    { path: 'Include/pyglobal_queue.h', text: read('pyglobal_queue.h') },
    { path: 'Python/pyglobal_queue.c', text: read('pyglobal_queue.c') },
    { path: 'Modules/interpqueuemodule.c', text: read('interpqueuemodule.c') },
  ];
}

/** interpqueue is built in (Modules/Setup.dist): one module object per process image, found by every interpreter. */
function setupEdits(texts: Map<string, string>): Edit[] {
  const t = texts.get('Modules/Setup.dist');
  if (t === undefined || /^interpqueue\s/m.test(t)) return [];
  const m = /^zipimport zipimport\.c[^\n]*\n/m.exec(t);
  if (!m) return [];
  const line = '\n# pyglobal: queues between the interpreters of one process (Python/pyglobal_queue.c).\ninterpqueue interpqueuemodule.c\n';
  return [{ file: 'Modules/Setup.dist', start: m.index + m[0].length, end: m.index + m[0].length, text: line, reason: 'build interpqueue into python' }];
}

/**
 * Statements for the top of a function body. Where a conditional group with a declaration
 * follows, they become one declaration (PYGLOBAL_ENTRY, pyglobal.h) so the body stays C89.
 */
function entryCode(entry: { declarationsFollow: boolean }, statements: string, name: string): string {
  if (!entry.declarationsFollow) return statements;
  const exprs = statements.split(';').map((x) => x.trim()).filter(Boolean);
  return `PYGLOBAL_ENTRY(${name}, (${exprs.join(', ')}));`;
}
