# (a) One interpreter runs every stage of every item in turn: no transport at all.
import sys, work

model = work.open_model()
check = work.Checker()
cpu0 = work.thread_cpu()
for seq in xrange(work.ITEMS):
    item = work.make_item(seq)
    for k in range(work.STAGES):
        item = work.work(k, item, model)
    check.take(item)
check.report()
sys.stdout.write(work.cpu_line('all', cpu0))
print 'RSS stage=all hwm_kb=%d' % work.peak_rss_kb()
sys.stdout.write(work.switch_line('all'))
