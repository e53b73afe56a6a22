"""The thread module of pyglobal's thread-local build: one interpreter, one OS thread.

In the thread-local build of CPython 2.4 every interpreter global is a
thread-local (__thread) variable and Python is configured --without-threads:
each OS thread that calls PyGlobals_InitThread() and Py_Initialize() gets an
interpreter of its own, and an interpreter owns exactly one OS thread.  This
module stands in for the built-in thread module, which that build lacks, so
that threading, Queue, logging, tempfile and every library that merely
creates locks import and run.

What works, inside this interpreter:
  allocate_lock() (allocate), LockType, lock.acquire([waitflag]),
  lock.release(), lock.locked() and their acquire_lock, release_lock and
  locked_lock aliases; get_ident(); _local; error; exit() (exit_thread);
  interrupt_main(); exit_prog(status).  threading.Lock, RLock, Condition,
  Semaphore, BoundedSemaphore, Event and local build on these.

Starting a thread does not: start_new_thread() (start_new), and with it
threading.Thread.start() and threading.Timer.start(), raise error at once,
before anything runs.  A new OS thread would find fresh, empty copies of
every interpreter global (they are thread-local), not this interpreter, so
it could not run Python code of this interpreter at all.  The target is not
run, not even synchronously.  Run one interpreter per OS thread instead:
`pymt -n N script.py`, or in a host program call PyGlobals_InitThread();
Py_Initialize(); ... in each host thread.

A blocking acquire of a lock that is already locked raises error instead of
hanging.  Stock Python would block until another thread releases the lock;
here there is no other thread, and 2.4's blocking acquire is not
interruptible (no signal handler can run while it waits), so it would hang
forever.  The same holds for what is built on it: Condition.wait() and
Event.wait() without a timeout, Semaphore.acquire() at zero, Queue.get() on
an empty queue and Queue.put() on a full one, when nothing has been
notified, raise error (the Condition's lock is re-acquired first, as
always).  Code that releases a lock on its normal path only, not in a
finally clause, leaves it locked when this error passes through: 2.4's
Semaphore.acquire() is such code, so a semaphore whose blocking acquire()
raised this error at zero is unusable afterwards (in stock Python that call
never returns at all).  With a timeout they poll with non-blocking acquires and sleep, as
2.4's threading does, and return once the timeout has passed.  A
non-blocking acquire (waitflag 0) never raises; it returns False.

get_ident() returns the same non-zero integer for the whole life of this
interpreter, and a different one for each interpreter alive in the process
at the same time (pymt runs several at once): the address of this
interpreter's sys module.  As with thread identities, a number may be used
again by an interpreter started after this one has ended.

An acquire or a release is atomic with respect to Python signal handlers,
which run between bytecodes of this one thread: the lock's state is one
list, changed by one C call.

In a build that has the built-in thread module (the stock build, or the
stock variant of the rewritten tree) this file is never imported: the
import system looks for built-in modules before it searches sys.path.
"""

import sys as _sys

__all__ = ['error', 'LockType', 'allocate_lock', 'allocate', 'get_ident',
           'start_new_thread', 'start_new', 'exit', 'exit_thread',
           'interrupt_main', 'exit_prog']


class error(Exception):
    """Raised on thread-specific errors: releasing an unlocked lock, a
    blocking acquire that could never succeed, starting a thread."""


_CANNOT_START = (
    "can't start new thread: this is the thread-local build of Python "
    "(pyglobal), in which an interpreter owns exactly one OS thread; every "
    "interpreter global is thread-local (__thread), so a new OS thread would "
    "get fresh, empty copies of all of them, not this interpreter. Run one "
    "interpreter per OS thread instead: `pymt -n N script.py`, or in a host "
    "program call PyGlobals_InitThread(); Py_Initialize(); ... in each host "
    "thread")

_WOULD_BLOCK = (
    "acquire() of a lock that is already locked would block forever: this "
    "interpreter owns exactly one OS thread (thread-local build of Python, "
    "pyglobal), so no other thread can release it; use acquire(0), or a "
    "timeout with threading.Condition.wait and Event.wait")


def _wait_flag(waitflag):
    # acquire's argument is parsed as a C int ("|i:acquire"), truncating floats.
    if isinstance(waitflag, (int, long)):
        return waitflag
    if isinstance(waitflag, float):
        return int(waitflag)
    raise TypeError("an integer is required")


