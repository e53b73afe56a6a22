// The TSan log reader on samples written for these tests, in the shapes gcc 12's libtsan
// prints: a race on a heap block, a use after free behind an interceptor frame, a race in the
// C library under our caller, a thread leak, a deadly signal, the matched-suppressions list.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupReports, parseFrame, parseTsanLog, readTsanLogs, resymbolize, summarizeLogs } from '../../src/cpython2/tsan/report.ts';
import { isOurFrame, ourFrames } from '../../src/cpython2/test/tsan-run.ts';
import { projectRoot } from '../../src/cpython2/target/tree.ts';

const race = (pid: number, line: number, other = 'PyGlobals_HeapMalloc Objects/obmalloc.c:1502') => `==================
WARNING: ThreadSanitizer: data race (pid=${pid})
  Read of size 8 at 0x7b4000001238 by thread T2:
    #0 _PyGlobals_HeapFree Objects/obmalloc.c:${line} (pymt+0x1a2b3c)
    #1 PyObject_Free Objects/obmalloc.c:807 (pymt+0x1a0f00)
    #2 dict_dealloc Objects/dictobject.c:762 (pymt+0x11e2a0)

  Previous write of size 8 at 0x7b4000001238 by thread T1:
    #0 ${other.split(' ')[0]} ${other.split(' ')[1]} (pymt+0x1a2c10)
    #1 PyObject_Malloc Objects/obmalloc.c:726 (pymt+0x1a0a11)

  Location is heap block of size 1040 at 0x7b4000001200 allocated by thread T1:
    #0 malloc ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:647 (libtsan.so.2+0x3b6f3)
    #1 _PyGlobals_HeapMalloc Objects/obmalloc.c:1500 (pymt+0x1a2c00)

  Thread T2 (tid=4242, running) created by main thread at:
    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)
    #1 run_round /work/main/src/c/pymt.c:760 (pymt+0x9a1b)

  Thread T1 (tid=4241, finished) created by main thread at:
    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)
    #1 run_round /work/main/src/c/pymt.c:760 (pymt+0x9a1b)

SUMMARY: ThreadSanitizer: data race Objects/obmalloc.c:${line} in _PyGlobals_HeapFree
==================
`;

const useAfterFree = `==================
WARNING: ThreadSanitizer: heap-use-after-free (pid=900)
  Write of size 8 at 0x7b0c00000010 by thread T3:
    #0 memset ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:799 (libtsan.so.2+0x3c1f2)
    #1 list_ass_slice Objects/listobject.c:590:3 (python+0x5f1e0)

  Previous write of size 8 at 0x7b0c00000010 by thread T1:
    #0 free ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:711 (libtsan.so.2+0x3a8a4)
    #1 list_dealloc Objects/listobject.c:274 (python+0x5d000)

SUMMARY: ThreadSanitizer: heap-use-after-free Objects/listobject.c:590:3 in list_ass_slice
==================
`;

const setlocale = `==================
WARNING: ThreadSanitizer: data race (pid=901)
  Write of size 8 at 0x7f3a1c0d2e40 by thread T2:
    #0 setlocale <null> (libc.so.6+0x3a4b1)
    #1 Py_InitializeEx Python/pythonrun.c:239 (pymt+0x2f1a0)
    #2 pymt_thread /work/main/src/c/pymt.c:612 (pymt+0x8c00)

  Previous read of size 8 at 0x7f3a1c0d2e40 by thread T1:
    #0 <null> <null> (libc.so.6+0x3a9c0)
    #1 Py_InitializeEx Python/pythonrun.c:252 (pymt+0x2f1f0)

  Location is global '_nl_global_locale' of size 232 at 0x7f3a1c0d2e20 (libc.so.6+0x1d2e40)

SUMMARY: ThreadSanitizer: data race (/lib/x86_64-linux-gnu/libc.so.6+0x3a4b1) in setlocale
==================
`;

