# numpy's own suite in one interpreter; under pymt, in each of N at once.
# Each interpreter gets its own temp folder: numpy.savez writes fixed names (arr_0.npy) into
# tempfile.gettempdir(), which N processes sharing one TMPDIR would race on just the same.
import sys, tempfile
try:
    import pymt
    tag = "pymt-%d-%d-" % (pymt.index, pymt.round)
except ImportError:
    tag = "numpy-suite-"
# The folder is left behind: numpy's tests keep some of their temp files open until the
# interpreter ends, after this script. Point TMPDIR at a folder you remove afterwards.
tempfile.tempdir = tempfile.mkdtemp(prefix=tag)
import numpy
r = numpy.test()
print "numpy %s: %d tests, %d errors, %d failures" % (numpy.__version__, r.testsRun, len(r.errors), len(r.failures))
sys.exit(not r.wasSuccessful())
