// The pipeline bench's result model: plain data, shared by the runner, the table and the
// chart, and written as-is by --json.

/** a: one interpreter runs every stage; b: pymt --stage, interpqueue between threads;
 *  c: one process per stage, pickled items on pipes flushed per item (the seed's fallback);
 *  cBatched: the same with stdout left buffered, the kindest form of (c). */
export type Way = 'a' | 'b' | 'c' | 'cBatched';
export const WAYS: readonly Way[] = ['a', 'b', 'c', 'cBatched'];
export const WAY_LABELS: Record<Way, string> = {
  a: '(a) one interpreter',
  b: '(b) threads + interpqueue',
  c: '(c) processes + pipes',
  cBatched: '(c) pipes, batched writes',
};

export type ItemSize = 'small' | 'large';

export interface Measure {
  /** Items from the first to the last finished item at the last stage, per second. */
  itemsPerSecond: number;
  /** Peak RSS summed over every process of the way (VmHWM of each). */
  rssKb: number;
  /** The last stage's digest: every way must give the same one. */
  digest: string;
  items: number;
  /** Wall time of the whole run, startup and model included. */
  wallSeconds: number;
}

export interface Row {
  size: ItemSize;
  itemBytes: number;
  stages: number;
  modelMb: number;
  ways: Record<Way, Measure>;
}

export interface PipelineResult {
  date: string;
  machine: string;
  command: string;
  rows: Row[];
}
