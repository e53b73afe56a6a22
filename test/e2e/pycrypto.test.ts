// A real extension module outside the tree, in place: PyCrypto 2.0.1 (PYCRYPTO_SRC, its unpacked
// sources; copied, never written) checked, applied and checked again against the rewritten tree a
// tls build was made from (its pyglobal-build.json's src), built with that build's python
// (`setup.py build`), and its test.py run in 4 interpreters at once for 10 rounds: every run
// passes with the output of one run, timings aside. Its unrewritten twin, built the same way,
// shares its type objects between interpreters: test/probes/pycrypto_shared_type.py sees the
// other interpreter's `type`. Needs PYCRYPTO_SRC and PYGLOBAL_TLS_BUILD (2.4) or
// PYGLOBAL_TLS27_BUILD (2.7); each build unset is skipped with a line. About 1 min per build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cpython2/target/tree.ts';
import { e2eBuilds, tlsBuildVars } from './builds.ts';

const source = process.env.PYCRYPTO_SRC;
const builds = e2eBuilds(tlsBuildVars, 'tls').map((b) => {
  const ready = !!source && !!b.src && fs.existsSync(path.join(b.dir!, 'pymt'));
  if (!ready) console.log(`skipping PyCrypto on ${b.env}: set PYCRYPTO_SRC (PyCrypto 2.0.1) and ${b.env} (a \`pyglobal build --variant tls\` output with pymt, its rewritten tree still at its src)`);
  return { ...b, ready };
});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-pycrypto-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, [path.join(projectRoot, 'bin/pyglobal.js'), ...args], { encoding: 'utf8' });
const copy = (to: string) => {
  fs.cpSync(source!, to, { recursive: true });
  for (const f of fs.readdirSync(to, { recursive: true, withFileTypes: true })) if (f.isFile()) fs.chmodSync(path.join(f.parentPath, f.name), 0o644);
  return to;
};
/** Timings aside: test.py prints K/sec figures that differ from run to run. */
const untimed = (text: string) => text.replace(/\d+\.\d+ K\/sec/g, 'K/sec');

for (const b of builds) describe.runIf(b.ready)(`PyCrypto 2.0.1 in place, ${b.label}`, () => {
  const dir = path.join(work, `rewritten-${b.version}`);
  const twin = path.join(work, `unrewritten-${b.version}`);
  const python = path.join(b.dir ?? '', 'python');
  const pymt = path.join(b.dir ?? '', 'pymt');
  const setup = (at: string) => spawnSync(python, ['setup.py', 'build'], { cwd: at, encoding: 'utf8', timeout: 300_000 });

  it('check fails with file:line, apply rewrites it, check passes, setup.py build builds it', () => {
    copy(dir);
    const before = cli(['check', path.join(dir, 'src'), '--python', b.src!]);
    expect(before.status).toBe(1);
    expect(before.stdout + before.stderr).toMatch(/block_template\.c[\s\S]*\d+:\d+\s+error\s+definition of ALGtype lacks PYGLOBAL/);
    const applied = cli(['apply', path.join(dir, 'src'), '--python', b.src!]);
    expect(applied.status, applied.stderr).toBe(0);
    const after = cli(['check', path.join(dir, 'src'), '--python', b.src!]);
    expect(after.status, after.stdout + after.stderr).toBe(0);
    const built = setup(dir);
    expect(built.status, built.stderr.slice(-3000)).toBe(0);
  }, 400_000);

  it('test.py in 4 interpreters at once, 10 rounds: 40 of 40 pass with the output of one run', () => {
    const one = spawnSync(python, ['-E', 'test.py'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(one.status, one.stderr).toBe(0);
    const out = fs.mkdtempSync(path.join(work, 'runs-'));
    const r = spawnSync(pymt, ['-n', '4', '--rounds', '10', '-E', '-o', out, 'test.py'], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const runs = fs.readdirSync(out);
    expect(runs).toHaveLength(40);
    for (const f of runs) expect(untimed(fs.readFileSync(path.join(out, f), 'latin1')), f).toBe(untimed(one.stdout + one.stderr));
  }, 620_000);

  it('each interpreter has its own type objects; the unrewritten twin shares them', () => {
    const probe = path.join(projectRoot, 'test/probes/pycrypto_shared_type.py');
    const lines = (at: string) => {
      const r = spawnSync(pymt, ['-n', '2', '--rounds', '5', '-E', probe], { cwd: at, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.split('\n').filter((l) => l.includes('pycrypto-shared-type')).map((l) => l.replace(/^\[[\d:]+\] /, ''));
    };
    const own = lines(dir);
    expect(own).toHaveLength(10);
    expect(own.every((l) => l.endsWith('own-type=True')), own.join('\n')).toBe(true);
    copy(twin);
    expect(setup(twin).status).toBe(0);
    const shared = lines(twin);
    expect(shared).toContain('pycrypto-shared-type interp=1 own-type=False');
  }, 400_000);
});
