// Baselines: findings a project has accepted, so `check` fails only on new ones.
//
// An entry is keyed by (ruleId, file, function or '-', name), never by line, so edits that move
// a finding do not invalidate it. Every entry carries a reason, and the loader rejects one
// without. An entry that matches no finding is stale and is reported as an error, as ESLint
// does for unused suppressions: a baseline should shrink as findings are fixed.
//
// The file is JSON with one entry per line, so reviews see one line per accepted finding and
// stale entries can be reported at their line.
import type { Finding } from '../engine/model.ts';

export const baselineVersion = 1;
export const staleBaselineRuleId = 'stale-baseline-entry';

export interface BaselineEntry {
  ruleId: string;
  file: string;
  /** Enclosing function, or '-' for file scope. */
  function: string;
  /** The symbol, or '-' when the finding names none. */
  name: string;
  reason: string;
}

export interface Baseline {
  version: 1;
  entries: BaselineEntry[];
}

/** A baseline as loaded from a file: entries remember their line for stale reports. */
export interface LoadedBaseline extends Baseline {
  /** Path of the baseline file as the user named it (for messages). */
  path: string;
  /** 1-based line of each entry, same order as entries. */
  lines: number[];
}

export interface BaselineOptions {
  /** Date written into generated reasons (default: today, UTC). */
  date?: Date;
  /** An earlier baseline whose reasons are kept for entries that are still present. */
  previous?: Baseline;
}

export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

export function baselineKey(e: { ruleId: string; file: string; function?: string; name?: string }): string {
  return [e.ruleId, e.file, e.function ?? '-', e.name ?? '-'].join('\u0000');
}

/** The baseline that accepts all of these findings: one entry per distinct key, sorted. */
export function createBaseline(findings: readonly Finding[], opts: BaselineOptions = {}): Baseline {
  const date = (opts.date ?? new Date()).toISOString().slice(0, 10);
  const kept = new Map<string, string>();
  for (const e of opts.previous?.entries ?? []) kept.set(baselineKey(e), e.reason);
  const byKey = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const key = baselineKey(f);
    if (byKey.has(key)) continue;
    byKey.set(key, {
      ruleId: f.ruleId,
      file: f.file,
      function: f.function ?? '-',
      name: f.name ?? '-',
      reason: kept.get(key) ?? `accepted by baseline on ${date}`,
    });
  }
  const entries = [...byKey.values()].sort(
    (a, b) => cmp(a.file, b.file) || cmp(a.function, b.function) || cmp(a.name, b.name) || cmp(a.ruleId, b.ruleId),
  );
  return { version: 1, entries };
}

/** The baseline file's text for these findings. */
export function writeBaseline(findings: readonly Finding[], opts: BaselineOptions = {}): string {
  return formatBaseline(createBaseline(findings, opts));
}

export function formatBaseline(b: Baseline): string {
  const rows = b.entries.map(
    (e) =>
      '    ' +
      JSON.stringify({ ruleId: e.ruleId, file: e.file, function: e.function, name: e.name, reason: e.reason }),
  );
  return (
    '{\n' +
    `  "version": ${b.version},\n` +
    (rows.length === 0 ? '  "entries": []\n' : `  "entries": [\n${rows.join(',\n')}\n  ]\n`) +
    '}\n'
  );
}

/**
 * Parses and checks a baseline file. Errors name the file, the line and the field:
 * a missing or empty reason, unknown keys, a duplicate entry, a wrong version.
 */
