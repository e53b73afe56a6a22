// Reads what ThreadSanitizer wrote (TSAN_OPTIONS=log_path=DIR/tsan gives one DIR/tsan.<pid> per
// process): every report, the suppressions that matched, and fatal runtime errors. Groups the
// reports by the first frame in our code, so a race that fires a thousand times is one line.
// Pure functions of text, except readTsanLogs, which only lists and reads files.
import fs from 'node:fs';
import path from 'node:path';

export interface TsanFrame {
  index: number;
  function: string;
  /** Source file as TSan printed it (relative when strip_path_prefix matched), or null. */
  file: string | null;
  line: number | null;
  column: number | null;
  /** The binary or library, e.g. python, pymt, readline.so, libc.so.6. */
  module: string | null;
  /** The address as an offset into the module, when TSan printed one (module+0x...). */
  offset: number | null;
}

export interface TsanStack {
  /** The line that introduces it: "Write of size 8 at 0x... by thread T2:", "Previous read ...". */
  title: string;
  frames: TsanFrame[];
}

export interface TsanReport {
  /** "data race", "heap-use-after-free", "thread leak", "SEGV on unknown address", ... */
  kind: string;
  pid: number | null;
  /** The log file it came from (as given to the parser). */
  source: string;
  stacks: TsanStack[];
  /** "Location is heap block of size 40 at ... allocated by thread T1:" and the like. */
  location: string | null;
  /** TSan's own one-line summary: "data race Objects/obmalloc.c:744 in PyObject_Free". */
  summary: string | null;
  /** The first frame of the first stack that is in our code (see isOurs), or the top frame. */
  site: TsanFrame | null;
  /** The same for the other side of a race (the "Previous ..." stack), when there is one. */
  otherSite: TsanFrame | null;
  /** The first frame of the reported access, wherever it is (an interceptor, the C library). */
  top: TsanFrame | null;
}

export interface MatchedSuppression {
  /** kind:pattern as TSan printed it, e.g. race_top:Py_ADDRESS_IN_RANGE. */
  key: string;
  count: number;
}

export interface TsanLog {
  reports: TsanReport[];
  matched: MatchedSuppression[];
  /** "ThreadSanitizer: reported N warnings" (a cross-check on reports.length), when printed. */
  reportedWarnings: number | null;
  /** FATAL: ThreadSanitizer ... and similar lines: the run itself went wrong. */
  fatal: string[];
}

export interface ParseOptions {
  /** Which frames are ours; default: a source file that is a relative path not leaving the tree. */
  isOurs?: (f: TsanFrame) => boolean;
}

/** A relative source path that stays inside the tree (strip_path_prefix made it relative). */
export function defaultIsOurs(f: TsanFrame): boolean {
  return f.file !== null && !path.isAbsolute(f.file) && !f.file.startsWith('..') && f.line !== null;
}

const frameRe = /^\s*#(\d+)\s+(.*?)\s+(\S+)\s+\(([^()]*?)(?:\+0x([0-9a-f]+))?\)\s*$/;

/** One stack frame line; undefined when the line is not a frame. */
export function parseFrame(line: string): TsanFrame | undefined {
  const m = frameRe.exec(line);
  if (m) {
    const [, idx, fn, loc, mod, off] = m;
    let file: string | null = loc;
    let ln: number | null = null;
    let col: number | null = null;
    const lc = /^(.*?):(\d+)(?::(\d+))?$/.exec(loc);
    if (lc) {
      file = lc[1];
      ln = Number(lc[2]);
      col = lc[3] !== undefined ? Number(lc[3]) : null;
    }
    if (file === '<null>') file = null;
    return {
      index: Number(idx),
      function: fn === '<null>' ? '<null>' : fn,
      file,
      line: ln,
      column: col,
      module: mod === '<unknown module>' ? null : mod,
      offset: off !== undefined ? parseInt(off, 16) : null,
    };
  }
  // "#3 0x7f0c2a1b3c4d (<unknown module>)" or "#0 0x4a2b3c (/path/bin+0x4a2b3c)": no symbol.
  const bare = /^\s*#(\d+)\s+(0x[0-9a-f]+)\s+\(([^()]*?)(?:\+0x([0-9a-f]+))?\)\s*$/.exec(line);
  if (bare)
    return {
      index: Number(bare[1]),
      function: bare[2],
      file: null,
      line: null,
      column: null,
      module: bare[3] === '<unknown module>' ? null : bare[3],
      offset: bare[4] !== undefined ? parseInt(bare[4], 16) : null,
    };
  return undefined;
}

