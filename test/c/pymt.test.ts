// pymt against a real libpython2.4.a. The stock build has no pyglobal.h, so pymt compiles
// without the PyGlobals_* calls and only one interpreter at a time is safe there; the tls
// build (PYGLOBAL_TLS_BUILD) runs several at once.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cpython2/target/tree.ts';
import { parsePymtLine, parsePymtStderr, type PymtInterpRecord } from '../../src/cpython2/test/pymt-run.ts';
import { checksumOf, stressWorkload } from '../../src/cpython2/test/stress.ts';

const stock = process.env.PYGLOBAL_STOCK_BUILD;
if (!stock) console.log('pymt tests skipped: set PYGLOBAL_STOCK_BUILD to a built CPython 2.4.6 tree (libpython2.4.a, python)');

function run(exe: string, args: string[], cwd?: string) {
  const r = spawnSync(exe, args, { encoding: 'latin1', cwd, timeout: 120_000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}
function records(out: string): PymtInterpRecord[] {
  return out.split('\n').map(parsePymtLine).filter((r): r is PymtInterpRecord => r?.type === 'interp');
}

describe.skipIf(!stock)('pymt on a stock build (one interpreter at a time)', () => {
  let dir: string;
  let pymt: string;
  let prog: string[];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pymt-test-'));
    pymt = path.join(dir, 'pymt');
    const cc = spawnSync(
      'gcc',
      ['-Wall', '-Wextra', '-Wno-unused-parameter', '-pthread', `-I${stock}`, `-I${stock}/Include`,
        path.join(projectRoot, 'src/c/pymt.c'), `${stock}/libpython2.4.a`, '-Xlinker', '-export-dynamic',
        '-lpthread', '-ldl', '-lutil', '-lm', '-o', pymt],
      { encoding: 'utf8' },
    );
    // Warnings in our own C count as defects; the linker's tempnam notes about libpython do not.
    expect(cc.stderr.split('\n').filter((l) => /(pymt|sharedmodel)\.c:\d+:\d+: (warning|error)/.test(l))).toEqual([]);
    expect(cc.status).toBe(0);
    // pymt is not next to python here, so name the build's python for getpath and sys.executable.
    prog = ['--program-name', path.join(stock!, 'python')];
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs -c with sys.argv, finds Lib and extension modules, and labels each line', () => {
    const r = run(pymt, [...prog, '-c', 'import sys, zlib, pymt\nprint sys.argv, pymt.index, pymt.count\nprint >>sys.stderr, "to stderr"', 'a', 'b']);
    expect(r.code).toBe(0);
    expect(r.out).toBe("[0] ['-c', 'a', 'b'] 0 1\n[0] to stderr\n");
  });

  it('reports exit codes and uncaught exceptions per interpreter, and exits 1', () => {
    const exit3 = run(pymt, [...prog, '-c', 'import sys; sys.exit(3)']);
    expect(exit3.code).toBe(1);
    expect(exit3.err).toContain('pymt: interpreter 0 round 1 failed: exit code 3');
    const exc = run(pymt, [...prog, '--json', '-c', '1/0']);
    expect(exc.code).toBe(1);
    const [rec] = records(exc.out);
    expect(rec).toMatchObject({ ok: false, exit: 1, reason: 'uncaught ZeroDivisionError: integer division or modulo by zero' });
    expect(rec.output).toMatch(/Traceback \(most recent call last\):[\s\S]*ZeroDivisionError/);
    expect(run(pymt, [...prog, '-c', 'raise SystemExit']).code).toBe(0);
    // An exit handler's SystemExit must not end the whole process through Py_Exit.
    const atexit = run(pymt, [...prog, '--json', '-c', 'import atexit, sys\natexit.register(sys.exit, 4)']);
    expect(records(atexit.out)[0]).toMatchObject({ ok: false, exit: 4 });
    expect(atexit.out).toMatch(/"type":"summary"/);
  });

  it('runs a FILE and -m MODULE as __main__, and writes -o DIR/interp-K.out', () => {
    const script = path.join(dir, 'prog.py');
    fs.writeFileSync(script, 'import sys\nprint __name__, sys.argv[1:], __file__ == sys.argv[0]\n');
    expect(run(pymt, [...prog, script, 'x']).out).toBe("[0] __main__ ['x'] True\n");
    const m = run(pymt, [...prog, '-m', 'pydoc', '-k', 'zzzznothing']);
    expect(m.code).toBe(0);
    const outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir);
    const o = run(pymt, [...prog, '-o', outDir, '--rounds', '2', '-c', 'import pymt; print "round", pymt.round']);
    expect(o.out).toBe('');
    expect(fs.readFileSync(path.join(outDir, 'interp-0.round-2.out'), 'utf8')).toBe('round 2\n');
    expect(run(pymt, [...prog, '-m', 'no_such_module_x']).err).toMatch(/failed: finding module: uncaught ImportError/);
  });

  it('repeats lifecycles with --rounds, reporting RSS per round in --json', () => {
    const r = run(pymt, [...prog, '--rounds', '5', '--rss', '--json', '-c', 'import pymt; print pymt.round']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'interp').map((l) => l.output)).toEqual(['1\n', '2\n', '3\n', '4\n', '5\n']);
    expect(lines.filter((l) => l.type === 'round').every((l) => l.rssKb > 1000 && l.peakRssKb >= l.rssKb)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', interpreters: 1, rounds: 5, failed: 0, pyglobal: null });
  });

  it('shares one model with sharedmodel: sizes, triangles, a C checksum, a no-copy buffer', () => {
    const code = [
      'import sharedmodel as m, struct',
      'n = m.count()',
      'print m.size() == n * 36, n',
      'print m.checksum(5, 10) == sum([sum(m.triangle(i)) for i in range(5, 15)])',
      'print struct.unpack("9f", m.buffer(3, 1)[:]) == m.triangle(3), len(m.buffer()) == m.size()',
      'print repr(m.checksum())',
      'try:\n    m.triangle(n)\nexcept IndexError:\n    print "IndexError"',
    ].join('\n');
    const r = run(pymt, [...prog, '--model', '1', '-c', code]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('[0] True 29127');
    expect(lines.slice(1, 3)).toEqual(['[0] True', '[0] True True']);
    // The host printed the same checksum when it built the model.
    const host = /checksum ([\d.]+)/.exec(r.err)![1];
    expect(Number(lines[3].slice(4))).toBe(Number(host));
    expect(lines[4]).toBe('[0] IndexError');
  });

  it('gives the stress workload the same checksum as ./python', () => {
    const script = path.join(dir, 'stress.py');
    fs.writeFileSync(script, stressWorkload(1));
    const py = execFileSync(path.join(stock!, 'python'), ['-E', script], { encoding: 'latin1' });
    const r = run(pymt, [...prog, '-E', '--json', '--rounds', '3', script]);
    const sums = records(r.out).map((x) => checksumOf(x.output));
    expect(sums).toHaveLength(3);
    expect(new Set(sums)).toEqual(new Set([checksumOf(py)]));
  });

  it('names the interpreter a fatal signal hit, then dies of that signal', () => {
    const r = run(pymt, [...prog, '--stack', '1', '-c', 'import sys\nsys.setrecursionlimit(10**7)\ndef f(): f()\nf()']);
    expect(r.signal).toBe('SIGSEGV');
    expect(parsePymtStderr(r.err).deaths).toEqual([{ interp: 0, round: 1, signal: 11, name: 'SIGSEGV' }]);
  });

  it('with --serialize, starts N threads per round and keeps each output and failure apart', () => {
    const r = run(pymt, [...prog, '-n', '3', '--serialize', '--rounds', '2', '-c', 'import pymt, sys\nprint "i am", pymt.index, pymt.count, pymt.round\nsys.exit(pymt.index)']);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter(Boolean).sort()).toEqual(
      ['[0:1] i am 0 3 1', '[0:2] i am 0 3 2', '[1:1] i am 1 3 1', '[1:2] i am 1 3 2', '[2:1] i am 2 3 1', '[2:2] i am 2 3 2'],
    );
    expect(r.err).toContain('pymt: interpreter 1 round 2 failed: exit code 1');
    expect(r.err).toContain('pymt: interpreter 2 round 1 failed: exit code 2');
    expect(r.err).toContain('pymt: 4 of 6 interpreter runs failed (2 of 2 rounds)');
    const outDir = path.join(dir, 'out3');
    fs.mkdirSync(outDir);
    expect(run(pymt, [...prog, '-n', '3', '--serialize', '-o', outDir, '-c', 'import pymt; print pymt.index']).code).toBe(0);
    expect([0, 1, 2].map((k) => fs.readFileSync(path.join(outDir, `interp-${k}.out`), 'utf8'))).toEqual(['0\n', '1\n', '2\n']);
  });

  it('runs one program per --stage/--stage-c, each seeing its stage as pymt.index', () => {
    // --serialize: a stock libpython runs one lifecycle at a time; the tls test below runs them at once.
    const a = path.join(dir, 'stage_a.py');
    fs.writeFileSync(a, 'import pymt, sys\nprint "a", pymt.index, pymt.count, sys.argv, pymt.round\n');
    const code = 'import pymt, sys\nprint "c", pymt.index, pymt.count, sys.argv';
    const r = run(pymt, [...prog, '--serialize', '--rounds', '2', '--stage', a, '--stage-c', code, '--stage', a]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean).sort()).toEqual([
      `[0:1] a 0 3 ['${a}'] 1`, `[0:2] a 0 3 ['${a}'] 2`, "[1:1] c 1 3 ['-c']", "[1:2] c 1 3 ['-c']",
      `[2:1] a 2 3 ['${a}'] 1`, `[2:2] a 2 3 ['${a}'] 2`,
    ]);
    // -n may be given if it agrees; -o and --json work per stage as per interpreter.
    const outDir = path.join(dir, 'stages');
    fs.mkdirSync(outDir);
    expect(run(pymt, [...prog, '--serialize', '-n', '2', '-o', outDir, '--stage-c', 'print 0', '--stage-c', 'print 1']).code).toBe(0);
    expect([0, 1].map((k) => fs.readFileSync(path.join(outDir, `interp-${k}.out`), 'utf8'))).toEqual(['0\n', '1\n']);
    const j = run(pymt, [...prog, '--serialize', '--json', '--stage-c', 'import sys; sys.exit(0)', '--stage-c', 'import sys; sys.exit(5)']);
    expect(j.code).toBe(1);
    expect(records(j.out).map((x) => [x.interp, x.exit])).toEqual([[0, 0], [1, 5]]);
  });

  it('rejects stages mixed with a program, an -n that disagrees, and a missing stage value', () => {
    expect(run(pymt, [...prog, '--stage-c', 'pass', '-c', 'pass']).code).toBe(2);
    const n = run(pymt, [...prog, '-n', '3', '--stage-c', 'pass', '--stage-c', 'pass']);
    expect(n.code).toBe(2);
    expect(n.err).toContain('-n disagrees with the 2 stages given');
    expect(run(pymt, [...prog, '--stage']).code).toBe(2);
  });

  it('rejects bad arguments with exit 2', () => {
    expect(run(pymt, ['-n', '0', '-c', 'pass']).code).toBe(2);
    expect(run(pymt, ['--model', 'big', '-c', 'pass']).code).toBe(2);
    expect(run(pymt, ['-n', '2']).code).toBe(2);
    expect(run(pymt, ['--frobnicate']).code).toBe(2);
  });
});

