// Reviewed globals: rows keyed by (file, function or '-', name), each with a classification and a
// reason. The loader rejects rows without a reason; rows that match nothing are reported as stale.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../engine/errors.ts';
import type { Classification } from '../engine/model.ts';
import type { UnclassifiedGlobal } from '../engine/symbols.ts';
import { layerDirs } from './rules.ts';
import { defaultProfile, layerFiles, rulePath, type Profile } from './profile.ts';

export interface ReviewedRow {
  file: string;
  function: string;
  name: string;
  classification: Classification;
  reason: string;
  /** Which rules file and row it came from, for reports: pc-dll.json#3. */
  source: string;
  /** That rules file, repository-relative: rules/cpython-2.4/reviewed/pc-dll.json. */
  rulesFile: string;
}

const classes: Classification[] = ['thread-local', 'shared-immutable', 'shared-process'];

/** Reviewed rows from every layer's reviewed/, concatenated in layer order. */
export function loadReviewed(from: Profile | string | string[] = defaultProfile()): ReviewedRow[] {
  return layerDirs(from, 'reviewed').flatMap(loadReviewedDir);
}

function loadReviewedDir(dir: string): ReviewedRow[] {
  if (!fs.existsSync(dir)) return [];
  const rows: ReviewedRow[] = [];
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    let doc: any;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`${file}:1: cannot load reviewed list: ${(e as Error).message}`);
    }
    if (typeof doc.id !== 'string' || `${doc.id}.json` !== f) throw new UsageError(`${file}:1: field "id" must equal the file name`);
    if (!Array.isArray(doc.rows)) throw new UsageError(`${file}:1: field "rows" must be a list`);
    doc.rows.forEach((r: any, i: number) => {
      const where = `${file}: rows[${i}]`;
      for (const k of ['file', 'function', 'name', 'classification', 'reason']) {
        if (typeof r[k] !== 'string' || !r[k].trim()) throw new UsageError(`${where}: field "${k}" is required and must not be empty`);
      }
      if (!classes.includes(r.classification)) throw new UsageError(`${where}: classification must be one of ${classes.join(', ')}`);
      if (r.reason.trim() === '-' || r.reason.trim().length < 10) throw new UsageError(`${where}: the reason must say why ("${r.reason}")`);
      rows.push({ file: r.file, function: r.function, name: r.name, classification: r.classification, reason: r.reason, source: `${f}#${i}`, rulesFile: rulePath(file) });
    });
  }
  return rows;
}

export function matchReviewed(rows: ReviewedRow[], g: UnclassifiedGlobal): ReviewedRow | undefined {
  const fn = g.function ?? '-';
  return rows.find((r) => globMatch(r.name, g.name) && (r.function === '*' || r.function === fn) && globMatch(r.file, g.file));
}

export function staleRows(rows: ReviewedRow[], globals: UnclassifiedGlobal[]): ReviewedRow[] {
  return rows.filter((r) => !globals.some((g) => matchReviewed([r], g)));
}

function globMatch(pattern: string, file: string): boolean {
  if (!pattern.includes('*')) return pattern === file;
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
  return re.test(file);
}

/** Element types whose static tables are reviewed as read-only: rules/reviewed-types.json. */
export interface ReviewedType {
  type: string;
  classification: Classification;
  reason: string;
  /** Where the review holds: the CPython tree, extension folders, or both (the default). */
  targets: ('tree' | 'extension')[];
  /** Why it does not hold for the targets left out. */
  notFor?: string;
  /** The rules file it came from, repository-relative. */
  rulesFile: string;
}

/** Reviewed types from every layer's reviewed-types.json, concatenated in layer order. */
export function loadReviewedTypes(from: Profile | string = defaultProfile()): ReviewedType[] {
  return (typeof from === 'string' ? [from] : layerFiles(from, 'reviewed-types.json')).flatMap(loadReviewedTypesFile);
}

function loadReviewedTypesFile(file: string): ReviewedType[] {
  if (!fs.existsSync(file)) return [];
  let doc: any;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}:1: cannot load reviewed types: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc.types)) throw new UsageError(`${file}:1: field "types" must be a list`);
  return doc.types.map((t: any, i: number) => {
    const where = `${file}: types[${i}]`;
    for (const k of ['type', 'classification', 'reason']) {
      if (typeof t[k] !== 'string' || !t[k].trim()) throw new UsageError(`${where}: field "${k}" is required and must not be empty`);
    }
    if (!classes.includes(t.classification)) throw new UsageError(`${where}: classification must be one of ${classes.join(', ')}`);
    if (t.reason.trim().length < 10) throw new UsageError(`${where}: the reason must say why`);
    const targets = t.targets ?? ['tree', 'extension'];
    if (!Array.isArray(targets) || !targets.length || targets.some((x: unknown) => x !== 'tree' && x !== 'extension')) throw new UsageError(`${where}: targets must list "tree", "extension" or both`);
    if (targets.length < 2 && (typeof t.notFor !== 'string' || t.notFor.trim().length < 10)) throw new UsageError(`${where}: a review that leaves out a kind of target must say why in "notFor"`);
    return { type: t.type, classification: t.classification, reason: t.reason, targets, ...(t.notFor ? { notFor: t.notFor } : {}), rulesFile: rulePath(file) };
  });
}
