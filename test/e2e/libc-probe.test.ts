// Two interpreters at once, each asking the C library's static-buffer functions (time, pwd, grp,
// socket names) about its own inputs, answers checked against oracles that do not use them
// (test/probes/libc_probe.py). Needs a tls build: PYGLOBAL_TLS_BUILD=<pyglobal build --variant tls --out>.
// On a build before the libc shims the same probe gives wrong answers in most runs.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const build = process.env.PYGLOBAL_TLS_BUILD;
const pymt = build ? path.join(build, 'pymt') : '';
const ready = !!build && fs.existsSync(pymt);
if (!ready) console.log('skipping the libc probe: set PYGLOBAL_TLS_BUILD to a `pyglobal build --variant tls` output with pymt');
const probe = path.resolve(import.meta.dirname, '../probes/libc_probe.py');
const rounds = Number(process.env.PYGLOBAL_PROBE_ROUNDS ?? 100);

describe.runIf(ready)('C library answers in two interpreters at once', () => {
  it(`are each interpreter's own, ${rounds} rounds`, () => {
    const r = spawnSync(pymt, ['-n', '2', '--rounds', String(rounds), '-E', probe, '300'], { cwd: build, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.includes('libc-probe'));
    expect(lines).toHaveLength(2 * rounds);
    const wrong = lines.filter((l) => !/ wrong=0 ?$/.test(l));
    expect(wrong, wrong.slice(0, 5).join('\n')).toEqual([]);
    for (const l of lines) expect(Number(/checks=(\d+)/.exec(l)![1])).toBeGreaterThan(1000);
  }, 620_000);
});
