# Array workloads of our own for bench/numpy-speed.ts: each prints its best-of-REPEAT seconds.
# Python 2.4 syntax: it runs inside the builds being measured.
import sys, time
import numpy

REPEAT = int(sys.argv[1])
only = sys.argv[2:]

def big_arith():
    a = numpy.arange(1000000, dtype=float)
    for i in range(10):
        b = (a * 2.0 + 1.0) / 3.0
        s = b.sum()

def small_arrays():
    # Many calls on tiny arrays: the time goes to creating objects and finding types, where
    # numpy reaches its own thread-local type objects and tables.
    for i in range(20000):
        x = numpy.zeros(8)
        x += 1.0
        s = x.sum()

def scalars():
    a = numpy.arange(20000, dtype=numpy.int32)
    t = 0
    for i in range(len(a)):
        t = t + a[i]

def sort():
    r = numpy.random.RandomState(7)
    for i in range(5):
        a = r.random_sample(200000)
        a.sort()

def linalg():
    r = numpy.random.RandomState(3)
    m = r.random_sample((120, 120)) + numpy.eye(120) * 120
    v = r.random_sample(120)
    for i in range(20):
        x = numpy.linalg.solve(m, v)
        d = numpy.dot(m, m)

def fft():
    a = numpy.random.RandomState(5).random_sample(1 << 16)
    for i in range(20):
        f = numpy.fft.fft(a)

workloads = [big_arith, small_arrays, scalars, sort, linalg, fft]
for w in workloads:
    if only and w.__name__ not in only:
        continue
    best = None
    for k in range(REPEAT):
        t0 = time.time()
        w()
        t = time.time() - t0
        if best is None or t < best:
            best = t
    print "%s %.6f" % (w.__name__, best)
    sys.stdout.flush()
