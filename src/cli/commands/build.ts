import path from 'node:path';
import type { Command } from './types.ts';
import { exitCodes } from '../errors.ts';
import { progress } from '../log.ts';
import { projectRoot } from '../../cpython2/target/tree.ts';
import { buildWindows, formatWindowsSummary, WindowsBuildFailed, type WinCompiler } from '../../cpython2/build/windows.ts';
import { UsageError } from '../../engine/errors.ts';
import { buildTree, BuildFailed, variants, sanitizers, tsanOpt, tsanDirName, type BuildProgress, type BuildSummary } from '../../cpython2/build.ts';

const intro = `Copy a CPython 2.4 tree to --out DIR, configure and build it there with today's gcc, and record what came out. <src> is never modified; the build happens in the copy.`;

const help = `Variants:
  stock  threads on, -DPYGLOBAL_STOCK: PYGLOBAL expands to nothing, so a rewritten tree builds
         exactly like the original. Also builds a pristine tree, as the reference build.
  tls    --without-threads, PYGLOBAL = __thread: one isolated interpreter per OS thread. Needs a
         tree rewritten by \`pyglobal apply\` (Include/pyglobal.h); also links the pymt driver
         (src/c/pymt.c) against libpython (the Makefile's LIBRARY: libpython2.4.a, libpython2.7.a)
         with -export-dynamic, when that source exists.

--sanitize thread (ThreadSanitizer; the tls variant is the one that matters, stock works too):
  BASECFLAGS gets -fsanitize=thread -g, the flags rules/tsan-suppressions.json lists with their
  reasons (-DPy_USING_MEMORY_DEBUGGER: obmalloc's address-in-range read becomes a function), and
  -include DIR/${tsanDirName}/prelude.h, which declares the functions those rules exempt from
  instrumentation (Py_ADDRESS_IN_RANGE, a deliberate read of memory obmalloc may not own) with
  no_sanitize_thread. So the core and every extension module are instrumented, and the flag
  check holds every compile to these flags. LDFLAGS=-fsanitize=thread goes to the links of
  python and the extension modules, the same flags to pymt's, with the libraries the rules
  list (-lcrypt: TSan's crypt() interceptor needs libcrypt loaded at start). Unless OPT is set in the
  environment, OPT="${tsanOpt}" (configure's own is -O3).
  Every instrumented program the build runs (configure's tests, pgen, python for setup.py)
  reports into DIR/${tsanDirName}/build.<pid>, not into the log, and keeps its own exit
  status; the summary counts those reports and says whether python and pymt load the
  runtime. Test the result with \`pyglobal test DIR --tsan\`.

Facts it applies, each measured on 2.4.6 with gcc 12 (DESIGN.md §3):
  BASECFLAGS=-fwrapv    2.4 relies on signed overflow wrapping; without it gcc 12 miscompiles
                        int arithmetic ((sys.maxint-1)**2 gives 4) and 8 more tests fail.
                        BASECFLAGS also reaches the extension modules built by setup.py; the
                        report checks that every compile line carries it.
  setarch --uname-2.6   configure names the platform after \`uname -r\`; on a 6.x kernel that is
                        linux6. Under a 2.6 uname it is linux2, what 2.4's Lib and tests expect.
  setup.cfg [build_ext] library_dirs=/usr/lib/<multiarch>: 2.4's setup.py does not search the
                        multiarch folder and silently drops zlib, bz2, readline and crypt.
  make -j<cores>        configure takes ~85 s and make ~80 s on 2 cores.

Output in DIR: the built tree (python, libpython2.x.a, build/lib.*/ *.so), pyglobal-build.log
(everything configure, make and setup.py printed) and pyglobal-build.json (the summary that
--json prints; audit and test read it to learn the variant). Progress goes to stderr.
Extension modules that setup.py skipped or failed are listed with the reason.

--target windows (the tls variant, or stock for the negative twin; src/cpython2/build/windows.ts):
  cross-builds the rewritten tree for 64-bit Windows: the files of PCbuild/pythoncore.vcproj
  minus thread support, plus apply's generated files, into DIR/libpython24.a (static: TLS data
  cannot cross a DLL boundary), and links DIR/pymt.exe (src/c/pymt_win.c, CreateThread). clang
  --target=x86_64-w64-mingw32 -fms-extensions with PYGLOBAL=__declspec(thread) (native TLS, as
  MSVC) when clang can target mingw, else x86_64-w64-mingw32-gcc with PYGLOBAL=__thread
  (emulated TLS); --cc picks one. Run: wine DIR/pymt.exe -n 2 -c CODE (Lib/ is found beside it).

Exit codes: 0 built · 2 bad input, or the build failed (the phase and the last 30 log lines
are printed).`;