const leakAndCounts = `==================
WARNING: ThreadSanitizer: thread leak (pid=902)
  Thread T5 (tid=5000, finished) created by main thread at:
    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)
    #1 start_round /work/main/src/c/pymt.c:700 (pymt+0x9000)
    #2 main /work/main/src/c/pymt.c:1050 (pymt+0xa000)

SUMMARY: ThreadSanitizer: thread leak /work/main/src/c/pymt.c:700 in start_round
==================
ThreadSanitizer: reported 1 warnings
ThreadSanitizer: Matched 173 suppressions (pid=902):
171 race_top:Py_ADDRESS_IN_RANGE
2 called_from_lib:libreadline.so.8
`;

const segv = `ThreadSanitizer:DEADLYSIGNAL
==26390==ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000010 (pc 0x564b37b96869 bp 0x00000000004c sp 0x7fff59d728b0 T26390)
==26390==The signal is caused by a READ memory access.
==26390==Hint: address points to the zero page.
    #0 PyObject_Malloc Objects/obmalloc.c:625 (pgen+0x7869)
    #1 fixstate Parser/acceler.c:71 (pgen+0x26e4)
    #2 __libc_start_main_impl ../csu/libc-start.c:360 (libc.so.6+0x27304)
    #3 0x55d2c0a01234 (<unknown module>)

ThreadSanitizer can not provide additional info.
SUMMARY: ThreadSanitizer: SEGV Objects/obmalloc.c:625 in PyObject_Malloc
==26390==ABORTING
`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-tsan-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parseFrame', () => {
  it('reads function, file, line, column and module', () => {
    expect(parseFrame('    #1 list_ass_slice Objects/listobject.c:590:3 (python+0x5f1e0)')).toEqual({
      index: 1,
      function: 'list_ass_slice',
      file: 'Objects/listobject.c',
      line: 590,
      column: 3,
      module: 'python',
      offset: 0x5f1e0,
    });
    expect(parseFrame('    #0 setlocale <null> (libc.so.6+0x3a4b1)')).toMatchObject({ function: 'setlocale', file: null, line: null, module: 'libc.so.6' });
    expect(parseFrame('    #3 0x55d2c0a01234 (<unknown module>)')).toMatchObject({ index: 3, function: '0x55d2c0a01234', module: null });
    expect(parseFrame('  Location is heap block of size 1040 at 0x7b4000001200 allocated by thread T1:')).toBeUndefined();
  });
});

