// Worker threads driven synchronously. The caller blocks in Atomics.wait and reads replies with
// receiveMessageOnPort, so a synchronous library function (the scan) can spread its work over
// the cores without turning every caller async. Run from dist/ (the CLI), workers import the
// compiled JavaScript; run from src/ (vitest, benches), they load TypeScript through tsx's
// in-thread CommonJS hook (see ts-worker.cjs): its ESM hook starts a loader thread per worker,
// which costs more than half a second each.
import os from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, workerData, type MessagePort, type WorkerOptions } from 'node:worker_threads';

/** What a worker sends back: the answer to one request, or to one job of a shared batch. */
type Reply =
  | { id: number; job?: number; ok: true; value: unknown }
  | { id: number; job?: number; ok: false; error: WorkerError };

export interface WorkerError {
  name: string;
  message: string;
  stack?: string;
  /** Set when the worker could not start at all (no job ran). */
  boot?: boolean;
}

/** An error raised inside a worker, rethrown in the caller with the worker's stack. */
export class PoolError extends Error {
  constructor(readonly error: WorkerError) {
    super(error.message);
    this.name = error.name;
    if (error.stack) this.stack = error.stack;
  }
}

const bootstrap = new URL('./ts-worker.cjs', import.meta.url);

/**
 * A worker module's URL next to the caller's, in the caller's own flavour: `.ts` when the caller
 * runs from src/, `.js` when it runs compiled from dist/ (tsc rewrites import specifiers, not
 * strings passed to new URL).
 */
export function workerModule(rel: string, callerUrl: string): URL {
  const ext = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(rel + ext, callerUrl);
}

/**
 * The parent's flags without those that load tsx's ESM hook (a worker loads TypeScript its own,
 * cheaper way); undefined when there is nothing to drop, so the worker simply inherits them.
 */
