# interpqueue's contract in one interpreter: every call, every exception, every allowed type
# and a refused one, timeouts, close. Prints "interpqueue-contract ok N checks" or fails loudly.
# Python 2.4 syntax; run by test/e2e/interpqueue.test.ts with a tls and a stock build.
import sys, time
import interpqueue
from interpqueue import Queue, Empty, Full, Closed

checks = [0]
def check(cond, what):
    checks[0] += 1
    if not cond:
        raise AssertionError(what)

def raises(exc, f, *args, **kw):
    try:
        f(*args, **kw)
    except exc, e:
        return e
    raise AssertionError('%s did not raise %s' % (f, exc.__name__))

tag = sys.argv[1:] and sys.argv[1] or 'c'
q = Queue(tag + '.contract')
check(q.name == tag + '.contract' and q.maxsize == 0 and not q.closed, 'attributes')
check(Queue(tag + '.contract').name == q.name, 'the same name again')

# Every allowed type, alone and nested, comes back equal and of the same type.
values = [None, True, False, 0, -1, sys.maxint, -sys.maxint - 1, 0L, 2L ** 100, -(3L ** 77),
          0.0, -1.5, 1e308, float('inf'), '', 'abc', '\0\xff' * 100, u'', u'\u00e9\u4e2d\U0001d11e',
          (), (1,), [], [1, [2, [3]]], {}, {'a': 1, 2: 'b', (1, 2): [u'x'], None: {}},
          ('x' * 100000,)]
for v in values:
    q.put(v)
    got = q.get()
    check(got == v and type(got) is type(v), 'round trip %r' % (v,))
    if isinstance(v, (tuple, list)) and v:
        check(type(got[0]) is type(v[0]), 'nested type')
nan = q.put(float('nan')) or q.get()
check(nan != nan, 'nan')
big = dict([(i, [str(i)] * 3) for i in range(1000)])
q.put_nowait(big)
check(q.get_nowait() == big, 'a large dict')

# Copies, never shared: changing what was sent changes nothing received.
l = [1, 2]
q.put(l)
l.append(3)
check(q.get() == [1, 2], 'a copy')

# Refused types name themselves; nothing is queued.
class Old: pass
class New(object): pass
class MyStr(str): pass
for bad in [object(), Old(), New(), MyStr('x'), set([1]), 1j, [1, object()], {'k': New()}, {object(): 1}, len]:
    e = raises(TypeError, q.put, bad)
    check('cannot send' in str(e), 'message: %s' % e)
check(q.qsize() == 0, 'nothing queued after a refusal')
deep = []
for i in range(300):
    deep = [deep]
raises(ValueError, q.put, deep)

# qsize, FIFO order, nowait calls.
for i in range(5):
    q.put_nowait(i)
check(q.qsize() == 5, 'qsize')
check([q.get() for i in range(5)] == range(5), 'FIFO')
e = raises(Empty, q.get_nowait)
check(tag + '.contract' in str(e), 'Empty names the queue')

# Timeouts, in seconds, waited not spun.
t0 = time.time()
raises(Empty, q.get, timeout=0.1)
waited = time.time() - t0
check(0.09 <= waited < 2, 'get timeout waited %.3f' % waited)
raises(Empty, q.get, 0)
raises(ValueError, q.get, timeout=-1)
raises(TypeError, q.get, timeout='soon')

b = Queue(tag + '.bounded', maxsize=2)
check(b.maxsize == 2, 'maxsize')
raises(ValueError, Queue, tag + '.bounded', 3)
raises(ValueError, Queue, tag + '.neg', -1)
b.put(1)
b.put(2, timeout=0)
raises(Full, b.put_nowait, 3)
t0 = time.time()
raises(Full, b.put, 3, timeout=0.1)
check(time.time() - t0 >= 0.09, 'put timeout')
check(b.qsize() == 2, 'full')

# close: puts refused, gets drain, then Closed.
b.close()
check(b.closed and 'closed' in repr(b), 'closed')
raises(Closed, b.put, 4)
raises(Closed, b.put_nowait, 4)
check(b.get() == 1 and b.get_nowait() == 2, 'drain after close')
raises(Closed, b.get)
raises(Closed, b.get_nowait)
raises(Closed, b.get, timeout=5)   # at once: closed and drained
check(issubclass(Empty, Exception) and issubclass(Full, Exception) and issubclass(Closed, Exception), 'exception classes')
check(Empty.__module__ == 'interpqueue' and Closed.__name__ == 'Closed', 'exception names')

# A queue lives while a handle holds it: dropped by everyone, the name starts afresh.
t = Queue(tag + '.life')
t.put('kept')
del t
t = Queue(tag + '.life')
check(t.qsize() == 0, 'freed with its last handle')

print 'interpqueue-contract ok %d checks' % checks[0]
