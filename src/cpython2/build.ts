// Builds a copy of a CPython 2.4 tree the way DESIGN.md §3 says it must be built on a modern
// Linux with gcc 12: -fwrapv, configure under a 2.6 uname (sys.platform linux2), and the
// multiarch library folder in setup.cfg. Two variants: stock (threads, PYGLOBAL empty) and tls
// (--without-threads, PYGLOBAL = __thread). Returns a summary that is also written beside the build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { openTree, projectRoot } from './target/tree.ts';
import { checkOutDir, prepareOutDir, logName, summaryName } from './build/outdir.ts';
import { mergeLibraryDir } from './build/setupcfg.ts';
import { libraryName } from './build/library.ts';
import { planKeptGenerated } from './build/generated.ts';
import { runLogged, openLog, writeLog, closeLog, logTail, which, capture } from './build/run.ts';
import { LogTally, startsExtensionBuild, compilesMissingFlags, parseCompileLine } from './build/logscan.ts';
import { expectedExtensions, builtinsFromModobjs, extensionNeeds, setupReportNotes, type ExtensionCandidate } from './build/extensions.ts';
import type { SetupReport } from './build/logscan.ts';
import { profileFile, type Profile } from './profile.ts';
import { buildExtras, type ExtraResult } from './build/extras.ts';
import { linkModelFlags, sharedEnv, type LinkModel } from './build/linkmodel.ts';
import { loadTsanRules, preludeText, suppressionsText, tsanOptions, defaultTsanRulesFile, suppressionKey } from './tsan/rules.ts';
import { readTsanLogs, summarizeLogs, type TsanGroup } from './tsan/report.ts';

export type Variant = 'stock' | 'tls';
export const variants: Variant[] = ['stock', 'tls'];

/** --sanitize values; ThreadSanitizer only, for now. */
export type Sanitizer = 'thread';
export const sanitizers: Sanitizer[] = ['thread'];

/** Where a sanitized build keeps TSan's suppressions file and the reports of its own runs. */
export const tsanDirName = 'pyglobal-tsan';

/**
 * OPT for a TSan build when the environment does not set one: configure's own
 * "-g -O3 -Wall -Wstrict-prototypes" with -O1, the level TSan's documentation suggests for
 * usable stacks (less inlining). Measured on 2.4.6 here (2 cores, tls variant): under TSan
 * -O1 and -O3 run alike (pystone 14.4k vs 13.8k, 20 stress rounds x 2 interpreters 16.5 s
 * vs 16.0 s), and -O1 compiles faster (make 28 s vs 46 s). -g keeps file:line in the stacks.
 */
export const tsanOpt = '-g -O1 -Wall -Wstrict-prototypes';

export type Phase = 'copy' | 'configure' | 'make core' | 'make extensions' | 'check' | 'extras';

export interface BuildOptions {
  /** The tree to copy; required (the bundled fixture is not a buildable tree). */
  src: string | undefined;
  variant: Variant;
  out: string;
  /** Build with a sanitizer (thread: -fsanitize=thread on every compile and on the links). */
  sanitize?: Sanitizer | null;
  /** rules/tsan-suppressions.json or another file of the same form (sanitize: thread). */
  tsanRulesFile?: string;
  /** Replace an earlier pyglobal build in `out`. */
  force?: boolean;
  /** make -j; defaults to the number of cores. */
  jobs?: number;
  /** Source overrides for extra products, by name (e.g. { pymt: 'driver.c' }). */
  extraSources?: Record<string, string | undefined>;
  /** Environment for the build commands; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** static (default): libpython2.x.a; or a shared libpython and its TLS model (build/linkmodel.ts). */
  link?: LinkModel;
}

export interface BuildProgress {
  phase: Phase;
  event: 'start' | 'update' | 'end';
  /** Units done in this phase: files copied, configure checks, objects compiled, modules. */
  done: number;
  /** How many are expected, when it can be known beforehand (an upper bound for configure). */
  expected?: number;
  unit: string;
  current?: string;
  phaseMs: number;
  totalMs: number;
  warnings: number;
  errors: number;
}

export interface FailedExtension {
  name: string;
  /** compile: setup.py tried and the compiler failed; import: built but would not import;
   *  not attempted: setup.py did not find what the module needs and skipped it silently. */
  reason: 'compile' | 'import' | 'not attempted';
  detail?: string;
  needs?: string;
}

