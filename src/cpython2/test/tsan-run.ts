// pyglobal test --tsan: every part runs with TSAN_OPTIONS pointing TSan's reports at files of
// its own (workDir/tsan/<part>/tsan.<pid>, one per process, the children regrtest starts
// included) and at a suppressions file written from the reviewed rules. After each part the
// files are read, grouped and folded into the report; any report is a failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../target/tree.ts';
import { loadTsanRules, suppressionKey, suppressionsText, tsanOptions, defaultTsanRulesFile, type TsanRules } from '../tsan/rules.ts';
import { defaultIsOurs, readTsanLogs, resymbolize, summarizeLogs, type Symbolize, type TsanFrame, type TsanLog, type TsanSummary } from '../tsan/report.ts';

/**
 * Default time limits are multiplied by this under TSan. Measured here (2.4.6, tls, -O1, 2
 * cores): pystone runs 24x slower, the 200-round 2-interpreter stress 10x (167 s against 16 s),
 * the split suite less (107-144 s: many tests wait rather than compute). The limits of a plain
 * run leave 30x (regrtest: 1 h for about 2 min) or more, so x10 keeps at least 12x.
 * An explicit --timeout is taken as given.
 */
export const tsanTimeScale = 10;

export type TsanPart = 'a' | 'b' | 'c';

export interface TsanSession {
  rules: TsanRules;
  dir: string;
  suppressionsFile: string;
  /** The build folder with a trailing separator: TSan strips it from file names. */
  stripPrefix: string;
  isOurs: (f: TsanFrame) => boolean;
  symbolize: Symbolize;
  options: Partial<Record<TsanPart, string>>;
  logs: Partial<Record<TsanPart, TsanLog[]>>;
}

export interface TsanTestReport {
  status: 'ok' | 'failed';
  rulesFile: string;
  suppressionsFile: string;
  /** TSAN_OPTIONS each part ran with. */
  options: Partial<Record<TsanPart, string>>;
  parts: Partial<Record<TsanPart, TsanSummary>>;
  /** All parts together: groups, suppression counts, stale suppressions. */
  total: TsanSummary;
  /** Why status is failed, one line each. */
  problems: string[];
  /** Not failures: stale suppressions, a report count TSan disagrees with. */
  warnings: string[];
}

/**
 * Our code: a source file of the build tree (TSan printed it relative to the tree, and it is
 * there: the C library's debug info has relative names too, like locale/setlocale.c), or
 * pymt's own sources. Without a build folder, any relative name counts.
 */
export function ourFrames(buildDir?: string): (f: TsanFrame) => boolean {
  const driverDir = path.join(projectRoot, 'src', 'c') + path.sep;
  const seen = new Map<string, boolean>();
  const inTree = (file: string) => {
    let v = seen.get(file);
    if (v === undefined) {
      v = fs.existsSync(path.join(buildDir!, file));
      seen.set(file, v);
    }
    return v;
  };
  return (f) => {
    if (f.file === null || f.line === null) return false;
    if (defaultIsOurs(f)) return buildDir === undefined || inTree(f.file);
    return f.file.startsWith(driverDir);
  };
}

/** Frames of any tree (relative names) or of pymt's sources. */
export const isOurFrame = ourFrames();

