// CI's proof for the compiler wrapper: packages built unchanged on disk with
// `make CC="pyglobal-cc gcc"` against the rewritten minipy. ext-gen generates part of its C at
// build time and shares a global between two units; ext-spam is the in-place flow's fixture,
// which the wrapper must build to the same result. Under ThreadSanitizer both stay silent and
// ext-gen's plain build against the unrewritten minipy reports races in its generated code.
import { describe, expect, it } from 'vitest';
import { hasTsan } from './has-tsan.ts';
import { runWrapperFixture, type WrapperFixtureResult } from '../../src/cpython2/extension/wrapper-run.ts';


describe('pyglobal-cc through make', () => {
  let r: WrapperFixtureResult;
  it('builds a package whose C is generated at build time; 4 threads get correct checksums', async () => {
    r = await runWrapperFixture({ threads: 4, iterations: 300, tsan: hasTsan });
    expect(r.gen.status, r.gen.stderr).toBe(0);
    expect(r.gen.stdout).toMatch(/^OK: 4 threads, checksum /m);
    const gen = r.log.filter((l) => l.source?.endsWith('genmodule.c'));
    expect(gen.length).toBeGreaterThan(0);
    // The generated kinds.inc is one of the unit's files, and both its type objects and the
    // table naming them moved into initgen().
    expect(gen[0].own).toContainEqual(expect.stringMatching(/gen\/kinds\.inc$/));
    expect(gen[0].moved).toBe(3);
    // Links and the driver's compile-and-link are left to the compiler.
    expect(r.log.some((l) => l.action === 'pass-through')).toBe(true);
  }, 300_000);

  it('builds the in-place fixture, C++ included, to what apply gives', () => {
    expect(r.spam.status, r.spam.stderr).toBe(0);
    expect(r.spam.stdout).toMatch(/^OK: 4 threads, checksum a768e43e$/m);
    const units = r.log.filter((l) => l.action === 'rewritten' && l.source?.includes('ext-spam')).map((l) => l.source!.split('/').pop());
    expect(new Set(units)).toEqual(new Set(['spammodule.c', 'eggs.c', 'rot.c', 'xor.c', 'hostbind.cc']));
  });

  it.runIf(hasTsan)('ThreadSanitizer: silent on both wrapped builds; the twin reports races in the generated code', () => {
    const t = r.tsan!;
    expect(t.gen.races, t.gen.stderr.slice(0, 4000)).toBe(0);
    expect(t.gen.status).toBe(0);
    expect(t.spam.races, t.spam.stderr.slice(0, 4000)).toBe(0);
    expect(t.genTwin.races).toBeGreaterThan(0);
    expect(t.genTwin.stderr).toMatch(/kinds\.inc:\d+/);
    expect(t.genTwin.stderr).toMatch(/gen_count\.c:\d+/);
  });
});