describe('parseTsanLog', () => {
  it('reads a race: kind, pid, stacks, location, summary, and the first frame in our code on each side', () => {
    const log = parseTsanLog(race(4242, 1470), 'tsan.4242');
    expect(log.reports).toHaveLength(1);
    const r = log.reports[0];
    expect(r).toMatchObject({ kind: 'data race', pid: 4242, source: 'tsan.4242' });
    expect(r.summary).toBe('data race Objects/obmalloc.c:1470 in _PyGlobals_HeapFree');
    expect(r.location).toMatch(/^Location is heap block of size 1040/);
    expect(r.stacks.map((s) => s.title.split(' ')[0])).toEqual(['Read', 'Previous', 'Location', 'Thread', 'Thread']);
    expect(r.site).toMatchObject({ function: '_PyGlobals_HeapFree', file: 'Objects/obmalloc.c', line: 1470 });
    expect(r.otherSite).toMatchObject({ function: 'PyGlobals_HeapMalloc', line: 1502 });
  });

  it('skips interceptor and C-library frames to the first frame of the build', () => {
    const uaf = parseTsanLog(useAfterFree).reports[0];
    expect(uaf.kind).toBe('heap-use-after-free');
    expect(uaf.site).toMatchObject({ function: 'list_ass_slice', line: 590, column: 3 });
    expect(uaf.otherSite).toMatchObject({ function: 'list_dealloc', line: 274 });
    const loc = parseTsanLog(setlocale).reports[0];
    expect(loc.site).toMatchObject({ function: 'Py_InitializeEx', file: 'Python/pythonrun.c', line: 239 });
    expect(loc.otherSite).toMatchObject({ function: 'Py_InitializeEx', line: 252 });
    expect(loc.location).toMatch(/_nl_global_locale/);
  });

  it('counts matched suppressions and TSan\'s own warning count; a thread leak is a report', () => {
    const log = parseTsanLog(leakAndCounts);
    expect(log.reports.map((r) => r.kind)).toEqual(['thread leak']);
    // pymt.c is ours through isOurFrame (an absolute path under the project), not by default.
    expect(log.reports[0].site).toMatchObject({ function: 'pthread_create' });
    const mine = parseTsanLog(leakAndCounts.replaceAll('/work/main', projectRoot), 'x', { isOurs: isOurFrame });
    expect(mine.reports[0].site).toMatchObject({ function: 'start_round', line: 700 });
    expect(log.reportedWarnings).toBe(1);
    expect(log.matched).toEqual([
      { key: 'race_top:Py_ADDRESS_IN_RANGE', count: 171 },
      { key: 'called_from_lib:libreadline.so.8', count: 2 },
    ]);
  });

  it('reads a deadly signal as a report with its stack', () => {
    const log = parseTsanLog(segv);
    expect(log.reports).toHaveLength(1);
    expect(log.reports[0]).toMatchObject({ kind: 'SEGV on unknown address', pid: 26390 });
    expect(log.reports[0].site).toMatchObject({ function: 'PyObject_Malloc', line: 625 });
    expect(log.fatal).toEqual([]);
  });

  it('keeps fatal runtime errors apart from reports', () => {
    const log = parseTsanLog('FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000100000\n');
    expect(log.reports).toEqual([]);
    expect(log.fatal).toEqual(['FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000100000']);
  });

  it('reads several reports in one file, and one cut off without its closing line', () => {
    const text = race(1, 1470) + useAfterFree + setlocale.split('SUMMARY')[0];
    expect(parseTsanLog(text).reports.map((r) => r.kind)).toEqual(['data race', 'heap-use-after-free', 'data race']);
  });
});

describe('groupReports and summarizeLogs', () => {
  it('groups by kind and first frame in our code, counts, and lists the other sides', () => {
    const logs = [
      parseTsanLog(race(1, 1470) + race(1, 1470, '_pyglobal_unlink Objects/obmalloc.c:1480'), 'tsan.1'),
      parseTsanLog(race(2, 1470) + race(2, 1540) + setlocale, 'tsan.2'),
    ];
    const groups = groupReports(logs.flatMap((l) => l.reports));
    expect(groups.map((g) => [g.key, g.count])).toEqual([
      ['data race in _PyGlobals_HeapFree Objects/obmalloc.c:1470', 3],
      ['data race in Py_InitializeEx Python/pythonrun.c:239', 1],
      ['data race in _PyGlobals_HeapFree Objects/obmalloc.c:1540', 1],
    ]);
    expect(groups[0].others).toEqual([
      { where: 'Objects/obmalloc.c:1502', function: 'PyGlobals_HeapMalloc', count: 2 },
      { where: 'Objects/obmalloc.c:1480', function: '_pyglobal_unlink', count: 1 },
    ]);
    expect(groups[0].examples).toEqual(['tsan.1', 'tsan.2']);
  });

  it('adds suppression counts over logs, names the stale ones and the ones not reviewed', () => {
    const logs = [parseTsanLog(leakAndCounts, 'a'), parseTsanLog('ThreadSanitizer: Matched 5 suppressions (pid=3):\n5 race_top:Py_ADDRESS_IN_RANGE\n', 'b')];
    const s = summarizeLogs(logs, ['race_top:Py_ADDRESS_IN_RANGE', 'race:never_seen']);
    expect(s.suppressions).toEqual([
      { key: 'race_top:Py_ADDRESS_IN_RANGE', count: 176 },
      { key: 'race:never_seen', count: 0 },
    ]);
    expect(s.stale).toEqual(['race:never_seen']);
    expect(s.unknownMatched).toEqual([{ key: 'called_from_lib:libreadline.so.8', count: 2 }]);
    expect(s).toMatchObject({ logs: 2, reports: 1 });
  });
});

