# interpqueue between interpreters at once, under pymt. Python 2.4 syntax.
#   pymt -n P+C+1 interpqueue_many.py count P C N   several producers and consumers on one
#       bounded queue; every item counted end to end (count, sum, sum of squares)
#   pymt -n K interpqueue_many.py close              K-1 interpreters block in get(); one closes
#   pymt -n 3 interpqueue_many.py dead-consumer      a consumer raises mid-way: the producer's put
#       with a timeout returns (Full), and close wakes it
# Each interpreter prints one line starting "iq " that the test reads.
import sys, time
import pymt
from interpqueue import Queue, Empty, Full, Closed

mode = sys.argv[1]
me = pymt.index

if mode == 'count':
    P, C, N = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    work = Queue('many.work', maxsize=64)
    done = Queue('many.done')
    tally = Queue('many.tally')
    if me == 0:
        # The coordinator: once every producer is done, close the work queue; then add up.
        for i in range(P):
            done.get(timeout=120)
        work.close()
        n = s = s2 = 0
        for i in range(C):
            cn, cs, cs2 = tally.get(timeout=120)
            n += cn; s += cs; s2 += cs2
        total = P * N
        ok = n == total and s == total * (total - 1) / 2 and s2 == (total - 1) * total * (2 * total - 1) / 6
        print 'iq count items=%d expected=%d exact=%s' % (n, total, ok)
    elif me <= P:
        p = me - 1
        for j in xrange(N):
            k = p * N + j
            work.put((k, 'item %d from %d' % (j, p), [k] * (k % 5)))
        done.put(p)
        print 'iq producer %d put %d' % (p, N)
    else:
        n = s = s2 = 0
        while 1:
            try:
                k, text, pad = work.get()
            except Closed:
                break
            if text != 'item %d from %d' % (k % N, k // N) or pad != [k] * (k % 5):
                raise AssertionError('garbled item %r' % k)
            n += 1; s += k; s2 += k * k
        tally.put((n, s, s2))
        print 'iq consumer %d got %d' % (me, n)

elif mode == 'close':
    idle = Queue('close.idle')
    ready = Queue('close.ready')
    if me == 0:
        for i in range(pymt.count - 1):
            ready.get(timeout=60)
        time.sleep(0.2)  # let them block in get()
        idle.close()
        print 'iq closer closed'
    else:
        ready.put(me)
        t0 = time.time()
        try:
            idle.get()
            print 'iq waiter %d got an item' % me
        except Closed:
            print 'iq waiter %d woke Closed after %.2fs' % (me, time.time() - t0)

elif mode == 'dead-consumer':
    work = Queue('dead.work', maxsize=4)
    gone = Queue('dead.gone')
    if me == 1:
        # A consumer that takes a few items and then raises: its interpreter ends with an error.
        for i in range(3):
            work.get(timeout=60)
        gone.put('gone')
        raise RuntimeError('consumer died on purpose')
    elif me == 0:
        put = 0
        while 1:
            try:
                work.put(put, timeout=0.3)
                put += 1
            except Full:
                break
        gone.get(timeout=60)
        # Blocked for ever on a full queue, until the host side (here, interpreter 2) closes it.
        Queue('dead.blocked-ready').put(1)
        try:
            work.put('never', timeout=None)
            print 'iq producer put past a full queue'
        except Closed:
            print 'iq producer Full after %d items, then woke Closed' % put
    else:
        Queue('dead.blocked-ready').get(timeout=60)
        time.sleep(0.2)
        work.close()
        print 'iq closer closed'