export function startTsanSession(workDir: string, buildDir: string, rulesFile = defaultTsanRulesFile): TsanSession {
  const rules = loadTsanRules(rulesFile);
  const dir = path.join(workDir, 'tsan');
  fs.mkdirSync(dir, { recursive: true });
  const suppressionsFile = path.join(dir, 'suppressions.txt');
  fs.writeFileSync(suppressionsFile, suppressionsText(rules));
  const root = buildDir.replace(/\/*$/, '');
  return { rules, dir, suppressionsFile, stripPrefix: root + path.sep, isOurs: ourFrames(root), symbolize: buildSymbolizer(root), options: {}, logs: {} };
}

function logPrefix(s: TsanSession, part: TsanPart): string {
  return path.join(s.dir, part, 'tsan');
}

/** The environment for one part: the caller's, with this part's TSAN_OPTIONS. */
export function tsanEnv(s: TsanSession, part: TsanPart, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  fs.mkdirSync(path.join(s.dir, part), { recursive: true });
  const options = tsanOptions({ logPrefix: logPrefix(s, part), suppressionsFile: s.suppressionsFile, stripPrefix: s.stripPrefix });
  s.options[part] = options;
  return { ...base, TSAN_OPTIONS: options };
}

/**
 * addr2line on the build's own modules (./python, ./pymt, build/lib.*\/NAME.so), for frames
 * TSan could not symbolize; file names come back relative to the build, as TSan prints them.
 */
export function buildSymbolizer(buildDir: string): Symbolize {
  const root = buildDir.replace(/\/*$/, '');
  const libDirs = (() => {
    const b = path.join(root, 'build');
    return fs.existsSync(b) ? fs.readdirSync(b).filter((d) => d.startsWith('lib.')).map((d) => path.join(b, d)) : [];
  })();
  return (module, offsets) => {
    const out = new Map<number, { function: string; file: string | null; line: number | null }>();
    const file = [path.join(root, module), ...libDirs.map((d) => path.join(d, module))].find((f) => fs.existsSync(f));
    if (!file || !offsets.length) return out;
    const r = spawnSync('addr2line', ['-f', '-e', file, ...offsets.map((o) => '0x' + o.toString(16))], { encoding: 'latin1' });
    if (r.status !== 0) return out;
    const lines = r.stdout.split('\n');
    offsets.forEach((o, i) => {
      const fn = lines[2 * i]?.trim();
      const loc = /^(.*?):(\d+)/.exec(lines[2 * i + 1] ?? '');
      if (!fn || fn === '??') return;
      let src = loc && loc[1] !== '??' ? loc[1] : null;
      if (src && src.startsWith(root + path.sep)) src = src.slice(root.length + 1);
      out.set(o, { function: fn, file: src, line: loc && loc[2] !== '0' ? Number(loc[2]) : null });
    });
    return out;
  };
}

/** Reads what TSan wrote during one part. */
export function collectPart(s: TsanSession, part: TsanPart): TsanSummary {
  const logs = resymbolize(readTsanLogs(logPrefix(s, part), { isOurs: s.isOurs }), s.symbolize, { isOurs: s.isOurs });
  s.logs[part] = logs;
  return summarizeLogs(logs, s.rules.suppressions.map(suppressionKey));
}

export function tsanReport(s: TsanSession): TsanTestReport {
  const keys = s.rules.suppressions.map(suppressionKey);
  const parts: Partial<Record<TsanPart, TsanSummary>> = {};
  for (const p of Object.keys(s.logs) as TsanPart[]) parts[p] = summarizeLogs(s.logs[p]!, keys);
  const all = Object.values(s.logs).flat();
  const total = summarizeLogs(all, keys);
  const problems: string[] = [];
  const warnings: string[] = [];
  if (total.reports)
    problems.push(`${total.reports} ThreadSanitizer report${total.reports === 1 ? '' : 's'} not covered by ${s.rules.file} (${total.groups.length} group${total.groups.length === 1 ? '' : 's'})`);
  for (const f of [...new Set(total.fatal)]) problems.push(`TSan runtime: ${f}`);
  for (const k of total.stale) warnings.push(`suppression ${k} matched nothing in this run (stale? review it in ${s.rules.file})`);
  for (const u of total.unknownMatched) warnings.push(`TSan matched ${u.key} ${u.count}x, which is not in ${s.rules.file}`);
  const claimed = all.reduce((n, l) => n + (l.reportedWarnings ?? 0), 0);
  const parsed = all.reduce((n, l) => n + l.reports.filter((r) => !/ on unknown address$/.test(r.kind)).length, 0);
  if (claimed !== parsed)
    warnings.push(`TSan says it reported ${claimed} warnings; ${parsed} were read from the logs (a process killed before exit prints no count)`);
  return {
    status: problems.length ? 'failed' : 'ok',
    rulesFile: s.rules.file,
    suppressionsFile: s.suppressionsFile,
    options: s.options,
    parts,
    total,
    problems,
    warnings,
  };
}
