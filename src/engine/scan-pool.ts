// Worker threads driven synchronously. The caller blocks in Atomics.wait and reads replies with
// receiveMessageOnPort, so a synchronous library function (the scan) can spread its work over
// the cores without turning every caller async. Run from dist/ (the CLI), workers import the
// compiled JavaScript; run from src/ (vitest, benches), they load TypeScript through tsx's
// in-thread CommonJS hook (see ts-worker.cjs): its ESM hook starts a loader thread per worker,
// which costs more than half a second each.
import os from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, workerData, type MessagePort, type WorkerOptions } from 'node:worker_threads';

/** What a worker sends back for one request. */
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WorkerError };

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
  /** Request ids sent and not yet answered. */
  inFlight: Set<number>;
  /** Id of the setup request, until its answer arrives; then jobs may go. */
  setupId?: number;
  /** Set when the worker could not start. */
  failed?: WorkerError;
}

export interface RunOptions {
  /** Jobs in flight per worker (default 2), so that none waits while this thread is busy. */
  depth?: number;
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
      this.slots.push({ worker, port: port1, inFlight: new Set() });
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

  /** Sends msg to every worker without waiting; each gets jobs only once it has answered. */
  setup(msg: unknown): void {
    for (const s of this.slots) s.setupId = this.send(s, msg);
  }

  /**
   * Runs jobs, handing each to the first free worker in the order given (put the biggest
   * first). onResult(i, value) sees results as they come, in no particular order.
   */
  run(jobs: unknown[], onResult: (index: number, value: unknown) => void, opts: RunOptions = {}): void {
    const depth = opts.depth ?? 2;
    const local = opts.local;
    const indexOf = new Map<number, { job: number; slot: number }>();
    this.counts.length = 0;
    for (let i = 0; i <= this.slots.length; i++) this.counts.push(0);
    if (!local && this.slots.length === 0) throw new Error('worker pool: no workers and no local runner');
    // Job indexes not handed out yet, in order; a worker that fails gives its jobs back here.
    const queue = jobs.map((_, i) => i);
    let left = jobs.length;
    let quietSince = Date.now();
    while (left > 0) {
      const seen = Atomics.load(this.signal, 0);
      // Replies first: they free workers.
      let got = false;
      this.slots.forEach((s, si) => {
        for (let m = receiveMessageOnPort(s.port); m; m = receiveMessageOnPort(s.port)) {
          const reply = m.message as Reply;
          got = true;
          s.inFlight.delete(reply.id);
          if (!reply.ok) {
            if (reply.error.boot && local) {
              s.failed = reply.error;
              const back = [...indexOf].filter(([, v]) => v.slot === si);
              for (const [id, v] of back) indexOf.delete(id);
              queue.unshift(...back.map(([, v]) => v.job).sort((a, b) => a - b));
              continue;
            }
            this.close();
            throw new PoolError(reply.error);
          }
          if (reply.id === s.setupId) s.setupId = undefined;
          const at = indexOf.get(reply.id);
          if (!at) continue;
          indexOf.delete(reply.id);
          left--;
          this.counts[si]++;
          onResult(at.job, reply.value);
        }
      });
      if (got) quietSince = Date.now();
      this.slots.forEach((s, si) => {
        if (s.failed || s.setupId !== undefined) return;
        while (s.inFlight.size < depth && queue.length) {
          const i = queue.shift()!;
          indexOf.set(this.send(s, jobs[i]), { job: i, slot: si });
        }
      });
      if (local && queue.length) {
        const i = queue.shift()!;
        onResult(i, local(jobs[i], i));
        left--;
        this.counts[this.slots.length]++;
        continue;
      }
      if (left === 0 || got) continue;
      if (!local && this.slots.every((s) => s.failed)) throw new PoolError(this.slots[0].failed!);
      if (Date.now() - quietSince > this.silenceMs) {
        this.close();
        throw new Error(`worker pool: no reply for ${this.silenceMs / 1000} s (a worker died or hangs)`);
      }
      Atomics.wait(this.signal, 0, seen, 1000);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) {
      s.port.close();
      void s.worker.terminate();
    }
  }

  private send(slot: Slot, payload: unknown): number {
    const id = this.nextId++;
    slot.inFlight.add(id);
    slot.port.postMessage({ id, payload });
    return id;
  }
}

/** Worker side: answers each request with handler(payload), or with the error it threw. */
export function serve(handler: (payload: unknown) => unknown): void {
  const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
  port.on('message', ({ id, payload }: { id: number; payload: unknown }) => {
    try {
      // Inside the try: a value that cannot be cloned fails here, and is reported like a throw.
      port.postMessage({ id, ok: true, value: handler(payload) } satisfies Reply);
    } catch (e) {
      const err = e as Error;
      port.postMessage({ id, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack } } satisfies Reply);
    }
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
}
