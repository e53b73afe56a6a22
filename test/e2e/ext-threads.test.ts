// CI's end-to-end proof for the extension flow: the fixture extension (fixtures/ext-spam) is
// rewritten against the rewritten minipy (apply --python), checked, compiled with PYGLOBAL =
// __thread and run in N interpreters at once, also under ThreadSanitizer, which must stay silent.
// Its unrewritten twin must report races in the extension's own files.
import { describe, expect, it } from 'vitest';
import { hasTsan } from './has-tsan.ts';
import { runExtensionFixture, type ExtensionFixtureResult } from '../../src/cpython2/extension/fixture-run.ts';


describe('the fixture extension through the whole flow', () => {
  let r: ExtensionFixtureResult;
  it('check fails before apply and passes after; 4 threads get correct checksums', async () => {
    r = await runExtensionFixture({ threads: 4, iterations: 300, tsan: hasTsan });
    expect(r.checkBefore).toBeGreaterThan(0);
    expect(r.checkAfter).toBe(0);
    // hostbind.cc's std::string is left alone and accepted by the fixture's baseline, nothing else.
    expect(r.accepted).toEqual([expect.stringMatching(/^hostbind\.cc:\d+ host_banner cxx-needs-review$/)]);
    expect(r.apply.moved).toBe(3);
    expect(r.rewritten.status, r.rewritten.stderr).toBe(0);
    expect(r.rewritten.stdout).toMatch(/^OK: 4 threads, checksum /m);
  }, 240_000);

  it.runIf(hasTsan)('ThreadSanitizer reports nothing on the rewritten extension', () => {
    expect(r.tsan!.races, r.tsan!.stderr.slice(0, 4000)).toBe(0);
    expect(r.tsan!.status).toBe(0);
  });

  it.runIf(hasTsan)('ThreadSanitizer reports races in the extension\'s own files on the unrewritten twin', () => {
    expect(r.tsanStock!.races).toBeGreaterThan(0);
    expect(r.tsanStock!.status).not.toBe(0);
    expect(r.tsanStock!.stderr).toMatch(/spammodule\.c:\d+/);
    expect(r.tsanStock!.stderr).toMatch(/cipher_template\.c:\d+/);
    expect(r.tsanStock!.stderr).toMatch(/hostbind\.cc:\d+/);
  });
});