export const buildCommand: Command = {
  builder: (y) =>
    y
      .usage(`pyglobal build <src> --variant stock|tls --out DIR [--target linux|windows] [--sanitize thread] [--force] [--json]\n\n${intro}`)
      .epilogue(help)
      .positional('src', { type: 'string', describe: 'the CPython 2.4 source tree to copy (required)' })
      .option('variant', {
        choices: variants,
        default: 'stock',
        describe: 'stock: threads, PYGLOBAL empty · tls: --without-threads, PYGLOBAL = __thread',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'folder to copy into and build in' })
      .option('sanitize', {
        type: 'string',
        describe: `build with a sanitizer: ${sanitizers.join(', ')} (-fsanitize=thread -g on every compile and link)`,
      })
      .option('force', { type: 'boolean', default: false, describe: 'replace an earlier pyglobal build in --out' })
      .option('jobs', { alias: 'j', type: 'number', describe: 'parallel make jobs (default: number of cores)' })
      .option('pymt', { type: 'string', describe: 'driver source for the tls variant (default: src/c/pymt.c)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON on stdout' })
      .option('target', { choices: ['linux', 'windows'], default: 'linux', describe: 'linux: configure and make here · windows: cross-build for x86_64-w64-mingw32 (see below)' })
      .option('cc', { choices: ['clang', 'gcc'], describe: '--target windows: force clang or mingw gcc (default: clang if it can target mingw)' })
      .example('pyglobal build Python-2.4.6 --out out/stock', 'the reference build (stock variant)')
      .example('pyglobal build out/rw --variant tls --out out/tls', 'the thread-local build of a tree rewritten by apply')
      .example('pyglobal build out/rw --out out/rw-stock --json', 'the rewritten tree with PYGLOBAL empty; JSON summary')
      .example('pyglobal build out/rw --variant tls --target windows --out out/win', 'the Windows build (static libpython24.a, pymt.exe) of a rewritten tree, for Wine')
      .example('pyglobal build out/rw --variant tls --sanitize thread --out out/tsan', 'the thread-local build under ThreadSanitizer, for pyglobal test out/tsan --tsan'),
  run: async (args) => {
    if (args.target === 'windows') {
      if (args.sanitize) throw new UsageError('--sanitize is not available with --target windows');
      try {
        const s = await buildWindows({
          src: args.src,
          out: args.out,
          variant: args.variant as 'tls' | 'stock',
          force: args.force,
          jobs: args.jobs,
          compiler: args.cc as WinCompiler | undefined,
          pymt: args.pymt,
          projectRoot,
        });
        process.stdout.write(args.json ? JSON.stringify(s, null, 2) + '\n' : formatWindowsSummary(s));
        return exitCodes.ok;
      } catch (e) {
        if (e instanceof WindowsBuildFailed && args.json) process.stdout.write(JSON.stringify(e.summary, null, 2) + '\n');
        throw e;
      }
    }
    const bar = progress('build');
    try {
      const summary = await buildTree(
        {
          src: args.src,
          variant: args.variant,
          sanitize: args.sanitize as BuildOptionsSanitize,
          out: args.out,
          force: args.force,
          jobs: args.jobs,
          extraSources: { pymt: args.pymt },
        },
        (p) => renderProgress(bar, p),
      );
      bar.done();
      process.stdout.write(args.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
      return exitCodes.ok;
    } catch (e) {
      bar.done();
      if (e instanceof BuildFailed && args.json) process.stdout.write(JSON.stringify(e.summary, null, 2) + '\n');
      throw e;
    }
  },
};

type BuildOptionsSanitize = Parameters<typeof buildTree>[0]['sanitize'];

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function renderProgress(bar: ReturnType<typeof progress>, p: BuildProgress): void {
  if (p.event === 'end') {
    bar.done(`${p.phase}: ${p.unit ? `${p.done} ${p.unit}` : 'done'} in ${(p.phaseMs / 1000).toFixed(1)}s`);
    return;
  }
  const count = p.expected ? `${p.done}/${p.expected}` : `${p.done}`;
  const parts = [`${p.phase} ${count} ${p.unit}`];
  if (p.current) parts.push(p.current.length > 50 ? '…' + p.current.slice(-49) : p.current);
  if (p.warnings || p.errors) parts.push(`${p.warnings} warnings, ${p.errors} errors`);
  parts.push(`${clock(p.phaseMs)} (total ${clock(p.totalMs)})`);
  bar.update(parts.join(' · '));
}

function formatTsanCheck(s: BuildSummary): string {
  const t = s.tsan!;
  const runtime = t.runtime.map((r) => `${r.program} ${r.linked ? 'loads' : 'does NOT load'} libtsan`).join(', ');
  const reports = t.reports
    ? `${t.reports} TSan reports from programs the build ran (${t.groups.slice(0, 3).map((g) => `${g.count}× ${g.key}`).join('; ')}${t.groups.length > 3 ? '; …' : ''})`
    : 'no TSan report from the programs the build ran';
  return `${runtime || 'no program checked'}; ${reports}; suppressions ${t.suppressionsFile}`;
}

export function formatSummary(s: BuildSummary): string {
  const d = s.durations;
  const phases = (
    [
      ['copy', d.copy],
      ['configure', d.configure],
      ['make core', d.makeCore],
      ['make extensions', d.makeExtensions],
      ['check', d.check],
      ['extras', d.extras],
    ] as const
  )
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}s`)
    .join(' · ');
  const rel = (t: string) => t.split(s.out + path.sep).join('');
  const failed = s.failedExtensions
    .map((f) => {
      const why = f.reason === 'not attempted' ? 'not attempted by setup.py' : `${f.reason}: ${rel(f.detail ?? '')}`;
      return `    ${f.name.padEnd(16)} ${why}${f.needs ? `\n${' '.repeat(21)}needs ${f.needs}` : ''}`;
    })
    .join('\n');
  const byPhase = Object.entries(s.warningsByPhase)
    .filter(([, n]) => n)
    .map(([p, n]) => `${p} ${n}`)
    .join(', ');
  const flags = s.flagCheck.missing.length
    ? `MISSING on ${s.flagCheck.missing.length} compiles (first: ${s.flagCheck.missing[0].object})`
    : `on all ${s.flagCheck.compiles} compiles`;
  const lines = [
    `built the ${s.variant} variant of CPython ${s.version}${s.rewritten ? ' (rewritten tree)' : ''} in ${s.out} (${clock(d.total * 1000)})`,
    `  python      ${s.python}  (sys.platform ${s.platform}, thread module ${s.threads ? 'present' : 'absent'})`,
    `  libpython   ${s.libpython}  (${s.coreObjects.compiled}${s.coreObjects.expected ? `/${s.coreObjects.expected}` : ''} core objects compiled)`,
    `  extensions  ${s.extensions.count} built in ${s.extensions.dir}`,
    `  not built   ${s.failedExtensions.length}${s.failedExtensions.length ? ':\n' + failed : ''}`,
    `  warnings    ${s.warnings}${byPhase ? ` (${byPhase})` : ''}; errors ${s.errors}`,
    `  flags       ${s.flagCheck.required.join(' ')} ${flags}`,
    `  sanitize    ${s.sanitize ?? 'none'}${s.tsan ? `: ${formatTsanCheck(s)}` : ''}`,
    ...s.extras.map((x) => `  ${x.name.padEnd(11)} ${x.status}: ${x.note}`),
    `  phases      ${phases}`,
    `  log         ${s.log}`,
    ...s.notes.map((n) => `  note: ${n}`),
  ];
  return lines.join('\n') + '\n';
}
