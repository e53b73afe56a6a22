// A pool worker for the pool's own tests: echoes, computes, throws, or answers uncloneably on request.
import { threadId } from 'node:worker_threads';
import { serve } from '../../../src/engine/scan-pool.ts';

serve((payload) => {
  const p = payload as { op: string; n?: number; name?: string; ms?: number };
  if (p.op === 'square') {
    // A job that takes a while, so that a worker booting a little later still finds work.
    for (const end = Date.now() + (p.ms ?? 0); Date.now() < end; );
    return { n: p.n! * p.n!, thread: threadId };
  }
  if (p.op === 'throw') {
    const e = new Error(`asked to fail on ${p.n}`);
    e.name = p.name ?? 'Error';
    throw e;
  }
  if (p.op === 'uncloneable') return { f: () => 1 };
  return p;
});