const separator = /^={18,}$/;
const warningRe = /^WARNING: ThreadSanitizer: (.+?)(?: \(pid=(\d+)\))?\s*$/;
// Deadly signals come from sanitizer_common: "==123==ERROR: ThreadSanitizer: SEGV on unknown address ..."
const errorRe = /^==(\d+)==ERROR: ThreadSanitizer: (.+?)(?: on (?:unknown )?address\b.*| \(pid=\d+\))?$/;

/** What a symbolizer says about module+offset: null when it knows nothing either. */
export type Symbolize = (module: string, offsets: number[]) => Map<number, { function: string; file: string | null; line: number | null }>;

/**
 * Fills in frames TSan left as "<null> <null> (readline.so+0x4d68)". gcc's TSan runtime
 * symbolizes with libbacktrace, which knows the modules loaded when it first ran, not the
 * extension modules Python dlopens later; `symbolize` (addr2line on the module's file) can.
 * Then recomputes each report's sites. Mutates and returns the logs.
 */
export function resymbolize(logs: TsanLog[], symbolize: Symbolize, opts: ParseOptions = {}): TsanLog[] {
  const isOurs = opts.isOurs ?? defaultIsOurs;
  const todo = new Map<string, Set<number>>();
  const frames: TsanFrame[] = [];
  for (const l of logs)
    for (const r of l.reports)
      for (const st of r.stacks)
        for (const f of st.frames)
          if (f.function === '<null>' && f.file === null && f.module && f.offset !== null) {
            frames.push(f);
            (todo.get(f.module) ?? todo.set(f.module, new Set()).get(f.module)!).add(f.offset);
          }
  if (!frames.length) return logs;
  const known = new Map<string, Map<number, { function: string; file: string | null; line: number | null }>>();
  for (const [mod, offsets] of todo) known.set(mod, symbolize(mod, [...offsets]));
  for (const f of frames) {
    const s = known.get(f.module!)?.get(f.offset!);
    if (!s) continue;
    f.function = s.function;
    f.file = s.file;
    f.line = s.line;
  }
  for (const l of logs)
    for (const r of l.reports) {
      const access = r.stacks.filter((s) => !/^(Thread |Mutex |Location )/.test(s.title));
      r.site = firstOurs(access[0] ?? r.stacks[0], isOurs);
      r.otherSite = access[1] ? firstOurs(access[1], isOurs) : null;
      r.top = topFrame(access[0] ?? r.stacks[0]);
    }
  return logs;
}

/** The first frame that is not TSan's own interceptor (free, memcpy, ...), else the first. */
function topFrame(stack: TsanStack | undefined): TsanFrame | null {
  if (!stack || !stack.frames.length) return null;
  return stack.frames.find((f) => !/libtsan|libsanitizer/.test(`${f.module ?? ''} ${f.file ?? ''}`)) ?? stack.frames[0];
}

function firstOurs(stack: TsanStack | undefined, isOurs: (f: TsanFrame) => boolean): TsanFrame | null {
  if (!stack || stack.frames.length === 0) return null;
  return stack.frames.find(isOurs) ?? stack.frames[0];
}

