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
  /** Voluntary context switches (sleeps waiting for an item or for room) of all stages,
   *  per item; and the involuntary ones (preemptions by other threads and processes). */
  switchesPerItem: number;
  involuntarySwitchesPerItem: number;
  /** CPU (user + system) of all stages after their setup, per item, in µs: the way's cost,
   *  whatever share of the cores other work on the machine left it. */
  cpuUsPerItem: number;
  /** items/s of every repeat, this one (the best) among them: the noise, for the reader. */
  samples?: number[];
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
  /** 1-minute load average before and after: other work on the machine skews every ratio. */
  load: [number, number];
  rows: Row[];
  /** Copying one item alone, per way of moving it (bench/pipeline/transport.py). */
  transport?: { itemBytes: number; queueUs: number; pickleUs: number }[];
}
