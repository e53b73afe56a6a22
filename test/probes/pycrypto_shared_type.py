# Run by pymt -n 2 in a PyCrypto 2.0.1 folder built with `python setup.py build` (Python 2.4
# syntax). Interpreter 1 imports Crypto.Cipher.ARC4, then interpreter 0 does, then both look at
# the type of their own cipher object. A module whose type object is shared by every interpreter
# ends with ALGtype.ob_type = interpreter 0's `type`, so interpreter 1 sees a type that is not its
# own: "own-type=False". Rewritten, each interpreter has its own ALGtype: "own-type=True" twice.
import os, sys, interpqueue, pymt
from distutils.util import get_platform
sys.path.insert(0, os.path.join(os.getcwd(), 'build/lib.%s-%.3s' % (get_platform(), sys.version)))
first = interpqueue.Queue('pycrypto.first')     # both open both before either puts
second = interpqueue.Queue('pycrypto.second')
if pymt.index == 1:
    from Crypto.Cipher import ARC4
    first.put('imported')
    second.get(timeout=30)
else:
    first.get(timeout=30)
    from Crypto.Cipher import ARC4
    second.put('imported')
obj = ARC4.new('key')
print 'pycrypto-shared-type interp=%d own-type=%s' % (pymt.index, type(type(obj)) is type)
