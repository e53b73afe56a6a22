// The Windows build of a rewritten 2.4.6 tree under Wine: `pyglobal build <tree> --variant tls
// --target windows --out DIR` (the contract spelling), then DIR/pymt.exe runs 2 interpreters at
// once for a few rounds of a mixed workload (dicts, classes, exceptions, generators, re, struct,
// cPickle, unicode); every interpreter must print the checksum one interpreter alone prints.
// Needs clang (or x86_64-w64-mingw32-gcc), wine, and PYGLOBAL_REWRITTEN_TREE: a tree written by
// `pyglobal apply` from CPython 2.4.6. Skips with a line saying which is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/capture.ts';

const onPath = (p: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', p]).status === 0;
const tree = process.env.PYGLOBAL_REWRITTEN_TREE;
const missing = [
  onPath('clang') || onPath('x86_64-w64-mingw32-gcc') ? null : 'clang or x86_64-w64-mingw32-gcc (apt-get install clang lld mingw-w64)',
  onPath('wine') ? null : 'wine (apt-get install wine)',
  tree && fs.existsSync(path.join(tree, 'Include/pyglobal.h')) && fs.existsSync(path.join(tree, 'PCbuild/pythoncore.vcproj'))
    ? null
    : 'PYGLOBAL_REWRITTEN_TREE (a CPython 2.4.6 tree rewritten by pyglobal apply)',
].filter((m): m is string => m !== null);
if (missing.length) console.log(`skipping the Windows build under Wine: no ${missing.join(', no ')}`);

const workload = `import re, struct, cPickle, md5
def gen(n):
    for i in xrange(n):
        yield i * 3
class P(object):
    def __init__(self, v): self.v = v
    def __repr__(self): return 'P(%r)' % (self.v,)
acc = 0
for r in range(10):
    d = dict([('x%d' % i, P(i)) for i in range(200)])
    try:
        d['nope']
    except KeyError:
        acc += 1
    acc += sum(gen(150))
    acc += len(re.findall(r'[0-9]+', ' '.join(map(str, range(150)))))
    acc += struct.unpack('<I', struct.pack('<I', r * 11))[0]
    acc += len(cPickle.loads(cPickle.dumps([P(2), u'\\u00e9' * r, {3: 4}], 2))[1])
    acc += len(u'gr\\xfc\\xdf dich'.encode('utf-8')) + len(repr(d['x9']))
print 'checksum', acc, md5.new(str(acc)).hexdigest()[:8]
`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-win-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.runIf(missing.length === 0)('Windows build under Wine', () => {
  it('builds with the contract spelling and 2 interpreters x 3 rounds each give the single-interpreter checksum', { timeout: 900_000 }, async () => {
    const out = path.join(work, 'win');
    const built = await runCli(['build', tree!, '--variant', 'tls', '--target', 'windows', '--out', out]);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    expect(built.stdout).toMatch(/^ {2}compiler {4}(clang|gcc): /m);
    const pymt = path.join(out, 'pymt.exe');
    expect(fs.existsSync(path.join(out, 'libpython24.a'))).toBe(true);
    expect(fs.existsSync(pymt)).toBe(true);
    const script = path.join(work, 'work.py');
    fs.writeFileSync(script, workload);
    const wine = (args: string[]) =>
      spawnSync('wine', [pymt, ...args], { cwd: out, encoding: 'latin1', timeout: 600_000, env: { ...process.env, WINEDEBUG: '-all' } });

    const one = wine([script]);
    expect(one.status, one.stderr).toBe(0);
    const ref = one.stdout.match(/^\[0\] (checksum \d+ [0-9a-f]{8})\r?$/m)?.[1];
    expect(ref, one.stdout).toBeDefined();

    const two = wine(['-n', '2', '--rounds', '3', script]);
    expect(two.status, two.stderr).toBe(0);
    const got = [...two.stdout.matchAll(/^\[(\d):(\d)\] (checksum .*?)\r?$/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
    const want = ['0:1', '1:1', '0:2', '1:2', '0:3', '1:3'].map((l) => `${l} ${ref}`);
    expect(got.sort()).toEqual(want.sort());
  });
});

describe.runIf(missing.length === 0 && onPath('clang'))('an extension module linked into a Windows host', () => {
  it('xxmodule, rewritten by apply, registered per thread with PyImport_AppendInittab: 4 interpreters x 5 rounds, all alike', { timeout: 900_000 }, async () => {
    const out = path.join(work, 'win');
    if (!fs.existsSync(path.join(out, 'libpython24.a'))) {
      const built = await runCli(['build', tree!, '--variant', 'tls', '--target', 'windows', '--out', out]);
      expect(built.code, built.stderr + built.stdout).toBe(0);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'pyglobal-build.json'), 'utf8'));
    expect(summary.compiler.name).toBe('clang'); // clang is on the path, so the build chose it; the flags below are its
    const flags = ['--target=x86_64-w64-mingw32', '-fms-extensions', '-O2', '-DPYGLOBAL=__declspec(thread)', '-DMS_WIN64', '-DPy_NO_ENABLE_SHARED', '-DHAVE_UINTPTR_T=1', '-DHAVE_INTPTR_T=1', `-I${path.join(out, 'pyglobal-win')}`, `-I${path.join(out, 'Include')}`, `-I${path.join(out, 'PC')}`, '-Wno-everything'];
    const exe = path.join(work, 'win_appendinittab.exe');
    const cc = spawnSync('clang', [...flags, path.join(tree!, 'Modules/xxmodule.c'), path.join(import.meta.dirname, '../c/win_appendinittab.c'), path.join(out, 'libpython24.a'), '-fuse-ld=lld', `-L${summary.libgccDir}`, '-o', exe], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const winPath = `Z:${out.replace(/\//g, '\\')}`;
    const host = (n: string, rounds: string) => spawnSync('wine', [exe, n, rounds], { cwd: out, encoding: 'latin1', timeout: 600_000, env: { ...process.env, WINEDEBUG: '-all', PYTHONHOME: winPath } });
    const xx = (stdout: string) => stdout.split(/\r?\n/).filter((l) => l.startsWith('xx '));
    const one = host('1', '1');
    expect(one.status, one.stderr).toBe(0);
    const [ref] = xx(one.stdout);
    expect(ref).toMatch(/^xx \d+ Xxo$/);
    const r = host('4', '5');
    expect(r.status, r.stderr).toBe(0);
    const lines = xx(r.stdout);
    expect(lines).toHaveLength(20);
    expect(new Set(lines)).toEqual(new Set([ref]));
  });
});