export interface BuildSummary {
  schema: 1;
  status: 'ok' | 'failed';
  failedPhase?: Phase;
  error?: string;
  variant: Variant;
  /** How libpython is linked (build/linkmodel.ts); a shared build's python needs LD_LIBRARY_PATH=<out>. */
  link?: LinkModel;
  /** thread: built with -fsanitize=thread (pyglobal test --tsan needs it); null otherwise. */
  sanitize: Sanitizer | null;
  src: string;
  out: string;
  version: string;
  /** Include/pyglobal.h is present: the tree was rewritten by pyglobal apply. */
  rewritten: boolean;
  configure: { args: string[]; basecflags: string; ldflags: string | null; threads: boolean; uname: string };
  jobs: number;
  gcc: string | null;
  /** Seconds per phase; phases that did not run are absent. */
  durations: {
    copy?: number;
    configure?: number;
    makeCore?: number;
    makeExtensions?: number;
    check?: number;
    extras?: number;
    total: number;
  };
  libpython: string | null;
  python: string | null;
  /** sys.platform of the built python (linux2 when configure ran under the 2.6 uname). */
  platform: string | null;
  /** The built python has the thread module (stock: yes, tls: no). */
  threads: boolean | null;
  coreObjects: { compiled: number; expected: number | null };
  extensions: { count: number; names: string[]; dir: string | null };
  failedExtensions: FailedExtension[];
  /** Every compile command must carry these flags; lists the objects compiled without them. */
  flagCheck: { required: string[]; compiles: number; missing: { object: string; missing: string[] }[] };
  /** A sanitized build: which programs link the runtime, and what TSan said while building. */
  tsan?: TsanBuildCheck;
  warnings: number;
  errors: number;
  warningsByPhase: Partial<Record<Phase, number>>;
  /**
   * Every warning that names a file, by file (relative to out when inside it, "./" dropped) and
   * text without its line and column, with how often it was printed: two builds of one tree
   * (stock and tls, say) compare by file + text, whatever the line numbers and the build folder.
   * Sorted by file, then text.
   */
  warningsByFile: Record<string, Record<string, number>>;
  extras: ExtraResult[];
  notes: string[];
  log: string;
  startedAt: string;
}

export interface TsanBuildCheck {
  rulesFile: string;
  suppressionsFile: string;
  /** The header every compile includes first (-include): the uninstrumented functions; null if none. */
  prelude: string | null;
  /** TSAN_OPTIONS of every instrumented program the build ran (configure's tests, pgen, python). */
  options: string;
  /** Each linked program and whether it loads the TSan runtime (readelf -d: libtsan NEEDED). */
  runtime: { program: string; linked: boolean }[];
  /** Reports TSan wrote while the build ran them (single-threaded programs: few or none). */
  reports: number;
  groups: TsanGroup[];
  logPrefix: string;
}

/** A build that started and failed: exit 2, naming the phase, with the end of the log. */
export class BuildFailed extends UsageError {
  constructor(
    readonly phase: Phase,
    message: string,
    readonly summary: BuildSummary,
    readonly tail: string[],
  ) {
    super(
      `build failed in phase "${phase}": ${message}\nfull log: ${summary.log}`,
      tail.length ? `last ${tail.length} lines of the log:\n${tail.join('\n')}` : undefined,
    );
    this.name = 'BuildFailed';
  }
}

const durationKey: Record<Phase, keyof BuildSummary['durations']> = {
  copy: 'copy',
  configure: 'configure',
  'make core': 'makeCore',
  'make extensions': 'makeExtensions',
  check: 'check',
  extras: 'extras',
};

