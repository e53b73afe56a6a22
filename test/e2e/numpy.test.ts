// numpy 1.2.1 built the documented way, through pyglobal-cc, against a tls build, then its own
// suite: in one interpreter (the count of the unrewritten numpy), in 4 at once × 10 rounds, and
// in 20 lifecycles one after another, each in a fresh thread. Needs NUMPY_SRC (numpy 1.2.1),
// NOSE_SRC (nose 0.11.4) and PYGLOBAL_TLS_BUILD (`pyglobal build --variant tls --out`). About 5 min.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cpython2/target/tree.ts';

const { NUMPY_SRC: numpy, NOSE_SRC: nose, PYGLOBAL_TLS_BUILD: build } = process.env;
const ready = !!numpy && !!nose && !!build && fs.existsSync(path.join(numpy, 'numpy/core/setup.py')) && fs.existsSync(path.join(build, 'pymt'));
if (!ready) console.log('skipping numpy: set NUMPY_SRC (numpy 1.2.1), NOSE_SRC (nose 0.11.4) and PYGLOBAL_TLS_BUILD (a `pyglobal build --variant tls` output)');

const work = ready ? fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-numpy-')) : '';
afterAll(() => work && fs.rmSync(work, { recursive: true, force: true }));
const suite = path.join(projectRoot, 'test/probes/numpy_suite.py');
const cc = `${path.join(projectRoot, 'bin/pyglobal-cc.js')} gcc`;

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 900_000) {
  return spawnSync(cmd, args, { cwd, encoding: 'latin1', maxBuffer: 256 << 20, timeout, env: { ...process.env, ...env } });
}
const counts = (out: string) => [...out.matchAll(/^numpy [\d.]+: (\d+) tests, (\d+) errors, (\d+) failures$/gm)].map((m) => m.slice(1).map(Number));

describe.runIf(ready)('numpy 1.2.1 through pyglobal-cc', () => {
  const src = path.join(work, 'numpy');
  const site = path.join(work, 'inst/lib/python');
  const env = () => ({ PYTHONPATH: `${site}:${nose}`, TMPDIR: work });
  let single: number[] = [];

  it('builds and installs with CC="pyglobal-cc gcc", every unit rewritten', () => {
    fs.cpSync(numpy!, src, { recursive: true });
    fs.rmSync(path.join(src, 'build'), { recursive: true, force: true });
    const log = path.join(work, 'cc.jsonl');
    const b = sh(path.join(build!, 'python'), ['setup.py', 'build'], src, { CC: cc, PYGLOBAL_CC_LOG: log });
    expect(b.status, (b.stderr || b.stdout).slice(-3000)).toBe(0);
    const i = sh(path.join(build!, 'python'), ['setup.py', 'install', '--home', path.join(work, 'inst')], src, { CC: cc });
    expect(i.status, (i.stderr || i.stdout).slice(-3000)).toBe(0);
    const units = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.action === 'rewritten' && !/_configtest/.test(l.source));
    expect(units.map((u) => path.basename(u.source))).toEqual(expect.arrayContaining(['multiarraymodule.c', 'umathmodule.c', 'scalarmathmodule.c', 'mtrand.c', 'lapack_litemodule.c']));
    expect(units.find((u) => u.source.endsWith('multiarraymodule.c')).moved).toBeGreaterThan(20);
  }, 900_000);

  it('numpy.test() passes in one interpreter', () => {
    const r = sh(path.join(build!, 'python'), [suite], '/', env());
    expect(r.status, r.stdout.slice(-3000)).toBe(0);
    [single] = counts(r.stdout);
    expect(single[0]).toBeGreaterThan(1000);
  }, 300_000);

  it('4 interpreters at once × 10 rounds: every run passes, no crash', () => {
    const out = path.join(work, 'runs4');
    fs.mkdirSync(out);
    const r = sh(path.join(build!, 'pymt'), ['-n', '4', '--rounds', '10', '-o', out, suite], '/', env());
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const all = fs.readdirSync(out).map((f) => counts(fs.readFileSync(path.join(out, f), 'latin1'))[0]);
    expect(all).toHaveLength(40);
    for (const c of all) expect(c).toEqual([single[0], 0, 0]);
  }, 900_000);

  it('20 lifecycles one after another, each in a fresh thread: all pass', () => {
    const out = path.join(work, 'runs1');
    fs.mkdirSync(out);
    const r = sh(path.join(build!, 'pymt'), ['-n', '1', '--rounds', '20', '-o', out, suite], '/', env());
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const all = fs.readdirSync(out).map((f) => counts(fs.readFileSync(path.join(out, f), 'latin1'))[0]);
    expect(all).toHaveLength(20);
    for (const c of all) expect(c).toEqual([single[0], 0, 0]);
  }, 900_000);
});