export function parseBaseline(text: string, filePath: string): LoadedBaseline {
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BaselineError(`${filePath}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BaselineError(`${filePath}: expected an object with "version" and "entries"`);
  }
  if (data.version !== baselineVersion) {
    throw new BaselineError(`${filePath}: "version" must be ${baselineVersion}, got ${JSON.stringify(data.version)}`);
  }
  if (!Array.isArray(data.entries)) throw new BaselineError(`${filePath}: "entries" must be an array`);
  for (const k of Object.keys(data)) {
    if (k !== 'version' && k !== 'entries') throw new BaselineError(`${filePath}: unknown key "${k}"`);
  }
  const lines = entryLines(text, data.entries.length);
  const entries: BaselineEntry[] = [];
  const keys = new Map<string, number>();
  data.entries.forEach((raw: any, i: number) => {
    const at = `${filePath}:${lines[i]}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new BaselineError(`${at}: entry ${i + 1} must be an object`);
    }
    for (const field of ['ruleId', 'file', 'function', 'name', 'reason'] as const) {
      if (typeof raw[field] !== 'string' || raw[field].trim() === '') {
        throw new BaselineError(`${at}: entry ${i + 1} needs a non-empty string "${field}"`);
      }
    }
    for (const k of Object.keys(raw)) {
      if (!['ruleId', 'file', 'function', 'name', 'reason'].includes(k)) {
        throw new BaselineError(`${at}: entry ${i + 1} has an unknown key "${k}"`);
      }
    }
    const e: BaselineEntry = {
      ruleId: raw.ruleId,
      file: raw.file,
      function: raw.function,
      name: raw.name,
      reason: raw.reason,
    };
    const key = baselineKey(e);
    const first = keys.get(key);
    if (first !== undefined) {
      throw new BaselineError(`${at}: entry ${i + 1} repeats the entry at line ${lines[first]}`);
    }
    keys.set(key, i);
    entries.push(e);
  });
  return { version: 1, entries, path: filePath, lines };
}

export interface BaselineResult {
  /** Findings the baseline does not accept: these fail the check. */
  remaining: Finding[];
  /** Findings the baseline accepts. */
  suppressed: Finding[];
  /** Entries that matched no finding. */
  stale: BaselineEntry[];
  /** One error-level finding per stale entry, located in the baseline file when it was loaded from one. */
  staleFindings: Finding[];
}

/** Splits findings into accepted and remaining; an entry accepts every finding with its key. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline | LoadedBaseline): BaselineResult {
  const byKey = new Map<string, number>();
  baseline.entries.forEach((e, i) => byKey.set(baselineKey(e), i));
  const used = new Set<number>();
  const remaining: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const i = byKey.get(baselineKey(f));
    if (i === undefined) remaining.push(f);
    else {
      suppressed.push(f);
      used.add(i);
    }
  }
  const loaded = 'path' in baseline ? baseline : undefined;
  const stale: BaselineEntry[] = [];
  const staleFindings: Finding[] = [];
  baseline.entries.forEach((e, i) => {
    if (used.has(i)) return;
    stale.push(e);
    const what = e.function === '-' ? e.name : `${e.function}/${e.name}`;
    staleFindings.push({
      file: loaded?.path ?? 'baseline',
      line: loaded?.lines[i] ?? 1,
      column: 1,
      ruleId: staleBaselineRuleId,
      severity: 'error',
      message: `stale baseline entry: no ${e.ruleId} finding for ${what} in ${e.file}; remove the entry`,
      ...(e.name !== '-' ? { name: e.name } : {}),
      ...(e.function !== '-' ? { function: e.function } : {}),
    });
  });
  return { remaining, suppressed, stale, staleFindings };
}

/**
 * 1-based line where each element of the top-level "entries" array starts, by a scan that
 * tracks strings and nesting (JSON.parse gives no positions).
 */
function entryLines(text: string, count: number): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let entriesDepth = -1;
  // Inside "entries", after '[' or ',': the next value that starts is an entry.
  let awaiting = false;
  let key = '';
  let lastString = '';
  for (let i = 0; i < text.length && lines.length < count; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      else lastString += ch;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (awaiting && depth === entriesDepth && ch !== ']') {
      lines.push(line);
      awaiting = false;
    }
    if (ch === '"') {
      inString = true;
      lastString = '';
    } else if (ch === ':') key = lastString;
    else if (ch === '{' || ch === '[') {
      depth++;
      if (ch === '[' && depth === 2 && key === 'entries' && entriesDepth === -1) {
        entriesDepth = 2;
        awaiting = true;
      }
    } else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === entriesDepth) awaiting = true;
  }
  while (lines.length < count) lines.push(1);
  return lines;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
