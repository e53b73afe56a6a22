// The audit reads real object files, so these tests compile small C sources with gcc into a
// temporary folder laid out like a CPython build: a Makefile with LIBRARY_OBJS, objects next to
// their sources, and an extension object under build/temp.x/ compiled from an absolute path.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditBuild, loadScan, type AuditResult } from '../../src/cpython2/audit.ts';
import { formatAuditText } from '../../src/cpython2/audit/format.ts';
import { expandMake, makeWords, parseMakeVars } from '../../src/cpython2/audit/makefile.ts';
import { parseReadelf } from '../../src/cpython2/audit/readelf.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { main } from '../../src/cli/main.ts';
import type { Classification, DeclKind, Global, ScanResult } from '../../src/engine/model.ts';

function hasTool(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tools = hasTool('gcc') && hasTool('readelf');
if (!tools) console.log('audit object-file tests skipped: gcc and readelf (binutils) are needed');

// ---------------------------------------------------------------------------------------------
// The fake build.

const sources: Record<string, string> = {
  'Objects/a.c': `
#include "a_db.h"
int g_counter = 1;                 /* .data, global */
static int s_zero;                 /* .bss, file-static */
static char doc[] = "hello";       /* .data, like PyDoc_STRVAR (gcc moves never-written statics to .rodata) */
const int ro = 3;                  /* .rodata: not writable */
static const char *const names[] = { "x", "y" };  /* .data.rel.ro with -fPIE/-fPIC */
static int unused_static = 4;      /* dropped by -O2 */
int f(int x) { static int calls; calls += x + s_zero + table[x & 3]++; return calls; }
int g(int x) { static int calls; calls -= x; doc[x & 3] = (char)x; return calls + names[x & 1][0] + doc[1]; }
int h(int x) { static int calls; calls ^= x; s_zero = x; return calls; }
`,
  'Objects/a_db.h': `static int table[4] = { 1, 2, 3, 4 };\n`,
  'Objects/b.c': `
__thread int tls_counter = 5;        /* .tdata */
static __thread char tls_buf[64];    /* .tbss */
int still_shared = 7;                /* .data: not made thread-local */
int tentative;                       /* COMMON with -fcommon */
int use_b(int x) { tls_buf[x & 63] = (char)x; tls_counter += x; tentative = x; return still_shared + tls_buf[0]; }
`,
  'Modules/config.c.in': `struct _inittab { const char *name; void (*init)(void); };
extern void initfoo(void);
struct _inittab _PyImport_Inittab[] = { { "foo", initfoo }, { 0, 0 } };
`,
  'Modules/ext.c': `
static int module_state;
static char ext_doc[] = "ext";
int initext(int x) { module_state += x; ext_doc[x & 1] = (char)x; return module_state + ext_doc[2]; }
`,
  // Like libffi's src/x86/ffi.c on x86_64: all of it #if'd out, so gcc writes no compile unit;
  // a second file of the same base name makes the STT_FILE symbol ambiguous.
  'Modules/_ffi/src/x86/ffi.c': `#if defined(PYGLOBAL_TEST_NEVER)\nint x86_state;\n#endif\n`,
  'Modules/_ffi/src/arm/ffi.c': `int arm_state;\n`,
};

let dir = '';
let tlsDir = '';

function writeTree(root: string): void {
  for (const [p, text] of Object.entries(sources)) {
    fs.mkdirSync(path.join(root, path.dirname(p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  }
  // As in CPython, Modules/config.c is generated from the template.
  fs.copyFileSync(path.join(root, 'Modules/config.c.in'), path.join(root, 'Modules/config.c'));
}

function compile(root: string, src: string, obj: string, extra: string[] = []): void {
  fs.mkdirSync(path.join(root, path.dirname(obj)), { recursive: true });
  execFileSync('gcc', ['-c', '-g', '-O2', ...extra, '-o', obj, src], { cwd: root, stdio: 'pipe' });
}

function makeBuild(root: string, withTls: boolean): void {
  writeTree(root);
  fs.writeFileSync(
    path.join(root, 'Makefile'),
    [
      '# a reduced CPython Makefile',
      'srcdir=\t\t.',
      'OBJECT_OBJS=\t\\',
      '\t\tObjects/a.o' + (withTls ? ' \\\n\t\tObjects/b.o' : ''),
      'MODULE_OBJS=\tModules/config.o',
      'LIBRARY_OBJS=\t$(OBJECT_OBJS) \\',
      '\t\t$(MODULE_OBJS)',
      'all:',
      '\t@echo LIBRARY_OBJS= not-a-variable-line',
      '',
    ].join('\n'),
  );
  compile(root, 'Objects/a.c', 'Objects/a.o');
  if (withTls) compile(root, 'Objects/b.c', 'Objects/b.o', ['-fcommon']);
  compile(root, 'Modules/config.c', 'Modules/config.o');
  // setup.py compiles extensions from absolute paths, with -fPIC.
  compile(root, path.join(root, 'Modules/ext.c'), 'build/temp.x/Modules/ext.o', ['-fPIC']);
  // 2.7's setup.py names sources absolutely, and distutils mirrors the path under build/temp.*.
  const ffi = path.join(root, 'Modules/_ffi/src/x86/ffi.c');
  compile(root, ffi, path.join('build/temp.x', ffi.replace(/\.c$/, '.o')), ['-fPIC']);
}

beforeAll(() => {
  if (!tools) return;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-audit-'));
  dir = path.join(base, 'stock');
  tlsDir = path.join(base, 'tls');
  makeBuild(dir, false);
  makeBuild(tlsDir, true);
});

afterAll(() => {
  if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// A hand-written scan.

let ord = 0;
function glob(
  name: string,
  file: string,
  o: { function?: string; kind?: DeclKind; classification?: Classification; linkage?: Global['linkage']; reason?: string } = {},
): Global {
  const kind = o.kind ?? 'definition';
  return {
    id: `${file}|${o.function ?? '-'}|${name}|${ord++}`,
    name,
    file,
    function: o.function,
    linkage: o.linkage ?? (o.function ? 'none' : 'internal'),
    definition:
      kind === 'extern'
        ? undefined
        : {
            file,
            line: 10 + ord,
            column: 1,
            name,
            offset: 0,
            scope: o.function ? 'function' : 'file',
            function: o.function,
            storage: 'static',
            kind,
            type: 'int',
            isConst: false,
            isArray: false,
            isPointer: false,
            insertAt: 0,
            range: { start: 0, end: 0 },
            sharedStatement: false,
      threadLocal: false,
          },
    declarations: [],
    classification: o.classification ?? 'thread-local',
    reason: o.reason ?? 'written at run time',
    reasonSource: 'test',
  };
}

function scanOf(globals: Global[], includes: Record<string, string[]> = { 'Objects/a.c': ['Objects/a_db.h'] }): ScanResult {
  const files = new Set([...globals.map((g) => g.file), ...Object.keys(includes), ...Object.values(includes).flat()]);
  return {
    tool: { name: 'pyglobal', version: 'test' },
    root: '.',
    files: [...files].map((p) => ({ path: p, bytes: 0, errorNodes: 0, missingNodes: 0, recovered: 0, includes: includes[p] ?? [] })),
    globals,
    libcCalls: [],
    findings: [],
    totals: {},
  };
}

/** Everything the fake stock build holds, as a correct scan would list it. */
function completeStockScan(): Global[] {
  return [
    glob('g_counter', 'Objects/a.c', { linkage: 'external' }),
    glob('s_zero', 'Objects/a.c', { kind: 'tentative' }),
    glob('doc', 'Objects/a.c', { classification: 'shared-immutable' }),
    glob('calls', 'Objects/a.c', { function: 'f' }),
    glob('calls', 'Objects/a.c', { function: 'g' }),
    glob('calls', 'Objects/a.c', { function: 'h' }),
    glob('table', 'Objects/a_db.h'),
    glob('_PyImport_Inittab', 'Modules/config.c.in', { linkage: 'external' }),
    glob('module_state', 'Modules/ext.c', { kind: 'tentative' }),
    glob('ext_doc', 'Modules/ext.c'),
  ];
}

const names = (syms: { symbol: string }[]) => syms.map((s) => s.symbol).sort();

// ---------------------------------------------------------------------------------------------

describe.skipIf(!tools)('auditBuild: inventory from the object files', () => {
  let r: AuditResult;
  beforeAll(async () => {
    r = await auditBuild(dir);
  });

  it('reads LIBRARY_OBJS through make variables and finds extension objects under build/temp.*', () => {
    expect(r.objects.map((o) => [o.object, o.part])).toEqual([
      ['Objects/a.o', 'libpython'],
      ['Modules/config.o', 'libpython'],
      ['build/temp.x/Modules/ext.o', 'extension'],
      [expect.stringMatching(/^build\/temp\.x\/.+\/Modules\/_ffi\/src\/x86\/ffi\.o$/), 'extension'],
    ]);
  });

  it('maps objects to sources: DWARF name, absolute paths made relative, config.c reported as config.c.in', () => {
    expect(r.objects.map((o) => [o.source, o.sourceFrom])).toEqual([
      ['Objects/a.c', 'dwarf'],
      ['Modules/config.c.in', 'dwarf'],
      ['Modules/ext.c', 'dwarf'],
      ['Modules/_ffi/src/x86/ffi.c', 'object-path'],
    ]);
    expect(r.warnings.filter((w) => /source not found/.test(w))).toEqual([]);
  });

  it('lists writable data only, strips .N from function-local statics, and keeps const data out', () => {
    const a = r.symbols.filter((s) => s.object === 'Objects/a.o');
    expect(a.map((s) => s.symbol.replace(/\.\d+$/, '.N')).sort()).toEqual(['calls.N', 'calls.N', 'calls.N', 'doc', 'g_counter', 's_zero', 'table']);
    const calls = a.filter((s) => s.name === 'calls');
    expect(calls).toHaveLength(3);
    expect(calls.every((s) => s.scope === 'function' && s.binding === 'LOCAL' && /^calls\.\d+$/.test(s.symbol))).toBe(true);
    expect(a.find((s) => s.name === 'g_counter')).toMatchObject({ scope: 'global', binding: 'GLOBAL', section: '.data', size: 4 });
    expect(a.find((s) => s.name === 's_zero')).toMatchObject({ scope: 'file', section: '.bss' });
    expect(a.find((s) => s.name === 'doc')).toMatchObject({ section: '.data', size: 6 });
    expect(r.symbols.some((s) => ['ro', 'names', 'unused_static'].includes(s.name))).toBe(false);
  });

  it('tallies by section, binding and directory, and counts .data.rel.ro apart', () => {
    const lib = r.inventory.libpython;
    expect(lib.objects).toBe(2);
    expect(lib.writable.symbols).toBe(8);
    expect(lib.byScope.global.symbols).toBe(2); // g_counter, _PyImport_Inittab
    expect(lib.byScope.function.symbols).toBe(3);
    expect(lib.byScope.file.symbols).toBe(3);
    expect(lib.byDirectory).toMatchObject({ Objects: { symbols: 7 }, Modules: { symbols: 1 } });
    expect(lib.bySection['.data.rel']?.symbols).toBe(1); // the inittab holds function addresses
    expect(r.inventory.total.writable.symbols).toBe(10);
    expect(r.inventory.total.relro.symbols).toBeGreaterThanOrEqual(r.inventory.extensions.relro.symbols);
    expect(r.inventory.total.tls).toEqual({ symbols: 0, bytes: 0 });
    expect(r.tlsBuild).toBe(false);
  });

  it('formats an inventory without a scan', () => {
    const text = formatAuditText(r);
    expect(text).toContain('no --scan given: inventory only.');
    expect(text).toMatch(/libpython\s+2\s+8\s/);
  });
});

describe.skipIf(!tools)('auditBuild: matching a stock build against a scan', () => {
  it('a complete scan matches every symbol: recall 1, nothing unaccounted', async () => {
    const r = await auditBuild(dir, scanOf([...completeStockScan(), glob('unused_static', 'Objects/a.c')]));
    expect(r.scan!.recall.overall).toEqual({ matched: 10, total: 10, recall: 1 });
    expect(r.scan!.missed).toEqual([]);
    expect(r.scan!.unaccounted).toBe(0);
    // Dropped by -O2: reported for information only.
    expect(r.scan!.dropped.map((g) => g.name)).toEqual(['unused_static']);
    expect(formatAuditText(r)).toContain('unaccounted: 0 (clean)');
  });

  it('counts with multiplicity: three calls.N symbols need three scanned calls', async () => {
    const globals = completeStockScan().filter((g) => !(g.name === 'calls' && g.function !== 'f'));
    const r = await auditBuild(dir, scanOf(globals));
    expect(r.scan!.missed.map((s) => s.name)).toEqual(['calls', 'calls']);
    expect(r.scan!.missed.every((s) => s.scope === 'function' && s.source === 'Objects/a.c')).toBe(true);
    expect(r.scan!.recall.libpython).toMatchObject({ matched: 6, total: 8 });
    expect(r.scan!.unaccounted).toBe(2);
  });

  it('data defined in a header belongs to the .c that includes it, transitively, and only then', async () => {
    const viaMid = await auditBuild(
      dir,
      scanOf(completeStockScan(), { 'Objects/a.c': ['Objects/mid.h'], 'Objects/mid.h': ['Objects/a_db.h'] }),
    );
    expect(viaMid.scan!.missed).toEqual([]);
    const notIncluded = await auditBuild(dir, scanOf(completeStockScan(), {}));
    expect(notIncluded.scan!.missed.map((s) => [s.object, s.source, s.symbol, s.section])).toEqual([
      ['Objects/a.o', 'Objects/a.c', 'table', '.data'],
    ]);
    expect(notIncluded.scan!.notBuilt).toBe(1);
  });

  it('an extern-only declaration is not a definition; a global of another file does not match', async () => {
    const globals = completeStockScan().filter((g) => g.name !== 'g_counter' && g.name !== 'module_state');
    globals.push(glob('g_counter', 'Objects/a.c', { kind: 'extern', linkage: 'external' }));
    globals.push(glob('module_state', 'Modules/other.c'));
    const r = await auditBuild(dir, scanOf(globals));
    expect(r.scan!.missed.map((s) => [s.object, s.symbol, s.binding])).toEqual([
      ['Objects/a.o', 'g_counter', 'GLOBAL'],
      ['build/temp.x/Modules/ext.o', 'module_state', 'LOCAL'],
    ]);
    expect(r.scan!.recall.extensions).toMatchObject({ matched: 1, total: 2 });
    const text = formatAuditText(r);
    expect(text).toContain('UNACCOUNTED: 2');
    expect(text).toMatch(/build\/temp\.x\/Modules\/ext\.o \(Modules\/ext\.c\)\n\s+module_state\s+\.bss/);
  });

  it('matches the generated config.c to globals scanned in config.c.in', async () => {
    const globals = completeStockScan().filter((g) => g.name !== '_PyImport_Inittab');
    const missing = await auditBuild(dir, scanOf(globals));
    expect(missing.scan!.missed.map((s) => [s.source, s.name])).toEqual([['Modules/config.c.in', '_PyImport_Inittab']]);
  });
});

describe.skipIf(!tools)('auditBuild: a thread-local build', () => {
  const tlsScan = (stillShared: Classification, tlsBuf: Classification = 'thread-local') =>
    scanOf([
      ...completeStockScan(),
      glob('tls_counter', 'Objects/b.c', { linkage: 'external' }),
      glob('tls_buf', 'Objects/b.c', { kind: 'tentative', classification: tlsBuf, reason: 'a constant table' }),
      glob('still_shared', 'Objects/b.c', { linkage: 'external', classification: stillShared, reason: 'set once at start-up under a lock' }),
      glob('tentative', 'Objects/b.c', { kind: 'tentative', linkage: 'external', classification: 'shared-process', reason: 'process-wide flag' }),
    ]);

  it('counts TLS apart as the per-thread footprint, and a COMMON symbol as writable', async () => {
    const r = await auditBuild(tlsDir);
    expect(r.tlsBuild).toBe(true);
    expect(r.inventory.total.tls).toEqual({ symbols: 2, bytes: 68 });
    const b = r.symbols.filter((s) => s.object === 'Objects/b.o');
    expect(b.filter((s) => s.kind === 'tls').map((s) => s.section).sort()).toEqual(['.tbss', '.tdata']);
    expect(b.find((s) => s.name === 'tentative')).toMatchObject({ kind: 'writable', section: 'COMMON' });
    expect(r.inventory.libpython.writable.symbols).toBe(10);
    expect(formatAuditText(r)).toContain('per-thread TLS footprint: 2 symbols, 68 B');
  });

  it('a writable symbol classified thread-local is a defect; shared ones are listed with their reason', async () => {
    const r = await auditBuild(tlsDir, tlsScan('thread-local'));
    const s = r.scan!;
    expect(s.missed).toEqual([]);
    expect(s.notTls.map((m) => m.symbol.symbol)).toContain('still_shared');
    expect(s.shared.find((m) => m.symbol.symbol === 'tentative')?.global.reason).toBe('process-wide flag');
    expect(s.unaccounted).toBe(s.notTls.length);
    expect(s.recall.overall.total).toBe(14); // 12 writable + 2 TLS
    const text = formatAuditText(r);
    expect(text).toContain('Not thread-local in the objects, but the scan classifies them thread-local');
    expect(text).toMatch(/still_shared\s+\.data\s+4 B\s+GLOBAL\s+global\s+scan: Objects\/b\.c:\d+:1 still_shared/);
  });

  it('accounts for a shared global, and flags TLS data the scan calls shared', async () => {
    const scan = tlsScan('shared-process', 'shared-immutable');
    // In the stock part of this build nothing was made thread-local: classify it shared too.
    for (const g of scan.globals) if (!g.file.endsWith('b.c')) g.classification = 'shared-process';
    const r = await auditBuild(tlsDir, scan);
    expect(r.scan!.notTls).toEqual([]);
    expect(r.scan!.unaccounted).toBe(0);
    expect(r.scan!.shared.find((m) => m.symbol.name === 'still_shared')?.global.reason).toBe('set once at start-up under a lock');
    expect(r.scan!.tlsButShared.map((m) => m.symbol.name)).toEqual(['tls_buf']);
  });

  it('takes the variant from pyglobal-build.json when there is no TLS symbol', async () => {
    fs.writeFileSync(path.join(dir, 'pyglobal-build.json'), JSON.stringify({ variant: 'tls' }));
    try {
      const r = await auditBuild(dir, scanOf(completeStockScan()));
      expect(r.variant).toBe('tls');
      expect(r.tlsBuild).toBe(true);
      // Everything in the fake stock build is classified thread-local, yet nothing is TLS.
      expect(r.scan!.notTls).toHaveLength(r.scan!.recall.overall.matched - 1); // doc is shared-immutable
    } finally {
      fs.rmSync(path.join(dir, 'pyglobal-build.json'));
    }
  });
});

describe.skipIf(!tools)('auditBuild and the CLI: bad input', () => {
  it('a folder without a Makefile is not a build', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-audit-empty-'));
    try {
      await expect(auditBuild(empty)).rejects.toThrow(/no Makefile/);
      await expect(auditBuild(empty)).rejects.toMatchObject({ hint: expect.stringContaining('run pyglobal build first') });
      fs.writeFileSync(path.join(empty, 'Makefile'), 'LIBRARY_OBJS= Objects/x.o\n');
      await expect(auditBuild(empty)).rejects.toThrow(/none of the 1 objects/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('an unreadable scan is bad input, with the parse error', () => {
    const f = path.join(dir, 'bad-scan.json');
    fs.writeFileSync(f, '{"globals": [');
    expect(() => loadScan(f)).toThrow(UsageError);
    expect(() => loadScan(f)).toThrow(/not valid JSON/);
    fs.writeFileSync(f, '{"globals": []}');
    expect(() => loadScan(f)).toThrow(/expected "globals" and "files"/);
  });

  it('exit codes: 0 inventory, 1 unaccounted, 0 clean, 2 bad input; --json prints JSON only', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => (out.push(String(s)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const good = path.join(dir, 'good-scan.json');
      const bad = path.join(dir, 'missing-scan.json');
      fs.writeFileSync(good, JSON.stringify(scanOf(completeStockScan())));
      fs.writeFileSync(bad, JSON.stringify(scanOf(completeStockScan().slice(1))));
      expect(await main(['audit', dir])).toBe(0);
      expect(await main(['audit', dir, '--scan', good])).toBe(0);
      out.length = 0;
      expect(await main(['audit', dir, '--scan', bad, '--json'])).toBe(1);
      expect(JSON.parse(out.join('')).scan.missed[0].name).toBe('g_counter');
      expect(await main(['audit', path.join(dir, 'nope')])).toBe(2);
      expect(await main(['audit', dir, '--scan', path.join(dir, 'nope.json')])).toBe(2);
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('make variables', () => {
  it('expands nested references, continuations, substitutions, and skips recipes and comments', () => {
    const vars = parseMakeVars(
      'A=\tx.o \\\n\ty.o # comment\nB= $(A) ${C}\nC= Python/$(D)\nD=dyn.o\nE= $(A:.o=.c)\n\techo F=1\nF+= g.o\n',
    );
    expect(makeWords(vars, 'B')).toEqual(['x.o', 'y.o', 'Python/dyn.o']);
    expect(makeWords(vars, 'E')).toEqual(['x.c', 'y.c']);
    expect(makeWords(vars, 'F')).toEqual(['g.o']);
    expect(expandMake('$$(A) $(UNKNOWN)z', vars)).toBe('$(A) z');
  });
});

describe('readelf output', () => {
  it('parses a single file (no File: header), hex sizes and flagless sections', () => {
    const text = [
      'Section Headers:',
      '  [Nr] Name              Type            Address          Off    Size   ES Flg Lk Inf Al',
      '  [ 0]                   NULL            0000000000000000 000000 000000 00      0   0  0',
      '  [ 3] .data             PROGBITS        0000000000000000 000040 0186a0 00  WA  0   0 32',
      '  [ 9] .debug_info       PROGBITS        0000000000000000 012970 015289 00      0   0  1',
      "Symbol table '.symtab' contains 2 entries:",
      '   Num:    Value          Size Type    Bind   Vis      Ndx Name',
      '     1: 0000000000000000 0x186a0 OBJECT  LOCAL  DEFAULT    3 big_table',
      '     2: 0000000000000000     8 OBJECT  LOCAL  DEFAULT    3 cache_str.12',
      'Contents of the .debug_info section:',
      ' <0><c>: Abbrev Number: 1 (DW_TAG_compile_unit)',
      '    <12>   DW_AT_name        : (indirect line string, offset: 0xf): Objects/x.c',
      '    <16>   DW_AT_comp_dir    : /build',
      ' <1><2a>: Abbrev Number: 2 (DW_TAG_typedef)',
      '    <2b>   DW_AT_name        : size_t',
    ].join('\n');
    const [o] = parseReadelf(text, ['Objects/x.o']);
    expect(o.sections.map((s) => [s.index, s.name, s.flags])).toEqual([
      [3, '.data', 'WA'],
      [9, '.debug_info', ''],
    ]);
    expect(o.symbols.map((s) => [s.name, s.size, s.ndx])).toEqual([
      ['big_table', 100000, '3'],
      ['cache_str.12', 8, '3'],
    ]);
    expect([o.cuName, o.cuDir]).toEqual(['Objects/x.c', '/build']);
  });
});

// ---------------------------------------------------------------------------------------------
// The real stock build: DESIGN §3's numbers, measured with gcc 12.2 on Debian 12.

const stock = process.env.PYGLOBAL_STOCK_BUILD;
if (!stock) console.log('real-build audit test skipped: set PYGLOBAL_STOCK_BUILD to a built stock CPython 2.4.6 tree');

describe.skipIf(!stock || !tools)('auditBuild on the real stock build', () => {
  it('reproduces the inventory of DESIGN §3', async () => {
    const r = await auditBuild(stock!);
    const lib = r.inventory.libpython;
    expect(lib.objects).toBe(94);
    expect(lib.writable).toEqual({ symbols: 1486, bytes: 190850 });
    expect([lib.byScope.global.symbols, lib.byScope.file.symbols, lib.byScope.function.symbols]).toEqual([137, 1170, 179]);
    expect(Object.fromEntries(Object.entries(lib.byDirectory).map(([k, v]) => [k, v.symbols]))).toEqual({
      Objects: 522,
      Python: 674,
      Modules: 249,
      Parser: 41,
    });
    expect(Object.keys(lib.bySection).sort()).toEqual(['.bss', '.data', '.data.rel', '.data.rel.local']);
    expect(r.inventory.extensions.objects).toBe(57);
    expect(r.inventory.extensions.writable.symbols).toBe(790);
    expect(r.inventory.total.tls.symbols).toBe(0);
    expect(r.objects.every((o) => o.sourceFrom === 'dwarf' && fs.existsSync(path.join(r.sourceRoot, o.source)))).toBe(true);
    expect(r.objects.find((o) => o.object === 'Modules/config.o')?.source).toBe('Modules/config.c.in');
    expect(r.objects.filter((o) => o.source.startsWith('Modules/cjkcodecs/')).length).toBe(7);
  });
});
