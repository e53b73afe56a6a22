// Two interpreters at once, each asking the C library's static-buffer functions (time, pwd, grp,
// socket names) about its own inputs, answers checked against oracles that do not use them
// (test/probes/libc_probe.py). Needs a tls build: PYGLOBAL_TLS_BUILD=<pyglobal build --variant tls --out>
// for 2.4, PYGLOBAL_TLS27_BUILD for 2.7; each one unset is skipped with a line.
// On a build before the libc shims the same probe gives wrong answers in most runs.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { e2eBuilds, tlsBuildVars } from './builds.ts';

const probe = path.resolve(import.meta.dirname, '../probes/libc_probe.py');
const rounds = Number(process.env.PYGLOBAL_PROBE_ROUNDS ?? 100);
const builds = e2eBuilds(tlsBuildVars, 'tls').map((b) => {
  const ready = !!b.dir && fs.existsSync(path.join(b.dir, 'pymt'));
  if (!ready) console.log(`skipping the libc probe on ${b.env}: set it to a \`pyglobal build --variant tls\` output with pymt`);
  return { ...b, ready };
});

describe.each(builds)('C library answers in two interpreters at once, $label', (b) => {
  it.runIf(b.ready)(`are each interpreter's own, ${rounds} rounds`, () => {
    const r = spawnSync(path.join(b.dir!, 'pymt'), ['-n', '2', '--rounds', String(rounds), '-E', probe, '300'], { cwd: b.dir, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.includes('libc-probe'));
    expect(lines).toHaveLength(2 * rounds);
    const wrong = lines.filter((l) => !/ wrong=0 ?$/.test(l));
    expect(wrong, wrong.slice(0, 5).join('\n')).toEqual([]);
    for (const l of lines) expect(Number(/checks=(\d+)/.exec(l)![1])).toBeGreaterThan(1000);
  }, 620_000);
});
