# The cost of moving one item, without the pipeline: interpqueue put+get within one
# interpreter against cPickle dumps+loads (protocol 2), for the bench's two item sizes. It
# shows how much of a pipeline's per-item time the copying itself can explain; the rest is
# waiting and waking (scheduling), which this loop never does.
import time, cPickle, interpqueue, work

q = interpqueue.Queue('pipeline-transport', 0)
for size, n in ((40, 50000), (102400, 2000)):
    item = (12345, 'x' * size, 3000000000, 4000000000)
    t = time.time()
    for i in xrange(n):
        q.put(item)
        q.get()
    queue_us = (time.time() - t) / n * 1e6
    t = time.time()
    for i in xrange(n):
        cPickle.loads(cPickle.dumps(item, 2))
    pickle_us = (time.time() - t) / n * 1e6
    print 'TRANSPORT size=%d queue_us=%.3f pickle_us=%.3f' % (size, queue_us, pickle_us)
