# (c) One process per stage, as the seed did: stage K reads pickled items on stdin and
# writes them pickled (cPickle, protocol 2) on stdout, flushed per item so each item moves
# on when it is done. The bench joins the stages with a shell pipeline:
#   python pipe_stage.py 0 | python pipe_stage.py 1 | ... (stdout of the last: the report)
# PIPELINE_BATCH=1 leaves stdout buffered instead (items move in 4 KB writes): the kindest
# form of the fallback, reported beside it.
import os, sys, time, cPickle, work

k = int(sys.argv[1])
last = k == work.STAGES - 1
batch = os.environ.get('PIPELINE_BATCH') == '1'
model = work.open_model()
out = sys.stdout
inp = sys.stdin

def send(obj):
    cPickle.dump(obj, out, 2)
    if not batch:
        out.flush()

# The same start gate as (b): stage 0 produces only once every stage has built its model
# and is reading, so no stage works ahead of the measured window while the others start.
# Each stage says so with a file in PIPELINE_READY_DIR (a fresh folder per run).
cpu0 = work.thread_cpu()
ready_dir = os.environ['PIPELINE_READY_DIR']
open(os.path.join(ready_dir, 'ready-%d' % k), 'w').close()
if k == 0:
    while len(os.listdir(ready_dir)) < work.STAGES:
        time.sleep(0.001)
    source = iter(xrange(work.ITEMS))
check = work.Checker()
unpickler = cPickle.Unpickler(inp)
while 1:
    if k == 0:
        try:
            item = work.make_item(source.next())
        except StopIteration:
            item = None
    else:
        item = unpickler.load()
    if item is None:
        break
    item = work.work(k, item, model)
    if last:
        check.take(item)
    else:
        send(item)
if last:
    check.report()
else:
    send(None)  # end of stream
    out.flush()
# one write, so the stages' lines on the shared stderr cannot interleave
sys.stderr.write('RSS stage=%d hwm_kb=%d\n%s%s' % (k, work.peak_rss_kb(), work.switch_line(k), work.cpu_line(k, cpu0)))