function workerExecArgv(): string[] | undefined {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^--(import|require|loader|experimental-loader)$/.test(a) && /tsx/.test(argv[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (/^--(import|require|loader|experimental-loader)=.*tsx/.test(a)) continue;
    out.push(a);
  }
  return out.length === argv.length ? undefined : out;
}

function startWorker(options: WorkerOptions): Worker {
  const execArgv = workerExecArgv();
  if (!execArgv) return new Worker(bootstrap, options);
  try {
    return new Worker(bootstrap, { ...options, execArgv });
  } catch (e) {
    // Flags given explicitly are checked, and V8 or process-wide ones are refused: drop them all.
    if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return new Worker(bootstrap, { ...options, execArgv: [] });
  }
}

export function defaultPoolSize(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** The machine's busy CPU time and this process's own, at one moment (see othersBusyCores). */
export interface CpuSample {
  at: number;
  machineMs: number;
  selfMs: number;
}

export function cpuSample(): CpuSample {
  let machineMs = 0;
  for (const c of os.cpus()) machineMs += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  const self = process.cpuUsage();
  return { at: performance.now(), machineMs, selfMs: (self.user + self.system) / 1000 };
}

/**
 * How many cores other processes kept busy since `from`: the machine's busy time less this
 * process's (all its threads, a booting worker's included), over the time that passed. A pool
 * worker on a core that another process holds only adds its start-up and its messages: on a
 * 2-core machine at load 4 to 6, a scan with one worker took 10 to 25 % longer than without.
 */
export function othersBusyCores(from: CpuSample, to: CpuSample = cpuSample()): number {
  const wall = to.at - from.at;
  if (wall <= 0) return 0;
  return Math.max(0, (to.machineMs - from.machineMs - (to.selfMs - from.selfMs)) / wall);
}

interface Slot {
  worker: Worker;
  port: MessagePort;
  /** Set when the worker could not start. */
  failed?: WorkerError;
}

export interface RunOptions {
  /**
   * Makes this thread a worker too: it runs the next job itself whenever it has nothing to
   * hand out, and a worker that cannot start is then dropped instead of failing the run.
   */
  local?: (job: unknown, index: number) => unknown;
}

export class SyncPool {
  private readonly slots: Slot[] = [];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private closed = false;
  /** Jobs each worker ran in the last run(), this thread's last. */
  readonly counts: number[] = [];

  /**
   * Starts size workers running the TypeScript module at moduleUrl, which must call serve().
   * They boot while the caller goes on.
   */
  constructor(moduleUrl: URL, readonly size: number, private readonly silenceMs = 120_000) {
    for (let i = 0; i < size; i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = startWorker({
        workerData: { module: moduleUrl.href, port: port2, signal: this.signal },
        transferList: [port2],
        stdout: false,
        stderr: false,
      });
      worker.unref();
      this.slots.push({ worker, port: port1 });
    }
  }

  /** Workers that started (so far as is known) and are in use. */
  get live(): number {
    return this.slots.filter((s) => !s.failed).length;
  }

  /** Why workers were dropped, if any were. */
  get failures(): WorkerError[] {
    return this.slots.flatMap((s) => (s.failed ? [s.failed] : []));
  }

  /** Sends msg to every worker without waiting; workers answer it before any job. */
  setup(msg: unknown): void {
    for (const s of this.slots) this.send(s, msg);
  }

  /**
   * Runs jobs, each once, on whichever thread is free first, in the order given (put the
   * biggest first). Every worker gets the whole list at once and takes the next job from a
   * counter shared by all threads: a worker that boots late or a job that runs long leaves
   * nobody waiting for work handed out too early (with one job in flight per worker, a worker
   * sat idle while this thread parsed a big file). onResult(i, value) sees results as they
   * come, in no particular order.
   */
  run(jobs: unknown[], onResult: (index: number, value: unknown) => void, opts: RunOptions = {}): void {
    const local = opts.local;
    this.counts.length = 0;
    for (let i = 0; i <= this.slots.length; i++) this.counts.push(0);
    if (!local && this.slots.length === 0) throw new Error('worker pool: no workers and no local runner');
    const next = new Int32Array(new SharedArrayBuffer(4));
    const take = () => Atomics.add(next, 0, 1);
    const batchOf = new Map<number, number>();
    this.slots.forEach((s, si) => {
      if (!s.failed) batchOf.set(this.send(s, undefined, { jobs, next }), si);
    });
    let left = jobs.length;
    let localDone = !local;
    let quietSince = Date.now();
    while (left > 0) {
      const seen = Atomics.load(this.signal, 0);
      // A worker that could not start took no job: the others and this thread share its part.
      const got = this.drain((si, reply) => {
        if (reply.job === undefined || batchOf.get(reply.id) !== si) return;
        left--;
        this.counts[si]++;
        onResult(reply.job, reply.value);
      }, !local);
      if (got) quietSince = Date.now();
      if (!localDone) {
        const i = take();
        if (i < jobs.length) {
          onResult(i, local!(jobs[i], i));
          left--;
          this.counts[this.slots.length]++;
          continue;
        }
        localDone = true;
      }
      if (left === 0 || got) continue;
      if (!local && this.slots.every((s) => s.failed)) throw new PoolError(this.slots[0].failed!);
      if (local && this.slots.every((s) => s.failed)) {
        // Nobody else will take what is left (only this thread's own jobs can be outstanding).
        for (let i = take(); i < jobs.length; i = take()) {
          onResult(i, local(jobs[i], i));
          left--;
          this.counts[this.slots.length]++;
        }
        if (left > 0) throw new Error('worker pool: jobs lost with a worker that failed');
        continue;
      }
      if (Date.now() - quietSince > this.silenceMs) {
        this.close();
        throw new Error(`worker pool: no reply for ${this.silenceMs / 1000} s (a worker died or hangs)`);
      }
      Atomics.wait(this.signal, 0, seen, 1000);
    }
  }

  /**
   * Starts a stream of at most capacity jobs, handed out as the caller makes them (see
   * JobStream); local runs a job in this thread, onResult sees every result once.
   */
  stream(capacity: number, local: (job: unknown, index: number) => unknown, onResult: (index: number, value: unknown) => void): JobStream {
    this.counts.length = 0;
    for (let i = 0; i <= this.slots.length; i++) this.counts.push(0);
    return new JobStream(this, capacity, local, onResult);
  }

  /** @internal Posts one job of a stream to every worker that started. */
  offer(id: number, claims: Int32Array, job: number, payload: unknown): void {
    for (const s of this.slots) if (!s.failed) s.port.postMessage({ id, stream: claims, job, payload });
  }

  /**
   * @internal Hands every waiting reply to onReply, with its worker's index; a worker that could
   * not start is dropped (this thread does its share) unless bootFatal. True when any reply came.
   */
  drain(onReply: (slot: number, reply: Extract<Reply, { ok: true }>) => void, bootFatal = false): boolean {
    let got = false;
    this.slots.forEach((s, si) => {
      for (let m = receiveMessageOnPort(s.port); m; m = receiveMessageOnPort(s.port)) {
        const reply = m.message as Reply;
        got = true;
        if (!reply.ok) {
          if (reply.error.boot && !bootFatal) {
            s.failed = reply.error;
            continue;
          }
          this.close();
          throw new PoolError(reply.error);
        }
        onReply(si, reply);
      }
    });
    return got;
  }

  /** @internal Blocks until a worker replies or timeoutMs pass; seen is the signal read before the last drain. */
  waitSince(seen: number, timeoutMs: number): void {
    Atomics.wait(this.signal, 0, seen, timeoutMs);
  }

  /** @internal The signal's value, read before a drain so that no reply slips between drain and wait. */
  signalValue(): number {
    return Atomics.load(this.signal, 0);
  }

  /** @internal */
  newId(): number {
    return this.nextId++;
  }

  /** @internal */
  countFor(slot: number): void {
    this.counts[slot]++;
  }

  /** @internal The silence after which a stream gives up on its workers. */
  get silence(): number {
    return this.silenceMs;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) {
      s.port.close();
      void s.worker.terminate();
    }
  }

  private send(slot: Slot, payload: unknown, batch?: Batch): number {
    const id = this.nextId++;
    slot.port.postMessage(batch ? { id, batch } : { id, payload });
    return id;
  }
}

/**
 * Jobs made one by one while workers run those made so far: the scan prepares a file (tokens,
 * masks) in this thread and offers its parse to the pool. Every job goes to every worker, and
 * each is run once, by the thread that claims it first in an array shared by all (0 free, 1 a
 * worker's, 2 this thread's): a worker skips a job that this thread took. Once the caller has
 * made them all, finish() runs here whatever no worker has claimed, in the order offered, then
 * waits for the rest. Results come in no particular order.
 */
export class JobStream {
  private readonly claims: Int32Array;
  private readonly jobs: unknown[] = [];
  private readonly id: number;
  private done = 0;
  /** No job before this one is still free to claim. */
  private oldest = 0;

  constructor(
    private readonly pool: SyncPool,
    readonly capacity: number,
    private readonly local: (job: unknown, index: number) => unknown,
    private readonly onResult: (index: number, value: unknown) => void,
  ) {
    this.claims = new Int32Array(new SharedArrayBuffer(Math.max(1, capacity) * 4));
    this.id = pool.newId();
  }

  /** Offers a job; its index is the number of jobs offered before it. */
  offer(job: unknown): number {
    const i = this.jobs.length;
    if (i >= this.capacity) throw new Error(`job stream: more than ${this.capacity} jobs`);
    this.jobs.push(job);
    this.pool.offer(this.id, this.claims, i, job);
    return i;
  }

  /** Takes in the results that have come, without waiting. */
  poll(): void {
    this.pool.drain((slot, reply) => this.take(slot, reply));
  }

  /**
   * Runs here the oldest jobs no worker has claimed until at most `ahead` are left waiting: the
   * caller makes jobs and runs them in turns, as it would alone, and a worker that is free finds
   * one waiting. (Making them all first, then running, was slower: the same tokenizer ran at
   * half speed when 344 files were tokenized back to back.)
   */
  runAhead(ahead: number): void {
    this.poll();
    while (this.jobs.length - this.oldest > ahead) {
      const i = this.oldest++;
      if (Atomics.compareExchange(this.claims, i, 0, 2) !== 0) continue;
      this.onResult(i, this.local(this.release(i), i));
      this.done++;
      this.pool.countFor(this.pool.size);
      this.poll();
    }
  }

  /** Runs what no worker took, then waits until every job offered has its result. */
  finish(): void {
    const n = this.jobs.length;
    let quietSince = Date.now();
    for (let i = this.oldest; i < n; i++) {
      this.poll();
      if (Atomics.compareExchange(this.claims, i, 0, 2) !== 0) continue;
      this.onResult(i, this.local(this.release(i), i));
      this.done++;
      this.pool.countFor(this.pool.size);
      quietSince = Date.now();
    }
    while (this.done < n) {
      const seen = this.pool.signalValue();
      if (this.pool.drain((slot, reply) => this.take(slot, reply))) {
        quietSince = Date.now();
        continue;
      }
      if (this.done >= n) break;
      if (Date.now() - quietSince > this.pool.silence) {
        this.pool.close();
        throw new Error(`worker pool: no reply for ${this.pool.silence / 1000} s (a worker died or hangs)`);
      }
      this.pool.waitSince(seen, 1000);
    }
  }

  /** A job's payload, let go here: a job is run once, and the stream must not hold every file's text. */
  private release(i: number): unknown {
    const job = this.jobs[i];
    this.jobs[i] = undefined;
    return job;
  }

  private take(slot: number, reply: Extract<Reply, { ok: true }>): void {
    if (reply.id !== this.id || reply.job === undefined) return;
    this.jobs[reply.job] = undefined;
    this.onResult(reply.job, reply.value);
    this.done++;
    this.pool.countFor(slot);
  }
}

/** A run's jobs, as every worker gets them, and the counter from which each takes the next. */
interface Batch {
  jobs: unknown[];
  next: Int32Array;
}

/**
 * Worker side: answers each request with handler(payload), or with the error it threw; for a
 * batch, takes jobs from the shared counter until none is left, answering each as it is done.
 */
export function serve(handler: (payload: unknown) => unknown): void {
  const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
  const answer = (id: number, job: number | undefined, run: () => unknown) => {
    try {
      // Inside the try: a value that cannot be cloned fails here, and is reported like a throw.
      port.postMessage({ id, job, ok: true, value: run() } satisfies Reply);
    } catch (e) {
      const err = e as Error;
      port.postMessage({ id, job, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack } } satisfies Reply);
    }
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  port.on('message', ({ id, payload, batch, stream, job }: { id: number; payload?: unknown; batch?: Batch; stream?: Int32Array; job?: number }) => {
    if (stream) {
      // A stream's job that this thread claims first is its to run; the caller ran it otherwise.
      if (Atomics.compareExchange(stream, job!, 0, 1) === 0) answer(id, job, () => handler(payload));
      return;
    }
    if (!batch) return answer(id, undefined, () => handler(payload));
    for (let i = Atomics.add(batch.next, 0, 1); i < batch.jobs.length; i = Atomics.add(batch.next, 0, 1)) {
      answer(id, i, () => handler(batch.jobs[i]));
    }
  });
}
