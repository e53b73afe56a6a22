# A heavier workload of our own for bench/instructions.ts and bench/tls-models.ts: classes,
# dicts, strings, lists, exceptions and generators, the interpreter's everyday paths (free
# lists, the allocator, attribute lookup), where pystone barely goes. Python 2.4 syntax.
import sys

class Point(object):
    __slots__ = ('x', 'y')
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def moved(self, dx):
        return Point(self.x + dx, self.y - dx)

class Part:
    def __init__(self, name, n):
        self.name = name
        self.points = [Point(i, -i) for i in range(n)]
        self.tags = {'name': name, 'size': n}

def gen(n):
    for i in xrange(n):
        yield i * i

def run(loops):
    total = 0
    for i in xrange(loops):
        p = Part('part-%d' % (i % 50), 12)
        words = ('%s:%d' % (p.name, len(p.points))).split(':')
        d = {}
        for q in p.points:
            m = q.moved(3)
            d[m.x] = str(m.y)
        total += len(d) + len(words[0]) + sum(gen(8))
        try:
            p.tags['missing']
        except KeyError:
            total += 1
        total += len(''.join([w.upper() for w in words]))
    return total

if __name__ == '__main__':
    loops = int(sys.argv[1])
    print 'objects', loops, run(loops)
