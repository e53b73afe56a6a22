// interpqueue in a real build: the contract in one interpreter (tls build, and the stock
// variant where it works within one interpreter), several producers and consumers at once with
// every item counted, close waking waiters in other interpreters, a consumer that dies, and a
// C host feeding interpreters through pyglobal.h. Needs PYGLOBAL_TLS_BUILD (and, for the stock
// half, PYGLOBAL_STOCK_BUILD): `pyglobal build` outputs of a tree rewritten by this version; for
// 2.7, PYGLOBAL_TLS27_BUILD and PYGLOBAL_STOCK27_BUILD. Each one unset is skipped with a line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cpython2/target/tree.ts';
import { e2eBuilds, stockBuildVars, tlsBuildVars } from './builds.ts';

const has = (build: string | undefined) =>
  !!build && spawnSync(path.join(build, 'python'), ['-E', '-c', 'import interpqueue'], { cwd: build }).status === 0;
const tlsBuilds = e2eBuilds(tlsBuildVars, 'tls').map((b) => {
  const ready = has(b.dir) && fs.existsSync(path.join(b.dir!, 'pymt'));
  if (!ready) console.log(`skipping interpqueue on a tls build: set ${b.env} to a \`pyglobal build --variant tls\` output with interpqueue`);
  return { ...b, ready };
});
const stockBuilds = e2eBuilds(stockBuildVars, 'stock').map((b) => {
  const ready = has(b.dir);
  if (!ready) console.log(`skipping interpqueue on the stock variant: set ${b.env} to a \`pyglobal build --variant stock\` output with interpqueue`);
  return { ...b, ready };
});

const probes = path.join(projectRoot, 'test/probes');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-iq-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const run = (exe: string, args: string[], cwd: string) => spawnSync(exe, args, { cwd, encoding: 'latin1', timeout: 300_000 });
const lines = (out: string) => out.split('\n').filter((l) => / iq /.test(` ${l.replace(/^\[\d+\] /, '')}`)).map((l) => l.replace(/^\[\d+\] /, ''));

describe.each([...tlsBuilds, ...stockBuilds])('interpqueue contract, $label', ({ dir: build, ready }) => {
  it.runIf(ready)('every call, exception, allowed type and a refused one, timeouts, close', () => {
    const r = run(path.join(build!, 'python'), ['-E', path.join(probes, 'interpqueue_contract.py')], build!);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^interpqueue-contract ok \d+ checks$/m);
  });
});

for (const { dir: tls, ready, libpython, label } of tlsBuilds) describe.runIf(ready)(`interpqueue between interpreters at once, ${label}`, () => {
  const pymt = () => path.join(tls!, 'pymt');
  const many = path.join(probes, 'interpqueue_many.py');

  it('4 producers and 4 consumers on one bounded queue: every item exactly once', () => {
    const r = run(pymt(), ['-n', '9', '-E', many, 'count', '4', '4', '20000'], tls!);
    expect(r.status, r.stderr).toBe(0);
    const l = lines(r.stdout);
    expect(l).toContainEqual('iq count items=80000 expected=80000 exact=True');
    expect(l.filter((x) => x.startsWith('iq consumer'))).toHaveLength(4);
  });

  it('close wakes every interpreter blocked in get()', () => {
    const r = run(pymt(), ['-n', '4', '-E', many, 'close'], tls!);
    expect(r.status, r.stderr).toBe(0);
    const woke = lines(r.stdout).filter((x) => /^iq waiter \d+ woke Closed after/.test(x));
    expect(woke).toHaveLength(3);
  });

  it('a consumer that dies does not wedge the producer: put with a timeout returns, close wakes it', () => {
    const r = run(pymt(), ['-n', '3', '-E', many, 'dead-consumer'], tls!);
    expect(r.status).toBe(1); // the consumer's interpreter ended with its error, as it should
    expect(r.stdout + r.stderr).toContain('RuntimeError: consumer died on purpose');
    expect(lines(r.stdout)).toContainEqual(expect.stringMatching(/^iq producer Full after \d+ items, then woke Closed$/));
  });

  it('a C host feeds and drains interpreters through pyglobal.h', () => {
    const exe = path.join(work, `host_queue-${path.basename(libpython!, '.a')}`);
    const b = spawnSync('gcc', ['-pthread', `-I${tls}`, `-I${path.join(tls!, 'Include')}`, path.join(projectRoot, 'test/c/host_queue.c'), libpython!, '-Xlinker', '-export-dynamic', '-lpthread', '-ldl', '-lutil', '-lm', '-o', exe], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const r = spawnSync(exe, ['5000', '3'], { cwd: tls, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONHOME: tls } });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('host: put 5000, got 5000 back upper-cased, 0 bad, through 3 interpreters');
  });
});