/** Validates everything that can be checked without writing; throws UsageError (exit 2). */
export function checkBuildInput(opts: BuildOptions): { root: string; version: string; rewritten: boolean; profile: Profile } {
  if (opts.src === undefined || opts.src === '') {
    throw new UsageError(
      'build needs <src>, the CPython 2.4 tree to build',
      'The bundled fixture mimics the layout for scan/apply but has no configure or Makefile, so it cannot be built.',
    );
  }
  if (!variants.includes(opts.variant)) {
    throw new UsageError(`unknown variant "${opts.variant}"; choose stock or tls`);
  }
  if (opts.sanitize !== undefined && opts.sanitize !== null && !sanitizers.includes(opts.sanitize)) {
    throw new UsageError(
      `--sanitize ${JSON.stringify(opts.sanitize)}: unknown sanitizer; choose ${sanitizers.join(', ')}`,
      'Only ThreadSanitizer is supported for now: --sanitize thread.',
    );
  }
  if (!opts.out) throw new UsageError('build needs --out DIR, the folder to copy the tree into and build');
  if (opts.sanitize) {
    loadTsanRules(opts.tsanRulesFile ?? defaultTsanRulesFile);
    // The prelude's path goes into BASECFLAGS, which the Makefile and distutils split on blanks.
    if (/\s/.test(path.resolve(opts.out)))
      throw new UsageError(`--out ${opts.out}: a sanitized build needs a folder path without blanks (it goes into BASECFLAGS)`);
  }
  const tree = openTree(opts.src);
  if (tree.fixture) {
    throw new UsageError(
      `${tree.root}: this is the bundled fixture, not a buildable CPython tree`,
      'Point build at a real CPython 2.4 source tree (or at the output of pyglobal apply).',
    );
  }
  for (const f of ['configure', 'Makefile.pre.in', 'setup.py']) {
    if (!fs.existsSync(path.join(tree.root, f))) {
      throw new UsageError(`${tree.root}: not a buildable CPython source tree (${f} is missing)`);
    }
  }
  const rewritten = fs.existsSync(path.join(tree.root, 'Include/pyglobal.h'));
  if (opts.variant === 'tls' && !rewritten) {
    throw new UsageError(
      `${tree.root}: the tls variant needs a rewritten tree, and this one has no Include/pyglobal.h`,
      'Run `pyglobal apply <src> --out <rewritten>` first and build that; a tls build of a pristine tree ' +
        'would be a plain --without-threads build with every global still shared.',
    );
  }
  if (opts.jobs !== undefined && (!Number.isInteger(opts.jobs) || opts.jobs < 1)) {
    throw new UsageError(`--jobs must be a positive integer, not ${opts.jobs}`);
  }
  checkOutDir(path.resolve(opts.out), tree.root, opts.force ?? false);
  return { root: tree.root, version: tree.version, rewritten, profile: tree.profile };
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

export async function buildTree(
  opts: BuildOptions,
  onProgress: (p: BuildProgress) => void = () => {},
): Promise<BuildSummary> {
  const t0 = Date.now();
  const { root: src, version, rewritten, profile } = checkBuildInput(opts);
  // How this version builds on today's Linux and gcc: the profile's build facts, each with its reason.
  const facts = profile.build;
  const out = path.resolve(opts.out);
  const link = linkModelFlags(opts.link ?? 'static');
  const baseEnv: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), LC_ALL: 'C', LANG: 'C' };
  const env: NodeJS.ProcessEnv = link.shared ? sharedEnv(baseEnv, out) : baseEnv;
  // The built python must not pick up a host Python's settings (setup.py passes -E; so do we).
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  // configure and distutils honour these, so a stray CFLAGS changes the build: say so.
  const inherited = ['CC', 'CFLAGS', 'CPPFLAGS', 'LDFLAGS', 'OPT', 'LDSHARED', 'MAKEFLAGS'].filter((v) => env[v]);

  const missingTools: string[] = [];
  for (const t of ['gcc', 'make', 'setarch']) if (!(await which(t, env))) missingTools.push(t);
  if (missingTools.length) {
    throw new UsageError(
      `build needs ${missingTools.join(', ')} on PATH`,
      'setarch comes with util-linux; gcc and make with build-essential.',
    );
  }

  if (opts.sanitize) await checkSanitizer(opts.sanitize, env);

  const jobs = opts.jobs ?? os.availableParallelism();
  const stock = opts.variant === 'stock';
  const sanitize = opts.sanitize ?? null;
  const tsanRules = sanitize ? loadTsanRules(opts.tsanRulesFile ?? profileFile(profile, 'tsan-suppressions.json')) : null;
  // -fsanitize=thread and -g go in BASECFLAGS, so they reach setup.py's compiles too and the
  // flag check below holds every compile to them; the rules' flags (each with its reason) too,
  // and the prelude that exempts the reviewed functions from instrumentation.
  const prelude = sanitize && tsanRules!.uninstrumented.length ? path.join(path.resolve(opts.out), tsanDirName, 'prelude.h') : null;
  const basecflags = [
    ...facts.cflags,
    ...(stock ? ['-DPYGLOBAL_STOCK'] : (facts.tlsCflags ?? [])),
    ...link.basecflags,
    ...(sanitize ? ['-fsanitize=thread', '-g', ...tsanRules!.buildFlags.map((f) => f.flag)] : []),
    ...(prelude ? ['-include', prelude] : []),
  ].join(' ');
  // Libraries the TSan runtime must find loaded when it starts (rules: linkLibraries), when installed.
  const linkLibs: string[] = [];
  for (const l of tsanRules?.linkLibraries ?? []) {
    const found = (await capture('gcc', [`-print-file-name=lib${l.library}.so`], { env })).stdout.trim();
    if (path.isAbsolute(found)) linkLibs.push(`-l${l.library}`);
  }
  const ldflags = sanitize ? ['-fsanitize=thread', ...linkLibs].join(' ') : null;
  const requiredFlags = basecflags.split(' ');
  const configureArgs = [
    `BASECFLAGS=${basecflags}`,
    ...(ldflags ? [`LDFLAGS=${ldflags}`] : []),
    ...(sanitize && !env.OPT ? [`OPT=${tsanOpt}`] : []),
    ...(stock ? [] : ['--without-threads']),
    ...link.configureArgs,
  ];
  // The link of every extension module: distutils appends $LDFLAGS from the environment to
  // LDSHARED (the Makefile's own LDFLAGS does not reach setup.py's links).
  const makeEnv: NodeJS.ProcessEnv = ldflags ? { ...env, LDFLAGS: [env.LDFLAGS, ldflags].filter(Boolean).join(' ') } : env;
  const machine = os.machine();
  const gccVersion = (await capture('gcc', ['-dumpfullversion'], { env })).stdout.trim() || null;

  const missingLibs = (tsanRules?.linkLibraries ?? []).filter((l) => !linkLibs.includes(`-l${l.library}`));
  const summary: BuildSummary = {
    schema: 1,
    status: 'failed',
    variant: opts.variant,
    ...(opts.link && opts.link !== 'static' ? { link: opts.link } : {}),
    sanitize,
    src,
    out,
    version,
    rewritten,
    configure: { args: configureArgs, basecflags, ldflags, threads: stock, uname: `setarch ${machine} --uname-${facts.uname}` },
    jobs,
    gcc: gccVersion,
    durations: { total: 0 },
    libpython: null,
    python: null,
    platform: null,
    threads: null,
    coreObjects: { compiled: 0, expected: null },
    extensions: { count: 0, names: [], dir: null },
    failedExtensions: [],
    flagCheck: { required: requiredFlags, compiles: 0, missing: [] },
    warnings: 0,
    errors: 0,
    warningsByPhase: {},
    warningsByFile: {},
    extras: [],
    notes: [],
    log: path.join(out, logName),
    startedAt: new Date(t0).toISOString(),
  };

  prepareOutDir(out);
  const log = openLog(summary.log);
  writeLog(
    log,
    `# pyglobal build --variant ${opts.variant}\n# src ${src} (CPython ${version}${rewritten ? ', rewritten' : ''})\n` +
      `# out ${out}\n# gcc ${gccVersion}, make -j${jobs}, started ${summary.startedAt}\n` +
      inherited.map((v) => `# inherited ${v}=${env[v]}\n`).join(''),
  );
  if (inherited.length) summary.notes.push(`inherited from the environment: ${inherited.join(', ')} (see the log)`);
  for (const l of missingLibs)
    summary.notes.push(`lib${l.library}.so is not installed, so it is not linked in (${tsanRules!.file}: linkLibraries)`);

  // Phase bookkeeping shared by every step.
  let phase = 'copy' as Phase;
  let phaseStart = Date.now();
  let done = 0;
  let expected: number | undefined;
  let unit = 'files';
  let current: string | undefined;
  let tally = new LogTally();
  const tallies: Partial<Record<Phase, LogTally>> = {};
  const emit = (event: BuildProgress['event']) =>
    onProgress({
      phase,
      event,
      done,
      expected,
      unit,
      current,
      phaseMs: Date.now() - phaseStart,
      totalMs: Date.now() - t0,
      warnings: Object.values(tallies).reduce((n, t) => n + (t?.warnings ?? 0), 0),
      errors: Object.values(tallies).reduce((n, t) => n + (t?.errors ?? 0), 0),
    });
  const startPhase = (p: Phase, u: string, exp?: number) => {
    phase = p;
    phaseStart = Date.now();
    done = 0;
    expected = exp;
    unit = u;
    current = undefined;
    tally = new LogTally();
    tallies[p] = tally;
    writeLog(log, `\n=== phase: ${p} (${new Date().toISOString()}) ===\n`);
    emit('start');
  };
  const endPhase = () => {
    summary.durations[durationKey[phase]] = seconds(Date.now() - phaseStart);
    emit('end');
  };
  const ticker = setInterval(() => emit('update'), 1000);
  ticker.unref();

  const finish = () => {
    const { total: _, ...phases } = summary.durations;
    summary.durations = { ...phases, total: seconds(Date.now() - t0) };
    summary.warnings = 0;
    summary.errors = 0;
    const sites = new Map<string, number>();
    for (const [p, t] of Object.entries(tallies) as [Phase, LogTally][]) {
      summary.warningsByPhase[p] = t.warnings;
      summary.warnings += t.warnings;
      summary.errors += t.errors;
      for (const [k, n] of t.warningSites) sites.set(k, (sites.get(k) ?? 0) + n);
    }
    summary.warningsByFile = warningsByFile(sites, out);
    if (summary.tsan) {
      const s = summarizeLogs(readTsanLogs(summary.tsan.logPrefix), tsanRules!.suppressions.map(suppressionKey));
      summary.tsan.reports = s.reports;
      summary.tsan.groups = s.groups;
      if (s.reports) {
        summary.notes.push(
          `${s.reports} ThreadSanitizer reports from the programs the build ran (configure's tests, pgen, python for setup.py; ${s.groups.length} groups; logs ${summary.tsan.logPrefix}.<pid>)`,
        );
      }
    }
    const compiled = [...(tallies['make core']?.compiled ?? []), ...(tallies['make extensions']?.compiled ?? [])];
    const missing = compilesMissingFlags(compiled, requiredFlags);
    summary.flagCheck = { required: requiredFlags, compiles: compiled.length, missing: missing.slice(0, 20) };
    if (missing.length) {
      summary.notes.push(
        `${missing.length} of ${compiled.length} compiles lack ${requiredFlags.join(' ')} (first: ${missing[0].object})`,
      );
    }
    writeLog(log, `\n=== summary ===\n${JSON.stringify(summary, null, 2)}\n`);
    fs.writeFileSync(path.join(out, summaryName), JSON.stringify(summary, null, 2) + '\n');
  };
  const fail = (message: string): never => {
    clearInterval(ticker);
    summary.failedPhase = phase;
    summary.error = message;
    summary.durations[durationKey[phase]] = seconds(Date.now() - phaseStart);
    // The tail is what the failing command printed, read before the summary is appended.
    const tail = logTail(summary.log, 30);
    writeLog(log, `\n*** build failed in phase ${phase}: ${message}\n`);
    finish();
    closeLog(log);
    throw new BuildFailed(phase, message, summary, tail);
  };
  const onLine = (line: string) => {
    // make core counts objects; make extensions counts modules (one or more objects each).
    const r = tally.feed(line);
    if (r.compiled) {
      if (phase !== 'make extensions') done++;
      current = r.compiled.object;
      emit('update');
    } else if (r.building) {
      if (phase === 'make extensions') done++;
      current = r.building;
      emit('update');
    }
  };

  try {
    // --- copy -----------------------------------------------------------------------------
    startPhase('copy', 'entries');
    await copyTree(src, out, (rel) => {
      done++;
      current = rel;
    });
    writeLog(log, `copied ${done} files and folders\n`);
    if (fs.existsSync(path.join(out, 'Makefile'))) {
      // A tree configured or built in place: start the copy from a clean state.
      summary.notes.push('<src> was configured in place; ran `make distclean` in the copy before configure');
      const r = await runLogged('make', ['distclean'], { cwd: out, env, log, onLine });
      if (r.code !== 0) fail(`make distclean exited with ${r.code ?? r.signal}`);
    }
    const multiarch = facts.multiarchSetupCfg ? (await capture('gcc', ['-print-multiarch'], { env })).stdout.trim() : '';
    const libDir = multiarch ? `/usr/lib/${multiarch}` : '';
    if (libDir && fs.existsSync(libDir)) {
      const cfg = path.join(out, 'setup.cfg');
      const before = fs.existsSync(cfg) ? fs.readFileSync(cfg, 'latin1') : undefined;
      const after = mergeLibraryDir(before, libDir);
      fs.writeFileSync(cfg, after, 'latin1');
      writeLog(log, `setup.cfg ${before === undefined ? 'written' : 'merged'}:\n${after}`);
    } else {
      summary.notes.push('no multiarch library folder (gcc -print-multiarch); setup.cfg left as it was');
    }
    if (sanitize) {
      // From configure on, every instrumented program the build runs (configure's test
      // programs, python running setup.py and the checks) reports into files, with the
      // reviewed suppressions, and keeps its own exit status (TSan's default is 66).
      const dir = path.join(out, tsanDirName);
      fs.mkdirSync(dir, { recursive: true });
      const suppressionsFile = path.join(dir, 'suppressions.txt');
      fs.writeFileSync(suppressionsFile, suppressionsText(tsanRules!));
      if (prelude) fs.writeFileSync(prelude, preludeText(tsanRules!));
      const logPrefix = path.join(dir, 'build');
      const options = tsanOptions({ logPrefix, suppressionsFile, stripPrefix: out + path.sep });
      env.TSAN_OPTIONS = options;
      makeEnv.TSAN_OPTIONS = options;
      summary.tsan = { rulesFile: tsanRules!.file, suppressionsFile, prelude, options, runtime: [], reports: 0, groups: [], logPrefix };
      writeLog(log, `TSAN_OPTIONS=${options}\n`);
    }
    endPhase();

    // --- configure ------------------------------------------------------------------------
    // No expected count: checks inside shell loops (AC_CHECK_FUNCS) print one line per item.
    startPhase('configure', 'checks');
    const conf = await runLogged('setarch', [machine, `--uname-${facts.uname}`, './configure', ...configureArgs], {
      cwd: out,
      env,
      log,
      onLine: (line) => {
        tally.feed(line);
        if (line.startsWith('checking ')) {
          done++;
          current = line.slice('checking '.length).replace(/\.\.\..*$/, '');
        }
      },
    });
    if (conf.code !== 0) fail(`configure exited with ${conf.code ?? conf.signal} (details in config.log)`);
    const makefile = fs.readFileSync(path.join(out, 'Makefile'), 'latin1');
    const machdep = /^MACHDEP=\s*(\S*)/m.exec(makefile)?.[1];
    if (machdep !== 'linux2') summary.notes.push(`configure chose MACHDEP=${machdep}, not linux2`);
    // The static library's name comes from the Makefile (LIBRARY= libpython$(VERSION).a).
    const libName = libraryName(makefile);
    if (!libName) fail('the Makefile configure wrote has no LIBRARY (libpython$(VERSION).a)');
    endPhase();

    // --- make: one make run, split where setup.py starts -----------------------------------
    // A rewritten tree keeps the generated files the profile names (2.7's grammar tables).
    const kept = planKeptGenerated(out, facts.generatedKept, rewritten);
    if (kept.note) summary.notes.push(kept.note);
    if (kept.kept.length) writeLog(log, `kept as generated by the release (make -o): ${kept.kept.join(' ')}\n`);
    const plan = await planMake(out, env, kept.makeArgs);
    startPhase('make core', 'objects', plan.coreObjects);
    summary.coreObjects.expected = plan.coreObjects ?? null;
    const is64 = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'].includes(os.arch());
    const expectedExt = expectedExtensions({ is64bit: is64, builtins: plan.builtins, candidates: facts.extensions });
    const mk = await runLogged('make', [`-j${jobs}`, ...kept.makeArgs], {
      cwd: out,
      env: makeEnv,
      log,
      onLine: (line) => {
        if (phase === 'make core' && startsExtensionBuild(line)) {
          summary.coreObjects.compiled = done;
          endPhase();
          startPhase('make extensions', 'modules tried', expectedExt.length);
        }
        onLine(line);
      },
    });
    if (phase === 'make core') summary.coreObjects.compiled = done;
    if (mk.code !== 0) {
      fail(`make exited with ${mk.code ?? mk.signal}${tally.firstError ? `; first error: ${tally.firstError}` : ''}`);
    }
    endPhase();
    if (!tallies['make extensions']) summary.notes.push('make never ran setup.py: no extension modules built');

    // --- check: what came out -------------------------------------------------------------
    startPhase('check', '');
    const lib = path.join(out, libName!);
    const py = path.join(out, 'python');
    if (!fs.existsSync(lib)) fail(`make succeeded but ${libName} is missing`);
    if (!fs.existsSync(py)) fail('make succeeded but python is missing');
    summary.libpython = lib;
    summary.python = py;
    const q = await capture(
      py,
      ['-E', '-c', "import sys; print sys.platform; print sys.maxint; print ' '.join(sys.builtin_module_names)"],
      { cwd: out, env },
    );
    writeLog(log, `$ ./python -E -c <platform query>\n${q.stdout}${q.stderr}`);
    if (q.code !== 0) fail(`the built python does not run: ${q.stderr.trim().split('\n').at(-1) ?? ''}`);
    const [platform, maxint, builtinLine] = q.stdout.split('\n');
    summary.platform = platform.trim();
    const builtins = (builtinLine ?? '').trim().split(/\s+/).filter(Boolean);
    summary.threads = builtins.includes('thread');
    if (summary.platform !== 'linux2') {
      summary.notes.push(`sys.platform is ${summary.platform}, not linux2; tests that check for linux2 will differ`);
    }
    if (summary.threads !== stock) {
      summary.notes.push(`the ${opts.variant} variant should ${stock ? '' : 'not '}have the thread module`);
    }
    const ext = listExtensions(out);
    summary.extensions = { count: ext.built.length, names: ext.built, dir: ext.dir };
    const expectedHere = expectedExtensions({ is64bit: Number(maxint) > 2 ** 31, builtins, candidates: facts.extensions });
    const report = tallies['make extensions']?.setupReport ?? {};
    summary.failedExtensions = failedExtensions({
      attempts: tallies['make extensions']?.attempts ?? [],
      built: ext.built,
      renamed: ext.renamed,
      expected: expectedHere,
      candidates: facts.extensions,
      report,
    });
    // setup.py's own lists (2.7) against the profile's candidates: a disagreement means the
    // profile's list is wrong for this tree, and the failed/missing figures with it.
    summary.notes.push(
      ...setupReportNotes({ report, expected: expectedHere, built: ext.built, builtins, candidates: facts.extensions, profile: profile.id }),
    );
    endPhase();

    // --- extras (pymt for tls) ------------------------------------------------------------
    startPhase('extras', 'products built');
    summary.extras = await buildExtras(
      { out, libpython: lib, variant: opts.variant, env, log, onLine, sources: opts.extraSources ?? {}, sanitize, libs: linkLibs },
      projectRoot,
    );
    for (const x of summary.extras) writeLog(log, `extra ${x.name}: ${x.status}: ${x.note}\n`);
    done = summary.extras.filter((x) => x.status === 'built').length;
    const broken = summary.extras.find((x) => x.status === 'failed');
    if (broken) fail(`${broken.name}: ${broken.note}`);
    if (summary.tsan) {
      // The compile flags are checked line by line; the links are checked on what came out.
      const programs = [py, ...summary.extras.flatMap((x) => (x.status === 'built' && x.path ? [x.path] : []))];
      for (const prog of programs) {
        const needed = await neededLibraries(prog, env);
        const linked = needed.some((n) => /^libtsan\.so/.test(n));
        summary.tsan.runtime.push({ program: path.relative(out, prog), linked });
        if (!linked) summary.notes.push(`${path.relative(out, prog)} does not load the TSan runtime (readelf -d shows no libtsan)`);
        for (const l of linkLibs) {
          const lib = `lib${l.slice(2)}.so`;
          if (!needed.some((n) => n.startsWith(lib))) summary.notes.push(`${path.relative(out, prog)} does not load ${lib} (linked with ${l})`);
        }
      }
    }
    endPhase();

    clearInterval(ticker);
    summary.status = 'ok';
    finish();
    closeLog(log);
    return summary;
  } catch (e) {
    if (e instanceof BuildFailed) throw e;
    // An unexpected exception (disk full, spawn error): still name the phase and keep the log.
    return fail((e as Error).message ?? String(e));
  }
}

