# (b) One interpreter per stage, all in one pymt process, linked by interpqueue:
#   pymt [--model MB] --stage queue_stage.py --stage queue_stage.py ...
# Stage K (pymt.index) gets from queue "pipeline-K" and puts on "pipeline-(K+1)". A queue
# lives while someone holds it, so every stage opens both of its queues first, then says
# ready; stage 0 produces only once all are ready, and closes its queue after the last item,
# which each stage passes on when it sees Closed.
import sys, pymt, interpqueue, work

k = pymt.index
stages = pymt.count
if stages != work.STAGES:
    raise ValueError('pymt has %d stages, PIPELINE_STAGES says %d' % (stages, work.STAGES))
# Bounded like a pipe (64 KB in flight per link), so memory is compared like for like.
maxsize = max(2, 65536 // max(1, work.SIZE))
TIMEOUT = 120.0  # a stage that died must fail the run, not hang it

ready = interpqueue.Queue('pipeline-ready')
inq = None
outq = None
if k > 0:
    inq = interpqueue.Queue('pipeline-%d' % k, maxsize)
if k < stages - 1:
    outq = interpqueue.Queue('pipeline-%d' % (k + 1), maxsize)
model = work.open_model()
check = work.Checker()
cpu0 = work.thread_cpu()
if k == 0:
    for i in range(stages - 1):
        ready.get(timeout=TIMEOUT)
    for seq in xrange(work.ITEMS):
        outq.put(work.work(0, work.make_item(seq), model), timeout=TIMEOUT)
    outq.close()
else:
    ready.put(k)
    while 1:
        try:
            item = inq.get(timeout=TIMEOUT)
        except interpqueue.Closed:
            break
        item = work.work(k, item, model)
        if outq is None:
            check.take(item)
        else:
            outq.put(item, timeout=TIMEOUT)
    if outq is not None:
        outq.close()
    else:
        check.report()
sys.stdout.write(work.switch_line(k) + work.cpu_line(k, cpu0))
