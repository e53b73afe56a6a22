// CI's end-to-end proof, no CPython tree needed: the fixture goes through scan, apply and check,
// is compiled with PYGLOBAL = __thread and runs N threads at once, also under ThreadSanitizer,
// which must stay silent. Its unrewritten twin under ThreadSanitizer must report, so the check can fail.
import { describe, expect, it } from 'vitest';
import { hasTsan } from './has-tsan.ts';
import { runFixturePipeline, type FixtureResult } from '../../src/cpython2/fixture-run.ts';


describe('the fixture through the whole pipeline', () => {
  let r: FixtureResult;
  it('runs 4 threads with correct checksums after the rewrite, and check is clean', async () => {
    r = await runFixturePipeline({ threads: 4, iterations: 300, tsan: hasTsan });
    expect(r.checkErrors).toBe(0);
    expect(r.apply.moved).toBeGreaterThan(0);
    expect(r.rewritten.status, r.rewritten.stderr).toBe(0);
    expect(r.rewritten.stdout).toMatch(/^ok 4 threads checksum=/m);
  }, 240_000);

  it.runIf(hasTsan)('ThreadSanitizer reports nothing on the rewritten fixture', () => {
    expect(r.tsan!.races, r.tsan!.stderr.slice(0, 4000)).toBe(0);
    expect(r.tsan!.status).toBe(0);
  });

  it.runIf(hasTsan)('ThreadSanitizer does report on the unrewritten twin (the check can fail)', () => {
    expect(r.tsanStock!.races).toBeGreaterThan(0);
    expect(r.tsanStock!.status).not.toBe(0);
  });
});