/** gcc can build and link a program with the sanitizer (its runtime library is installed). */
async function checkSanitizer(sanitize: Sanitizer, env: NodeJS.ProcessEnv): Promise<void> {
  if (!(await which('readelf', env)))
    throw new UsageError('build --sanitize needs readelf on PATH (binutils), to check what the programs link');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-sanitize-'));
  try {
    const c = path.join(dir, 'x.c');
    fs.writeFileSync(c, 'int main(void) { return 0; }\n');
    const r = await capture('gcc', [`-fsanitize=${sanitize}`, c, '-o', path.join(dir, 'x')], { env });
    if (r.code !== 0)
      throw new UsageError(
        `gcc cannot build with -fsanitize=${sanitize}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`,
        'The sanitizer runtime comes with gcc (Debian: libtsan2, pulled in by gcc-12); install it and retry.',
      );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The libraries a program's dynamic section names (readelf -d, NEEDED): libtsan.so.2, ... */
async function neededLibraries(program: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await capture('readelf', ['-d', program], { env });
  if (r.code !== 0) return [];
  return [...r.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/** Copies src into out keeping modes and timestamps (so make does not regenerate sources). */
async function copyTree(src: string, out: string, onFile: (rel: string) => void): Promise<void> {
  const ours = new Set([logName, summaryName, 'pymt', tsanDirName].map((n) => path.join(src, n)));
  await fs.promises.cp(src, out, {
    recursive: true,
    preserveTimestamps: true,
    verbatimSymlinks: true,
    force: true,
    filter: (from) => {
      if (ours.has(from)) return false;
      if (from !== src) onFile(path.relative(src, from));
      return true;
    },
  });
}

/**
 * What `make` will do, read from make itself before it runs: the compile commands of
 * `make -n` up to setup.py (the core objects), and MODOBJS (modules linked into python).
 */
async function planMake(out: string, env: NodeJS.ProcessEnv, makeArgs: string[] = []): Promise<{ coreObjects?: number; builtins: string[] }> {
  let coreObjects: number | undefined;
  const dry = await capture('make', ['-n', ...makeArgs], { cwd: out, env });
  if (dry.code === 0) {
    coreObjects = 0;
    for (const line of dry.stdout.split('\n')) {
      if (startsExtensionBuild(line)) break;
      if (parseCompileLine(line)) coreObjects++;
    }
  }
  const vars = await capture('make', ['-s', '-f', 'Makefile', '-f', '-', '__pyglobal_modobjs'], {
    cwd: out,
    env,
    input: '__pyglobal_modobjs:\n\t@echo $(MODOBJS)\n',
  });
  return { coreObjects: coreObjects || undefined, builtins: vars.code === 0 ? builtinsFromModobjs(vars.stdout) : [] };
}

function listExtensions(out: string): { dir: string | null; built: string[]; renamed: string[] } {
  const buildDir = path.join(out, 'build');
  const libDir = fs.existsSync(buildDir)
    ? fs.readdirSync(buildDir).find((d) => d.startsWith('lib.') && fs.statSync(path.join(buildDir, d)).isDirectory())
    : undefined;
  if (!libDir) return { dir: null, built: [], renamed: [] };
  const dir = path.join(buildDir, libDir);
  const so = fs.readdirSync(dir).filter((f) => f.endsWith('.so'));
  const renamed = so.filter((f) => f.endsWith('_failed.so')).map((f) => f.slice(0, -'_failed.so'.length));
  const built = so
    .filter((f) => !f.endsWith('_failed.so'))
    .map((f) => f.slice(0, -'.so'.length))
    .sort();
  return { dir, built, renamed };
}

/** Everything setup.py should have built here and did not, each with the reason seen in the log. */
export function failedExtensions(input: {
  attempts: { name: string; firstError?: string; importError?: string }[];
  built: string[];
  renamed: string[];
  expected: string[];
  /** The profile's extension candidates, for what a missing module needs. */
  candidates?: ExtensionCandidate[];
  /** setup.py's closing lists, when it prints them (2.7). */
  report?: SetupReport;
}): FailedExtension[] {
  const built = new Set(input.built);
  const failed = new Map<string, FailedExtension>();
  for (const a of input.attempts) {
    if (built.has(a.name) || failed.has(a.name)) continue;
    if (a.importError || input.renamed.includes(a.name)) {
      failed.set(a.name, { name: a.name, reason: 'import', detail: a.importError });
    } else {
      failed.set(a.name, { name: a.name, reason: 'compile', detail: a.firstError });
    }
  }
  for (const name of input.expected) {
    if (built.has(name) || failed.has(name)) continue;
    const said = input.report?.notFound?.includes(name);
    failed.set(name, {
      name,
      reason: 'not attempted',
      detail: said
        ? 'setup.py: the necessary bits to build it were not found'
        : 'setup.py did not find what it needs and skipped it',
    });
  }
  const order = new Map(input.expected.map((n, i) => [n, i]));
  return [...failed.values()]
    .map((f) => ({ ...f, needs: extensionNeeds(f.name, input.candidates) }))
    .sort((a, b) => (order.get(a.name) ?? 1e9) - (order.get(b.name) ?? 1e9) || a.name.localeCompare(b.name));
}

/** LogTally's warning sites ("file\0text" -> count) grouped by file relative to out, sorted. */
export function warningsByFile(sites: Map<string, number>, out: string): Record<string, Record<string, number>> {
  const byFile = new Map<string, Map<string, number>>();
  for (const [key, n] of sites) {
    const [raw, text] = key.split('\0');
    let file = path.normalize(raw);
    const rel = path.relative(out, path.resolve(out, file));
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) file = rel.split(path.sep).join('/');
    const m = byFile.get(file) ?? new Map<string, number>();
    m.set(text, (m.get(text) ?? 0) + n);
    byFile.set(file, m);
  }
  const result: Record<string, Record<string, number>> = {};
  for (const file of [...byFile.keys()].sort()) {
    const m = byFile.get(file)!;
    result[file] = Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return result;
}