const tls = process.env.PYGLOBAL_TLS_BUILD;
if (!tls) console.log('concurrent pymt tests skipped: set PYGLOBAL_TLS_BUILD to a pyglobal build --variant tls directory');
describe.skipIf(!tls)('pymt on the tls build (interpreters at once)', () => {
  it('runs 4 interpreters at once, 5 rounds, each with the single-thread checksum', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pymt-tls-'));
    const script = path.join(dir, 'stress.py');
    fs.writeFileSync(script, stressWorkload(1));
    const one = run(path.join(tls!, 'pymt'), ['-E', '--json', script], tls);
    const ref = checksumOf(records(one.out)[0]?.output);
    expect(ref).not.toBeNull();
    const r = run(path.join(tls!, 'pymt'), ['-n', '4', '--rounds', '5', '-E', '--json', script], tls);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    const recs = records(r.out);
    expect(recs).toHaveLength(20);
    expect(recs.every((x) => x.ok && checksumOf(x.output) === ref)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs N --stage programs at once, one per interpreter, and a pipeline through interpqueue when the build has it', () => {
    // pymt from this source, so the test does not depend on when the build was made.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pymt-stage-'));
    try {
      const exe = path.join(dir, 'pymt');
      execFileSync('gcc', ['-pthread', `-I${tls}`, `-I${tls}/Include`, path.join(projectRoot, 'src/c/pymt.c'), `${tls}/libpython2.4.a`,
        '-Xlinker', '-export-dynamic', '-lpthread', '-ldl', '-lutil', '-lm', '-o', exe], { stdio: 'ignore' });
      const prog = ['--program-name', path.join(tls!, 'python'), '-E'];
      // All 3 start at one barrier: each waits until it has seen the others' files, which only
      // works if they really run at the same time.
      const stage = path.join(dir, 'stage.py');
      fs.writeFileSync(stage, [
        'import os, pymt, sys, time',
        `d = ${JSON.stringify(dir)}`,
        "open(os.path.join(d, 'up-%d' % pymt.index), 'w').close()",
        'deadline = time.time() + 30',
        "while len([f for f in os.listdir(d) if f.startswith('up-')]) < pymt.count and time.time() < deadline:",
        '    time.sleep(0.01)',
        "print pymt.index, pymt.count, os.path.basename(sys.argv[0]), len([f for f in os.listdir(d) if f.startswith('up-')])",
      ].join('\n'));
      const r = run(exe, [...prog, '--json', '--stage', stage, '--stage', stage, '--stage', stage], dir);
      expect(r.code).toBe(0);
      expect(records(r.out).map((x) => x.output)).toEqual(['0 3 stage.py 3\n', '1 3 stage.py 3\n', '2 3 stage.py 3\n']);

      const hasQueue = spawnSync(path.join(tls!, 'python'), ['-E', '-c', 'import interpqueue'], { cwd: tls }).status === 0;
      if (!hasQueue) return;
      // source -> double -> sink, 1000 items, counted at the sink.
      const src = "import interpqueue as iq\nq = iq.Queue('t-1', 8)\nfor i in range(1000): q.put(i, timeout=30)\nq.close()";
      const mid = [
        'import interpqueue as iq', "a = iq.Queue('t-1', 8)", "b = iq.Queue('t-2', 8)", 'while 1:',
        '    try: x = a.get(timeout=30)', '    except iq.Closed: break', '    b.put(2 * x, timeout=30)', 'b.close()',
      ].join('\n');
      const sink = [
        'import interpqueue as iq', "b = iq.Queue('t-2', 8)", 'got = []', 'while 1:',
        '    try: got.append(b.get(timeout=30))', '    except iq.Closed: break', 'print len(got), sum(got), got == range(0, 2000, 2)',
      ].join('\n');
      const p = run(exe, [...prog, '--json', '--stage-c', src, '--stage-c', mid, '--stage-c', sink], dir);
      expect(p.code).toBe(0);
      expect(records(p.out)[2].output).toBe(`1000 ${999 * 1000} True\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// pyglobal test's parts on the real stock build, one interpreter (all a stock libpython allows).
describe.skipIf(!stock)('pyglobal test parts on a stock build with pymt', () => {
  it('(a) and (b) agree on a few tests, the process-wide ones run alone; (c) is all correct', async () => {
    const { runTests } = await import('../../src/cpython2/test/run-tests.ts');
    // pymt must sit next to ./python for part (b): use a scratch copy of what is needed.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pymt-parts-'));
    try {
      for (const f of ['python', 'Makefile', 'pyconfig.h', 'Modules', 'Lib', 'build']) fs.symlinkSync(path.join(stock!, f), path.join(dir, f));
      execFileSync('gcc', ['-pthread', `-I${stock}`, `-I${stock}/Include`, path.join(projectRoot, 'src/c/pymt.c'), `${stock}/libpython2.4.a`,
        '-Xlinker', '-export-dynamic', '-lpthread', '-ldl', '-lutil', '-lm', '-o', path.join(dir, 'pymt')], { stdio: 'ignore' });
      const report = await runTests({
        build: dir, threads: 1, rounds: 3, parts: ['a', 'b', 'c'],
        tests: ['test_grammar', 'test_binhex', 'test_os', 'test_struct', 'test_dl'], workDir: path.join(dir, 'work'),
      });
      expect(report.a).toMatchObject({ status: 'ok', ok: ['test_binhex', 'test_grammar', 'test_os', 'test_struct'], skipped: ['test_dl'] });
      expect(report.b).toMatchObject({ status: 'ok', differences: [], alone: [expect.objectContaining({ test: 'test_os' })] });
      expect(report.b!.results.find((r) => r.test === 'test_os')).toMatchObject({ outcome: 'ok' });
      expect(report.c).toMatchObject({ status: 'ok', counts: { correct: 3 } });
      expect(report.status).toBe('ok');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