class lock(object):
    """A lock object is a synchronization primitive.  To create a lock,
call the allocate_lock() function.  Methods are:

acquire() -- lock the lock; in this one-thread interpreter, raise error
             if it is already locked, where stock Python would block
release() -- unlock of the lock
locked() -- test whether the lock is currently locked

A lock is not owned by the thread that locked it."""

    __slots__ = ('_free',)

    def __init__(self):
        # One token while unlocked, none while locked: list.pop and
        # list.append are single C calls, so no signal handler runs between
        # the test and the change.
        self._free = [True]

    def acquire(self, waitflag=1):
        """acquire([wait]) -> bool
(acquire_lock() is an obsolete synonym)

Lock the lock and return True.  If the lock is already locked: with a
false argument return False at once; without an argument or with a true
one raise error, since in this interpreter's only thread nobody could
ever release it (stock Python would block forever)."""
        wait = _wait_flag(waitflag)
        try:
            self._free.pop()
        except IndexError:
            if wait:
                raise error(_WOULD_BLOCK)
            return False
        return True

    acquire_lock = acquire

    def release(self):
        """release()
(release_lock() is an obsolete synonym)

Release the lock.  The lock must be in the locked state."""
        if self._free:
            raise error("release unlocked lock")
        self._free.append(True)

    release_lock = release

    def locked(self):
        """locked() -> bool
(locked_lock() is an obsolete synonym)

Return whether the lock is in the locked state."""
        return not self._free

    locked_lock = locked


LockType = lock


def allocate_lock():
    """allocate_lock() -> lock object
(allocate() is an obsolete synonym)

Create a new lock object.  See LockType.__doc__ for information about locks."""
    return lock()

allocate = allocate_lock


# This interpreter's sys module lives exactly as long as the interpreter, and
# two objects alive at once have two addresses.
_ident = id(_sys)


def get_ident():
    """get_ident() -> integer

Return a non-zero integer that identifies this interpreter's only thread
among the interpreters alive in this process.  It stays the same for the
interpreter's whole life; it may be used again after the interpreter ends."""
    return _ident


_NO_KWARGS = object()


def _forget_unstarted(function):
    # threading.Thread.start() files the thread in threading._limbo before it
    # calls start_new_thread, and 2.4 never takes it out again when that
    # fails; so enumerate() and activeCount() would count it forever.
    owner = getattr(function, 'im_self', None)
    threading = _sys.modules.get('threading')
    if owner is None or threading is None:
        return
    limbo = getattr(threading, '_limbo', None)
    Thread = getattr(threading, 'Thread', None)
    if isinstance(limbo, dict) and Thread is not None and isinstance(owner, Thread):
        lock_ = getattr(threading, '_active_limbo_lock', None)
        if lock_ is not None and not lock_.acquire(0):
            return
        try:
            if owner in limbo:
                del limbo[owner]
        finally:
            if lock_ is not None:
                lock_.release()


def start_new_thread(function, args, kwargs=_NO_KWARGS):
    """start_new_thread(function, args[, kwargs])
(start_new() is an obsolete synonym)

Stock Python starts a new thread that calls function(*args, **kwargs).
This interpreter owns exactly one OS thread, so this checks its arguments
as stock Python does and then raises error at once; function is not
called.  Run one interpreter per OS thread instead (pymt -n N, or
PyGlobals_InitThread(); Py_Initialize(); in each host thread)."""
    if not callable(function):
        raise TypeError("first arg must be callable")
    if not isinstance(args, tuple):
        raise TypeError("2nd arg must be a tuple")
    if kwargs is not _NO_KWARGS and not isinstance(kwargs, dict):
        raise TypeError("optional 3rd arg must be a dictionary")
    _forget_unstarted(function)
    raise error(_CANNOT_START)

start_new = start_new_thread


def exit():
    """exit()
(exit_thread() is an obsolete synonym)

This is synonymous to ``raise SystemExit''.  It will cause the current
thread to exit silently unless the exception is caught."""
    raise SystemExit

exit_thread = exit


def exit_prog(status):
    """exit_prog(status)

Stock Python calls Py_Exit(status), which would end the whole process and
with it every other interpreter in it; here it ends this interpreter, as
``raise SystemExit(status)'' does."""
    if not isinstance(status, (int, long)):
        raise TypeError("an integer is required")
    raise SystemExit(status)


def interrupt_main():
    """interrupt_main()

Raise a KeyboardInterrupt in the main thread, which here is the calling
thread: the Python handler of SIGINT runs now, as if SIGINT had arrived
(the default handler raises KeyboardInterrupt).  If SIGINT is ignored or
has its default disposition, nothing happens."""
    try:
        import signal
    except ImportError:
        raise KeyboardInterrupt
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, _sys._getframe(1))


class _local(object):
    """Thread-local data

This interpreter has exactly one thread, so an instance's attributes are
that thread's attributes.  As in stock Python, arguments are refused unless
a subclass defines __init__, which is called with them."""

    def __new__(cls, *args, **kw):
        if (args or kw) and cls.__init__ is object.__init__:
            raise TypeError("Initialization arguments are not supported")
        return object.__new__(cls)
