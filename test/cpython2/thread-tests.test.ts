// rules/thread-tests.json, its loader and the test-list filter; and src/py/thread.py, the
// thread module of the thread-local build, run for real when PYGLOBAL_TLS_BUILD names one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.ts';
import {
  hideThreadRegrtestArgs,
  loadThreadTestRules,
  staleThreadRows,
  validateThreadTestRules,
} from '../../src/cpython2/test/thread-tests.ts';
import { listRegressionTests, removeThreadTests, splitThreadTests } from '../../src/cpython2/test/testlist.ts';
import { projectRoot } from '../../src/cpython2/target/tree.ts';

const row = { test: 'test_x', mode: 'exclude', reason: 'starts a threading.Thread that serves a socket' };

describe('thread test rules', () => {
  it('ships a valid rules file: every row has a mode and a reason', () => {
    const rules = loadThreadTestRules();
    for (const r of rules.tests) expect(r.reason.length).toBeGreaterThan(30);
    const names = rules.tests.map((r) => r.test);
    for (const t of ['test_thread', 'test_threading', 'test_queue', 'test_socket', 'test_imp']) expect(names).toContain(t);
    expect(rules.tests.find((r) => r.test === 'test_decimal')?.mode).toBe('hide-thread');
  });
  it('rejects rows without a reason, with an unknown mode or field, and duplicates, naming the row', () => {
    const bad = (tests: unknown[]) => () => validateThreadTestRules({ tests }, 'r.json');
    const { reason: _dropped, ...noReason } = row;
    expect(bad([noReason])).toThrow(/r\.json: tests\[0\] \(test_x\)\.reason: every row needs a reason/);
    expect(bad([{ ...row, reason: '   ' }])).toThrow(/\.reason/);
    expect(bad([{ ...row, reason: 'threads' }])).toThrow(/\.reason/);
    expect(bad([{ ...row, mode: 'alone' }])).toThrow(/\(test_x\)\.mode: expected "exclude" or "hide-thread"/);
    expect(bad([row, row])).toThrow(/test_x is listed twice/);
    expect(bad([{ ...row, state: ['cwd'] }])).toThrow(/unknown field "state"/);
    expect(bad([{ ...row, test: 'thread' }])).toThrow(UsageError);
    expect(bad(['test_x'])).toThrow(/tests\[0\]: expected an object/);
    expect(() => validateThreadTestRules([], 'r.json')).toThrow(/expected an object/);
    expect(() => validateThreadTestRules({ tests: {} }, 'r.json')).toThrow(/"tests" must be an array/);
  });
  it('reports a file it cannot read or parse as a usage error naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thread-rules-'));
    const f = path.join(dir, 'x.json');
    fs.writeFileSync(f, '{ nope');
    expect(() => loadThreadTestRules(f)).toThrow(/x\.json: not valid JSON/);
    expect(() => loadThreadTestRules(path.join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('reports rows naming tests the tree does not have', () => {
    const rules = validateThreadTestRules({ tests: [row, { ...row, test: 'test_y' }] }, 'r.json');
    expect(staleThreadRows(rules, ['test_y']).map((r) => r.test)).toEqual(['test_x']);
  });
});

describe('removing thread tests from a test list', () => {
  const rules = validateThreadTestRules(
    {
      tests: [
        { test: 'test_thread', mode: 'exclude', reason: 'starts threads with thread.start_new_thread' },
        { test: 'test_decimal', mode: 'hide-thread', reason: 'one method starts two threading.Threads' },
        { test: 'test_gone', mode: 'exclude', reason: 'not in this list at all, ignored here' },
      ],
    },
    'r.json',
  );
  const tests = ['test_grammar', 'test_decimal', 'test_os', 'test_thread', 'test_zlib'];
  it('takes them out for a build without the built-in thread module, keeping the order', () => {
    expect(removeThreadTests(tests, true, rules)).toEqual(['test_grammar', 'test_os', 'test_zlib']);
    const s = splitThreadTests(tests, true, rules);
    expect(s.hideThread).toEqual(['test_decimal']);
    expect(s.excluded.map((r) => r.test)).toEqual(['test_thread']);
    expect(s.excluded[0].reason).toMatch(/start_new_thread/);
  });
  it('leaves the list alone for a build that has the built-in thread module', () => {
    expect(removeThreadTests(tests, false, rules)).toEqual(tests);
    expect(splitThreadTests(tests, false, rules)).toEqual({ run: tests, hideThread: [], excluded: [] });
  });
  it('uses the shipped rules by default', () => {
    expect(removeThreadTests(['test_thread', 'test_os'], true)).toEqual(['test_os']);
  });
  it('runs hide-thread tests through regrtest with sys.modules["thread"] = None', () => {
    const args = hideThreadRegrtestArgs(['test_decimal']);
    expect(args.slice(0, 3)).toEqual(['-E', '-tt', '-c']);
    expect(args[3]).toBe("import sys; sys.modules['thread'] = None; from test import regrtest; regrtest.main(['test_decimal'])");
    expect(() => hideThreadRegrtestArgs(["test_x'); import os; ('"])).toThrow(UsageError);
  });
});

const src = process.env.CPYTHON24_SRC;
if (!src) console.log('thread rules vs the real Lib/test skipped: set CPYTHON24_SRC to a CPython 2.4.6 tree');
describe.skipIf(!src)('thread rules against the real tree', () => {
  it('names only tests that exist, and every test that starts a thread (test_capi only WITH_THREAD)', () => {
    const tests = listRegressionTests(src!);
    const rules = loadThreadTestRules();
    expect(staleThreadRows(rules, tests)).toEqual([]);
    const listed = new Set(rules.tests.map((r) => r.test));
    const starts =
      /\bthread\.start_new(_thread)?\(|\bthreading\.(Thread|Timer)\b|Threading(TCP|UDP|UnixStream|UnixDatagram)Server/;
    const starting = tests.filter((t) => starts.test(fs.readFileSync(path.join(src!, 'Lib', 'test', `${t}.py`), 'latin1')));
    expect(starting.length).toBeGreaterThan(10);
    // test_capi starts its thread only when _testcapi has _test_thread_state (WITH_THREAD).
    expect(starting.filter((t) => !listed.has(t) && t !== 'test_capi')).toEqual([]);
  });
});

// ---- src/py/thread.py in a real thread-local build ----

const threadPy = path.join(projectRoot, 'src', 'py', 'thread.py');

/** Exercises the module; prints "name=value" lines and "ALL OK" at the end. */
const checks = String.raw`
import sys
sys.path.insert(0, DIR)
import thread, threading, time, Queue, tempfile, logging, os
assert thread.__file__.startswith(DIR), thread.__file__
def out(k, v): print '%s=%s' % (k, v)

l = threading.Lock()
assert type(l) is thread.LockType
assert l.acquire() is True and l.locked() and l.acquire(0) is False
try:
    l.acquire()
    out('blocking_acquire', 'returned')
except thread.error, e:
    out('blocking_acquire', 'error')
l.release()
assert not l.locked()
try:
    l.release()
except thread.error, e:
    out('release_unlocked', e)
assert l.acquire_lock() and l.locked_lock(); l.release_lock()

r = threading.RLock()
r.acquire(); r.acquire(); r.release(); r.release()
try:
    r.release()
except AssertionError:
    out('rlock', 'ok')

c = threading.Condition()
c.acquire()
t0 = time.time(); c.wait(0.2); out('cond_wait', '%.2f' % (time.time() - t0))
c.notify(); c.notifyAll()
c.release()

e = threading.Event()
t0 = time.time(); e.wait(0.1); out('event_wait', '%.2f' % (time.time() - t0))
e.set(); e.wait(); assert e.isSet()

loc = threading.local(); loc.x = 1; assert loc.__dict__ == {'x': 1}
try:
    thread._local(1)
except TypeError:
    out('local', 'ok')

q = Queue.Queue(); q.put(1); assert q.get() == 1
try:
    q.get(True, 0.05)
except Queue.Empty:
    out('queue_timeout', 'Empty')
f = tempfile.NamedTemporaryFile(); f.write('x'); f.close()
logging.getLogger('t').addHandler(logging.StreamHandler(open(os.devnull, 'w')))
logging.getLogger('t').error('x')

ran = []
t0 = time.time()
try:
    threading.Thread(target=ran.append, args=(1,)).start()
    out('thread_start', 'returned')
except threading.ThreadError, e:
    out('thread_start', 'error')
    out('thread_start_message', e)
try:
    thread.start_new_thread(ran.append, (1,))
except thread.error:
    out('start_new_thread', 'error')
out('start_seconds', '%.2f' % (time.time() - t0))
out('ran', len(ran))
out('active', threading.activeCount())
assert thread.get_ident() == thread.get_ident() and thread.get_ident() != 0
print 'ALL OK'
`;

const tls = process.env.PYGLOBAL_TLS_BUILD;
if (!tls) console.log('thread.py in a tls build skipped: set PYGLOBAL_TLS_BUILD to a pyglobal build --variant tls directory');
describe.skipIf(!tls)('src/py/thread.py in the tls build (PYGLOBAL_TLS_BUILD)', () => {
  let dir = '';
  beforeAll(() => {
    // A copy, so that 2.4's thread.pyc is written there and not next to the source.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyglobal-thread-'));
    fs.copyFileSync(threadPy, path.join(dir, 'thread.py'));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const code = () => `DIR = ${JSON.stringify(dir)}\n${checks}`;

  it('gives locks, RLock, Condition, Event, local, Queue, tempfile and logging; refuses threads at once', () => {
    const r = spawnSync(path.join(tls!, 'python'), ['-E', '-c', code()], { cwd: tls, encoding: 'latin1', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const kv = Object.fromEntries(
      r.stdout
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(r.stdout).toContain('ALL OK');
    expect(r.status).toBe(0);
    expect(kv.blocking_acquire).toBe('error');
    expect(kv.release_unlocked).toBe('release unlocked lock');
    expect(kv.rlock).toBe('ok');
    expect(Number(kv.cond_wait)).toBeGreaterThanOrEqual(0.19);
    expect(Number(kv.cond_wait)).toBeLessThan(2);
    expect(Number(kv.event_wait)).toBeGreaterThanOrEqual(0.09);
    expect(kv.local).toBe('ok');
    expect(kv.queue_timeout).toBe('Empty');
    expect(kv.thread_start).toBe('error');
    expect(kv.start_new_thread).toBe('error');
    expect(kv.ran).toBe('0');
    expect(kv.active).toBe('1');
    expect(Number(kv.start_seconds)).toBeLessThan(1);
    // The message names the reason and the way out.
    expect(kv.thread_start_message).toMatch(/exactly one OS thread/);
    expect(kv.thread_start_message).toMatch(/thread-local/);
    expect(kv.thread_start_message).toMatch(/pymt -n N/);
    expect(kv.thread_start_message).toMatch(/PyGlobals_InitThread\(\); Py_Initialize\(\)/);
  });

  it('gives each of 4 interpreters at once its own get_ident', () => {
    const pymt = path.join(tls!, 'pymt');
    const prog = `import sys; sys.path.insert(0, ${JSON.stringify(dir)}); import thread, threading; threading.Lock().acquire(); print 'ident', thread.get_ident(), thread.get_ident() == thread.get_ident()`;
    const r = spawnSync(pymt, ['-n', '4', '-E', '-c', prog], { cwd: tls, encoding: 'latin1', timeout: 60_000 });
    expect(r.status).toBe(0);
    const idents = [...r.stdout.matchAll(/ident (\d+) True/g)].map((m) => m[1]);
    expect(idents).toHaveLength(4);
    expect(new Set(idents).size).toBe(4);
  });
});
