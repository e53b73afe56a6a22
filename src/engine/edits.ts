// Plan-then-apply text edits: collect every edit, sort by range, drop exact duplicates,
// refuse overlaps, then splice into the original text once. Knows nothing about C or CPython.
//
// Offsets are indexes into the latin1-decoded original text, so one code unit is one byte and
// the result encodes back to exactly the original bytes outside the edited ranges.

export interface Edit {
  /** Path relative to the tree root; only used to group and to name the file in errors. */
  file: string;
  /** Offsets into the ORIGINAL text, end exclusive. start === end is an insertion. */
  start: number;
  end: number;
  /** Replacement text ('' deletes the range). */
  text: string;
  /** Why: shown in conflicts, dry runs and reviews. */
  reason: string;
}

/** The edits of one file, sorted in application order, duplicates removed. */
export interface FilePlan {
  file: string;
  edits: Edit[];
}

export interface PlanOptions {
  /** Original text of a file, when known: used to check bounds and to give line numbers in errors. */
  textOf?: (file: string) => string | undefined;
}

/** Two edits that would touch the same bytes, or an edit outside its file. */
export class EditConflictError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly first: Edit,
    readonly second?: Edit,
  ) {
    super(message);
    this.name = 'EditConflictError';
  }
}

/**
 * Groups edits by file (files in sorted order) and orders each file's edits by range.
 *
 * Ordering at one offset: insertions come before a replacement that starts there (their text
 * lands before the replaced bytes), and several insertions at one offset keep the order in
 * which they were given. Identical edits (same range and text) are kept once, since two
 * globals declared in one statement ask for the same insertion.
 *
 * Throws EditConflictError when two edits share a byte, when an insertion falls strictly
 * inside a replaced range, or when a range is invalid.
 */
export function planEdits(edits: readonly Edit[], opts: PlanOptions = {}): FilePlan[] {
  const byFile = new Map<string, Edit[]>();
  for (const e of edits) {
    let list = byFile.get(e.file);
    if (!list) byFile.set(e.file, (list = []));
    list.push(e);
  }
  const files = [...byFile.keys()].sort(compareStrings);
  return files.map((file) => ({ file, edits: planFile(file, byFile.get(file)!, opts.textOf?.(file)) }));
}

/**
 * Applies one file's edits to its original text. The edits are planned first, so overlaps
 * throw here too; edits naming another file are refused.
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  if (edits.length === 0) return text;
  const file = edits[0].file;
  const other = edits.find((e) => e.file !== file);
  if (other) {
    throw new EditConflictError(
      `applyEdits got edits for two files: ${file} and ${other.file}; plan them with planEdits and apply per file`,
      file,
      edits[0],
      other,
    );
  }
  const planned = planFile(file, edits, text);
  const parts: string[] = [];
  let pos = 0;
  for (const e of planned) {
    parts.push(text.slice(pos, e.start), e.text);
    pos = e.end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

/**
 * The edits that turn applyEdits(original, edits) back into original: each edit's new text
 * is replaced by the bytes it covered. Offsets are into the edited text. Reasons are
 * prefixed with "undo: ".
 */
export function invertEdits(original: string, edits: readonly Edit[]): Edit[] {
  if (edits.length === 0) return [];
  const planned = planFile(edits[0].file, edits, original);
  const out: Edit[] = [];
  let delta = 0;
  for (const e of planned) {
    const start = e.start + delta;
    out.push({
      file: e.file,
      start,
      end: start + e.text.length,
      text: original.slice(e.start, e.end),
      reason: `undo: ${e.reason}`,
    });
    delta += e.text.length - (e.end - e.start);
  }
  return out;
}

function planFile(file: string, edits: readonly Edit[], text: string | undefined): Edit[] {
  const where = (offset: number) => (text === undefined ? `${file} (byte ${offset})` : `${file}:${lineAt(text, offset)}`);
  for (const e of edits) {
    const bad =
      !Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end < e.start
        ? `invalid range [${e.start}, ${e.end})`
        : text !== undefined && e.end > text.length
          ? `range [${e.start}, ${e.end}) is past the end of the file (${text.length} bytes)`
          : undefined;
    if (bad) throw new EditConflictError(`${where(Math.max(0, e.start | 0))}: ${bad} in edit "${e.reason}"`, file, e);
  }

  // Stable sort: by start, insertions before ranges at the same start, then input order.
  const indexed = edits.map((e, i) => ({ e, i }));
  indexed.sort((a, b) => {
    if (a.e.start !== b.e.start) return a.e.start - b.e.start;
    const aIns = a.e.start === a.e.end ? 0 : 1;
    const bIns = b.e.start === b.e.end ? 0 : 1;
    if (aIns !== bIns) return aIns - bIns;
    if (a.e.end !== b.e.end) return a.e.end - b.e.end;
    return a.i - b.i;
  });

  const out: Edit[] = [];
  // Exact duplicates are recognised against every kept edit with the same range, not only the
  // previous one, so "A, B, A" at one offset keeps A, B.
  const seen = new Set<string>();
  // The replacement (non-empty range) that reaches furthest so far.
  let lastRange: Edit | undefined;
  for (const { e } of indexed) {
    const key = `${e.start}\u0000${e.end}\u0000${e.text}`;
    if (seen.has(key)) continue;
    if (lastRange && e.start < lastRange.end) {
      // An insertion exactly at lastRange.start was sorted before it, so anything here that
      // starts before lastRange.end shares bytes with it or sits inside it.
      throw new EditConflictError(
        `overlapping edits in ${where(e.start)}: ` +
          `${describe(lastRange, text)} and ${describe(e, text)}`,
        file,
        lastRange,
        e,
      );
    }
    seen.add(key);
    out.push(e);
    if (e.end > e.start) lastRange = e;
  }
  return out;
}

function describe(e: Edit, text: string | undefined): string {
  const kind = e.start === e.end ? `insertion at ${e.start}` : `replacement of [${e.start}, ${e.end})`;
  const line = text === undefined ? '' : ` (line ${lineAt(text, e.start)})`;
  return `${kind}${line} "${e.reason}"`;
}

/** 1-based line of a byte offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  const stop = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < stop; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