describe('resymbolize', () => {
  it('fills in the frames TSan left unnamed in a dlopened module, then recomputes the sites', () => {
    const text = `==================
WARNING: ThreadSanitizer: data race (pid=5)
  Write of size 8 at 0x7f7821987e18 by thread T2:
    #0 <null> <null> (readline.so+0x4d68)
    #1 _PyImport_LoadDynamicModule Python/importdl.c:53 (pymt+0xe5274)

  Previous write of size 8 at 0x7f7821987e18 by thread T1:
    #0 <null> <null> (libreadline.so.8+0x3b245)
    #1 _PyImport_LoadDynamicModule Python/importdl.c:53 (pymt+0xe5274)

SUMMARY: ThreadSanitizer: data race (build/lib.linux-x86_64-2.4/readline.so+0x4d68)
==================
`;
    const logs = [parseTsanLog(text)];
    expect(logs[0].reports[0].site).toMatchObject({ function: '_PyImport_LoadDynamicModule' });
    const asked: string[] = [];
    resymbolize(logs, (mod, offsets) => {
      asked.push(`${mod} ${offsets.map((o) => o.toString(16)).join(',')}`);
      return mod === 'readline.so' ? new Map([[0x4d68, { function: 'setup_readline', file: 'Modules/readline.c', line: 700 }]]) : new Map();
    });
    expect(asked).toEqual(['readline.so 4d68', 'libreadline.so.8 3b245']);
    const r = logs[0].reports[0];
    expect(r.site).toMatchObject({ function: 'setup_readline', file: 'Modules/readline.c', line: 700 });
    expect(r.otherSite).toMatchObject({ function: '_PyImport_LoadDynamicModule' }); // the C library's frame stays unnamed
    const g = groupReports(logs[0].reports)[0];
    expect(g.key).toBe('data race in setup_readline Modules/readline.c:700');
    expect(g.top).toBeNull(); // the top frame is the site
  });

  it('a group names the reported access\'s top frame when it is not in our code', () => {
    const g = groupReports(parseTsanLog(setlocale).reports)[0];
    expect(g.top).toBe('setlocale in libc.so.6');
  });
});

describe('ourFrames', () => {
  it('with a build folder, a relative name is ours only when the file is in the tree (glibc names its sources relatively too)', () => {
    const build = fs.mkdtempSync(path.join(tmp, 'build-'));
    fs.mkdirSync(path.join(build, 'Python'));
    fs.writeFileSync(path.join(build, 'Python', 'pythonrun.c'), '');
    const glibc = `==================
WARNING: ThreadSanitizer: data race (pid=7)
  Write of size 8 at 0x7b0400001000 by thread T2:
    #0 free ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:706 (libtsan.so.2+0x47e82)
    #1 setname locale/setlocale.c:199 (libc.so.6+0x32681)
    #2 Py_InitializeEx Python/pythonrun.c:239 (pymt+0xefaf9)

SUMMARY: ThreadSanitizer: data race locale/setlocale.c:199 in setname
==================
`;
    expect(parseTsanLog(glibc).reports[0].site).toMatchObject({ function: 'setname' });
    expect(parseTsanLog(glibc, 'x', { isOurs: ourFrames(build) }).reports[0].site).toMatchObject({ function: 'Py_InitializeEx', line: 239 });
  });
});

describe('readTsanLogs', () => {
  it('reads every <prefix>.<pid> file in pid order and nothing else', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'logs-'));
    fs.writeFileSync(path.join(dir, 'tsan.20'), setlocale);
    fs.writeFileSync(path.join(dir, 'tsan.3'), useAfterFree);
    fs.writeFileSync(path.join(dir, 'tsan.txt'), race(9, 1));
    fs.writeFileSync(path.join(dir, 'other.4'), race(9, 1));
    const logs = readTsanLogs(path.join(dir, 'tsan'));
    expect(logs.map((l) => path.basename(l.reports[0].source))).toEqual(['tsan.3', 'tsan.20']);
    expect(readTsanLogs(path.join(dir, 'missing', 'tsan'))).toEqual([]);
  });
});