/** Parses the text of one TSan log file (or a stderr capture with TSan's lines in it). */
export function parseTsanLog(text: string, source = '<text>', opts: ParseOptions = {}): TsanLog {
  const isOurs = opts.isOurs ?? defaultIsOurs;
  const lines = text.split(/\r?\n/);
  const reports: TsanReport[] = [];
  const matched = new Map<string, number>();
  const fatal: string[] = [];
  let reportedWarnings: number | null = null;
  let cur: TsanReport | null = null;
  let stack: TsanStack | null = null;
  let inMatched = false;

  const close = () => {
    if (!cur) return;
    // The access stacks come first; "Location is ...", mutex and thread-creation stacks after.
    const access = cur.stacks.filter((s) => !/^(Thread |Mutex |Location )/.test(s.title));
    cur.site = firstOurs(access[0] ?? cur.stacks[0], isOurs);
    cur.otherSite = access[1] ? firstOurs(access[1], isOurs) : null;
    cur.top = topFrame(access[0] ?? cur.stacks[0]);
    reports.push(cur);
    cur = null;
    stack = null;
  };

  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    let m: RegExpExecArray | null;
    if ((m = warningRe.exec(line))) {
      close();
      inMatched = false;
      cur = { kind: m[1], pid: m[2] ? Number(m[2]) : null, source, stacks: [], location: null, summary: null, site: null, otherSite: null, top: null };
      continue;
    }
    if ((m = errorRe.exec(line))) {
      close();
      inMatched = false;
      const kind = /^(\S+ on unknown address|\S+)/.exec(line.slice(line.indexOf('ThreadSanitizer: ') + 17))?.[1] ?? m[2];
      cur = { kind, pid: Number(m[1]), source, stacks: [], location: null, summary: null, site: null, otherSite: null, top: null };
      stack = { title: 'crash', frames: [] };
      cur.stacks.push(stack);
      continue;
    }
    if ((m = /^ThreadSanitizer: Matched (\d+) suppressions?/.exec(line))) {
      close();
      inMatched = true;
      continue;
    }
    if (inMatched) {
      const s = /^\s*(\d+)\s+(\S+:\S+)\s*$/.exec(line);
      if (s) {
        matched.set(s[2], (matched.get(s[2]) ?? 0) + Number(s[1]));
        continue;
      }
      inMatched = false;
    }
    if ((m = /^ThreadSanitizer: reported (\d+) warnings?/.exec(line))) {
      close();
      reportedWarnings = (reportedWarnings ?? 0) + Number(m[1]);
      continue;
    }
    if (/^(FATAL: ThreadSanitizer|ThreadSanitizer: (?!reported|Matched|DEADLYSIGNAL)|==\d+==ThreadSanitizer: )/.test(line) && !cur) {
      fatal.push(line.trim());
      continue;
    }
    if (!cur) continue;
    if ((m = /^SUMMARY: ThreadSanitizer: (.*)$/.exec(line))) {
      cur.summary = m[1];
      continue;
    }
    if (separator.test(line) || /^==\d+==ABORTING/.test(line)) {
      close();
      continue;
    }
    const frame = parseFrame(line);
    if (frame) {
      if (!stack) {
        stack = { title: '', frames: [] };
        cur.stacks.push(stack);
      }
      stack.frames.push(frame);
      continue;
    }
    const t = line.trim();
    if (!t) {
      stack = null;
      continue;
    }
    if (/^Location is /.test(t)) cur.location = t;
    // Any other non-blank line of a report opens the next stack ("Previous write of size 8 ...",
    // "Thread T1 (tid=...) created by main thread at:", "Mutex M1 ... created at:").
    if (/:$/.test(t) || /^(Location is |Thread T|Mutex |Previous |Atomic |Read |Write |Cycle )/.test(t)) {
      stack = { title: t, frames: [] };
      cur.stacks.push(stack);
    }
  }
  close();
  return {
    reports,
    matched: [...matched].map(([key, count]) => ({ key, count })),
    reportedWarnings,
    fatal,
  };
}

export interface TsanGroup {
  /** kind + site: "data race in _PyGlobals_HeapFree Objects/obmalloc.c:1470". */
  key: string;
  kind: string;
  function: string;
  /** file:line of the site, or the module when there is no source line. */
  where: string;
  count: number;
  /** The other side of the race, by how often each was seen (most first). */
  others: { where: string; function: string; count: number }[];
  /** Up to three log files that hold an instance, to read the full stacks. */
  examples: string[];
  summary: string | null;
  /** The reported access's first frame when it is not the site (e.g. "setlocale in libc.so.6"). */
  top: string | null;
}

