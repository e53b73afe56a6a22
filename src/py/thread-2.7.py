

# What 2.7 asks of the thread module beyond 2.4 (appended to Lib/thread.py for 2.7 trees, as
# rules/cpython-2.7/profile.json says): threading.py imports stack_size at the top and holds
# its locks with `with`, and test_support counts threads with _count.

_stack_size = 0


def stack_size(size=None):
    """stack_size([size]) -> size

Return the thread stack size used when creating new threads.  The
optional size argument sets the size for threads created later: 0 (the
platform's default) or at least 32768 bytes.  No thread can be created
here, so the size is only remembered."""
    global _stack_size
    old = _stack_size
    if size is not None:
        if size != 0 and size < 32768:
            raise ValueError("size not valid: %d bytes" % size)
        _stack_size = size
    return old


def _count():
    """_count() -> integer

Return the number of threads started with this module and still
running: none can be started here."""
    return 0


def _lock_enter(self):
    # A lock is a context manager in 2.7: threading.py holds its own locks with `with`.
    return self.acquire()


def _lock_exit(self, *exc_info):
    self.release()


lock.__enter__ = _lock_enter
lock.__exit__ = _lock_exit


def _forget_unstarted(function):
    # 2.7's Thread.start() takes the thread out of threading._limbo itself when
    # start_new_thread fails (2.4's did not: see above); doing it here too
    # would make its own `del _limbo[self]` raise KeyError.
    pass
