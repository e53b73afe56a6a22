# The pipeline bench's stage code (Python 2.4), shared by its three drivers so that (a), (b)
# and (c) run exactly the same work and differ only in how items travel between stages.
# Settings come from the environment, the one channel all three drivers share (pymt --stage
# gives each stage sys.argv = [FILE] and nothing else):
#   PIPELINE_ITEMS  work items      PIPELINE_SIZE  bytes per item     PIPELINE_STAGES  stages
#   PIPELINE_MODEL  MB of model (0: none)
import os, string, time, zlib

ITEMS = int(os.environ.get('PIPELINE_ITEMS', '1000'))
SIZE = int(os.environ.get('PIPELINE_SIZE', '40'))
STAGES = int(os.environ.get('PIPELINE_STAGES', '2'))
MODEL_MB = int(os.environ.get('PIPELINE_MODEL', '0'))

# The model triangles a stage reads are among the first MODEL_BLOCK ones: the per-process
# copy in (a) and (c) computes those exactly as sharedmodel.c does and repeats them to fill
# the size, so every way reads the same values and the digests agree.
MODEL_BLOCK = 4096
STEPS = 64
RUSAGE_THREAD = 1  # Linux <sys/resource.h>
FLOATS = 9

def crc(s):
    return zlib.crc32(s) & 0xffffffff

# Each stage rewrites the bytes with its own table (a rotation), so an item that skipped or
# repeated a stage ends with other bytes and another digest.
def _table(k):
    return string.maketrans(''.join(map(chr, range(256))),
                            ''.join([chr((i * 7 + 13 * (k + 1)) & 255) for i in range(256)]))
TABLES = [_table(k) for k in range(16)]

_BASE = ''.join([chr((i * 131 + (i >> 8) * 17 + 7) & 255) for i in range(max(SIZE, 16))])

def make_item(seq):
    """Item seq as it enters stage 0: (seq, bytes, crc of the bytes, running hash)."""
    head = '%010d' % seq
    data = head + _BASE[len(head):SIZE]
    return (seq, data, crc(data), 0)

def work(k, item, model):
    """Stage k: check the bytes arrived whole, rewrite them, and hash them in Python.
    The Python loop is the CPU-bound part: a fixed STEPS steps per item whatever its size
    (sampled bytes of a large item, every byte of a small one, several times), plus one
    model triangle when there is a model; the bytes are rewritten and checked in C."""
    seq, data, c, h = item
    if crc(data) != c:
        raise ValueError('stage %d: item %d arrived corrupted' % (k, seq))
    data = data.translate(TABLES[k % len(TABLES)])
    n = len(data)
    step = max(1, n // STEPS)
    for j in xrange(STEPS):
        h = ((h * 1000003) ^ ord(data[(j * step) % n]) ^ k) & 0xffffffff
    if model is not None:
        t = model.triangle((seq * 7919 + k * 104729) % MODEL_BLOCK)
        acc = 0.0
        for x in t:
            acc += x
        h = (h + int(acc * 256)) & 0xffffffff
    return (seq, data, crc(data), h)

class Checker:
    """The last stage's count: every seq exactly once, and a digest of the final bytes and
    hashes, so a way that loses, repeats or mangles items cannot pass."""
    def __init__(self):
        self.seen = [0] * ITEMS
        self.count = 0
        self.digest = 0
        self.first = None
        self.last = None
    def take(self, item):
        seq, data, c, h = item
        if seq < 0 or seq >= ITEMS or self.seen[seq]:
            raise ValueError('item %r unexpected or repeated' % (seq,))
        if crc(data) != c:
            raise ValueError('item %d corrupted at the end' % seq)
        self.seen[seq] = 1
        self.count += 1
        self.digest = (self.digest * 31 + (seq + 1) * (c ^ h)) % 1000000007
        now = time.time()
        if self.first is None:
            self.first = now
        self.last = now
    def report(self):
        if self.count != ITEMS:
            raise ValueError('got %d items of %d' % (self.count, ITEMS))
        # Throughput from the first finished item to the last: startup and model building
        # (which differ between the ways by design) stay out of it.
        print 'PIPELINE items=%d digest=%d first=%.6f last=%.6f' % (
            self.count, self.digest, self.first, self.last)

def switch_line(stage):
    """This thread's context switches so far, as one report line: voluntary ones are the
    waits for an item (or for room), so per item they show how often a stage slept and was
    woken. /proc/thread-self: in pymt each stage is one thread of a shared process."""
    counts = {}
    f = open('/proc/thread-self/status')
    try:
        for line in f:
            if line.startswith('voluntary_ctxt_switches:') or line.startswith('nonvoluntary_ctxt_switches:'):
                name, value = line.split(':')
                counts[name] = int(value)
    finally:
        f.close()
    return 'CTX stage=%s voluntary=%d nonvoluntary=%d\n' % (
        stage, counts.get('voluntary_ctxt_switches', -1), counts.get('nonvoluntary_ctxt_switches', -1))

def thread_cpu():
    """CPU seconds (user + system) of this thread so far: of this stage alone, in pymt too.
    getrusage(RUSAGE_THREAD): 2.4's resource module has no name for it but passes it on, and
    it counts in microseconds where /proc's stat counts in 10 ms ticks."""
    import resource
    r = resource.getrusage(RUSAGE_THREAD)
    return r[0] + r[1]

def cpu_line(stage, since):
    """The CPU this stage spent on items: from the end of its setup (model built, queues or
    pipes open) to now. On a shared machine this, unlike items/s, does not depend on how much
    of the cores other work leaves the pipeline."""
    return 'CPU stage=%s seconds=%.3f\n' % (stage, thread_cpu() - since)

def peak_rss_kb():
    f = open('/proc/self/status')
    try:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    finally:
        f.close()
    return -1

class LocalModel:
    """This process's own copy of the model, MODEL_MB MB of floats (array.array), for the
    ways that cannot share one. Same values as sharedmodel.c for the first MODEL_BLOCK
    triangles; the block repeated to fill the size, every page written."""
    def __init__(self, mb):
        import array
        block = array.array('f')
        for t in xrange(MODEL_BLOCK):
            for k in xrange(FLOATS):
                h = (t * 2654435761 + k * 40503) & 0xffffffffffffffff
                h ^= h >> 13
                block.append((h & 0xffff) / 256.0)
        per_block = MODEL_BLOCK * FLOATS * 4
        self.data = block * max(1, (mb * 1024 * 1024) // per_block)
    def triangle(self, i):
        return tuple(self.data[i * FLOATS:(i + 1) * FLOATS])

def open_model():
    """The model as this process sees it: sharedmodel inside pymt --model, a local copy
    elsewhere, None without one."""
    if not MODEL_MB:
        return None
    try:
        import sharedmodel
    except ImportError:
        return LocalModel(MODEL_MB)
    if sharedmodel.count() == 0:
        raise ValueError('PIPELINE_MODEL is set but pymt was run without --model')
    return sharedmodel