function siteWhere(f: TsanFrame | null): string {
  if (!f) return '?';
  if (f.file && f.line !== null) return `${f.file}:${f.line}`;
  return f.file ?? f.module ?? '?';
}

/** Groups reports by kind and first frame in our code; the biggest group first. */
export function groupReports(reports: TsanReport[]): TsanGroup[] {
  const groups = new Map<string, TsanGroup & { otherMap: Map<string, { where: string; function: string; count: number }> }>();
  for (const r of reports) {
    const fn = r.site?.function ?? '?';
    const where = siteWhere(r.site);
    const key = `${r.kind} in ${fn} ${where}`;
    let g = groups.get(key);
    if (!g) {
      const top = r.top && r.top !== r.site ? `${r.top.function} in ${r.top.file && r.top.line !== null ? `${r.top.file}:${r.top.line}` : r.top.module ?? '?'}` : null;
      g = { key, kind: r.kind, function: fn, where, count: 0, others: [], examples: [], summary: r.summary, top, otherMap: new Map() };
      groups.set(key, g);
    }
    g.count++;
    if (g.examples.length < 3 && !g.examples.includes(r.source)) g.examples.push(r.source);
    if (r.otherSite) {
      const ow = siteWhere(r.otherSite);
      const ok = `${r.otherSite.function} ${ow}`;
      const o = g.otherMap.get(ok) ?? { where: ow, function: r.otherSite.function, count: 0 };
      o.count++;
      g.otherMap.set(ok, o);
    }
  }
  return [...groups.values()]
    .map(({ otherMap, ...g }) => ({ ...g, others: [...otherMap.values()].sort((a, b) => b.count - a.count) }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface SuppressionUse {
  key: string;
  count: number;
}

export interface TsanSummary {
  /** Log files read. */
  logs: number;
  reports: number;
  groups: TsanGroup[];
  /** Every reviewed suppression with how often it matched over all logs (0: stale). */
  suppressions: SuppressionUse[];
  /** Suppressions that matched nothing in this run. */
  stale: string[];
  /** Suppressions TSan says matched that are not in the reviewed list (another file?). */
  unknownMatched: MatchedSuppression[];
  fatal: string[];
}

/** Folds several logs into one summary against the reviewed suppression keys. */
export function summarizeLogs(logs: TsanLog[], reviewedKeys: string[]): TsanSummary {
  const reports = logs.flatMap((l) => l.reports);
  const matched = new Map<string, number>();
  for (const l of logs) for (const m of l.matched) matched.set(m.key, (matched.get(m.key) ?? 0) + m.count);
  const suppressions = reviewedKeys.map((key) => ({ key, count: matched.get(key) ?? 0 }));
  const reviewed = new Set(reviewedKeys);
  return {
    logs: logs.length,
    reports: reports.length,
    groups: groupReports(reports),
    suppressions,
    stale: suppressions.filter((s) => s.count === 0).map((s) => s.key),
    unknownMatched: [...matched].filter(([k]) => !reviewed.has(k)).map(([key, count]) => ({ key, count })),
    fatal: logs.flatMap((l) => l.fatal),
  };
}

/** Reads every `${prefix}.<pid>` file TSan wrote for a log_path prefix. */
export function readTsanLogs(logPrefix: string, opts: ParseOptions = {}): TsanLog[] {
  const dir = path.dirname(logPrefix);
  const base = path.basename(logPrefix) + '.';
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(base) && /^\d+$/.test(f.slice(base.length)))
    .sort((a, b) => Number(a.slice(base.length)) - Number(b.slice(base.length)))
    .map((f) => {
      const file = path.join(dir, f);
      return parseTsanLog(fs.readFileSync(file, 'latin1'), file, opts);
    });
}
