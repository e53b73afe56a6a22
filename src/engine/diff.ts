// Unified diffs of latin1-decoded texts, in the form `patch -p1` and `git apply` accept.
//
// The line diff itself comes from jsdiff (`diff` on npm). Hunks are formatted here so that the
// headers are exactly `--- a/<path>` / `+++ b/<path>` with no timestamps or quoting.
// Lines keep their bytes: a CRLF line keeps its '\r' and a missing final newline is marked
// with "\ No newline at end of file". The result is a latin1 string: write it with
// Buffer.from(diff, 'latin1') (see diffBytes) so that the patch reproduces the bytes.
import { structuredPatch } from 'diff';

export interface DiffOptions {
  /** Lines of context around each change (default 3, as GNU diff -u). */
  context?: number;
}

/**
 * Unified diff from oldText to newText for one file; '' when they are equal.
 * oldText null means the file is new (`--- /dev/null`); newText null means it is deleted.
 */
export function unifiedDiff(
  path: string,
  oldText: string | null,
  newText: string | null,
  context: number | DiffOptions = 3,
): string {
  const ctx = typeof context === 'number' ? context : (context.context ?? 3);
  if (!Number.isInteger(ctx) || ctx < 0) throw new Error(`diff context must be a whole number >= 0, got ${ctx}`);
  if (oldText === newText) return '';
  if (oldText === null && newText === null) return '';
  const patch = structuredPatch(path, path, oldText ?? '', newText ?? '', undefined, undefined, { context: ctx });
  if (patch.hunks.length === 0) return '';
  const out: string[] = [
    `--- ${oldText === null ? '/dev/null' : `a/${path}`}`,
    `+++ ${newText === null ? '/dev/null' : `b/${path}`}`,
  ];
  for (const h of patch.hunks) {
    // In unified format an empty side is written with the line before it (0 for "before line 1").
    const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    out.push(`@@ -${range(oldStart, h.oldLines)} +${range(newStart, h.newLines)} @@`);
    for (const line of h.lines) out.push(line);
  }
  return out.join('\n') + '\n';
}

/** Diffs of several files, concatenated in the order given. */
export function unifiedDiffs(
  files: readonly { path: string; oldText: string | null; newText: string | null }[],
  context: number | DiffOptions = 3,
): string {
  return files.map((f) => unifiedDiff(f.path, f.oldText, f.newText, context)).join('');
}

/** The bytes of a diff produced here, for writing to stdout or a file. */
export function diffBytes(diff: string): Buffer {
  return Buffer.from(diff, 'latin1');
}

// GNU diff omits the count when it is 1.
function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}
