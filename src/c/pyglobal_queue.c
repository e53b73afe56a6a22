/* Python/pyglobal_queue.c: copied here by pyglobal apply from src/c/pyglobal_queue.c.

   Process-wide named queues of byte strings, for interpreters in different threads of one
   process (the interpqueue module) and for the host's C code (the PyGlobals_Queue* calls in
   pyglobal.h). Everything here is deliberately process-wide, outside every interpreter: the
   registry, the queues and their items live in the C library's heap, not in an interpreter's
   per-thread heap (PyGlobals_FiniThread frees that one), so a queue outlives the interpreter
   that made it for as long as another interpreter or a host handle holds it.

   An item is a byte string the caller encodes; interpqueue encodes Python values, and an item
   whose first byte is 's' is a str (PyGlobals_QueuePutBytes/GetBytes). Each queue has one
   mutex and two condition variables; blocking calls wait on them, never spin. */

#ifdef PGQ_STANDALONE
#  include "pyglobal_queue.h" /* the C harness: no Python */
#else
#  include "Python.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <errno.h>

#ifdef _WIN32
#  include <windows.h>
typedef SRWLOCK pgq_mutex;
typedef CONDITION_VARIABLE pgq_cond;
#  define PGQ_MUTEX_INITIALIZER SRWLOCK_INIT
#else
#  include <pthread.h>
#  include <time.h>
typedef pthread_mutex_t pgq_mutex;
typedef pthread_cond_t pgq_cond;
#  define PGQ_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
#endif

struct pgq_node {
    struct pgq_node *next;
    size_t len;
    unsigned char *data;
};

struct PyGlobals_Queue {
    struct PyGlobals_Queue *next;   /* in the registry */
    char *name;
    long maxsize;                   /* 0: unbounded */
    long refs;                      /* handles: interpreters' Queue objects and the host's */
    pgq_mutex mutex;
    pgq_cond not_empty;
    pgq_cond not_full;
    struct pgq_node *head, *tail;
    long size;
    int closed;
};

/* The registry of every open queue in the process, and the lock that guards it and each
   queue's refs. Process-wide on purpose (rules/reviewed/pyglobal-queue.json). */
static pgq_mutex registry_lock = PGQ_MUTEX_INITIALIZER;
static PyGlobals_Queue *registry;

#ifdef _WIN32
static void lock(pgq_mutex *m) { AcquireSRWLockExclusive(m); }
static void unlock(pgq_mutex *m) { ReleaseSRWLockExclusive(m); }
static int mutex_init(pgq_mutex *m) { InitializeSRWLock(m); return 0; }
static void mutex_destroy(pgq_mutex *m) { (void)m; }
static int cond_init(pgq_cond *c) { InitializeConditionVariable(c); return 0; }
static void cond_destroy(pgq_cond *c) { (void)c; }
static void cond_broadcast(pgq_cond *c) { WakeAllConditionVariable(c); }
static void cond_signal(pgq_cond *c) { WakeConditionVariable(c); }
typedef ULONGLONG pgq_deadline;
static pgq_deadline deadline_after(double seconds) { return GetTickCount64() + (ULONGLONG)(seconds * 1000.0 + 0.5); }
/* 0: woken (or spurious), 1: the deadline passed. deadline 0: no deadline. */
static int cond_wait_until(pgq_cond *c, pgq_mutex *m, pgq_deadline d)
{
    DWORD ms = INFINITE;
    if (d) {
        ULONGLONG now = GetTickCount64();
        if (now >= d)
            return 1;
        ms = (DWORD)(d - now);
    }
    if (!SleepConditionVariableSRW(c, m, ms, 0))
        return GetLastError() == ERROR_TIMEOUT;
    return 0;
}
#else
static void lock(pgq_mutex *m) { pthread_mutex_lock(m); }
static void unlock(pgq_mutex *m) { pthread_mutex_unlock(m); }
#endif

#ifdef PYGLOBAL_QUEUE_TEST_UNLOCKED
/* Only for test/c/queue_harness.c's negative twin: a put that takes no lock, which
   ThreadSanitizer must catch. Never defined in a build. */
#  define put_lock(m) ((void)(m))
#  define put_unlock(m) ((void)(m))
#else
#  define put_lock(m) lock(m)
#  define put_unlock(m) unlock(m)
#endif

#ifndef _WIN32
static int mutex_init(pgq_mutex *m) { return pthread_mutex_init(m, NULL); }
static void mutex_destroy(pgq_mutex *m) { pthread_mutex_destroy(m); }
static int cond_init(pgq_cond *c)
{
    /* Deadlines on the monotonic clock: a change of the wall clock neither ends a wait early
       nor makes it hang. */
    pthread_condattr_t a;
    int r;
    if (pthread_condattr_init(&a) != 0)
        return -1;
#if defined(_POSIX_MONOTONIC_CLOCK) && _POSIX_MONOTONIC_CLOCK >= 0 && !defined(__APPLE__)
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
#endif
    r = pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
    return r;
}
static void cond_destroy(pgq_cond *c) { pthread_cond_destroy(c); }
static void cond_broadcast(pgq_cond *c) { pthread_cond_broadcast(c); }
static void cond_signal(pgq_cond *c) { pthread_cond_signal(c); }
typedef struct timespec pgq_deadline;
static pgq_deadline deadline_after(double seconds)
{
    struct timespec t;
    double whole;
#if defined(_POSIX_MONOTONIC_CLOCK) && _POSIX_MONOTONIC_CLOCK >= 0 && !defined(__APPLE__)
    clock_gettime(CLOCK_MONOTONIC, &t);
#else
    clock_gettime(CLOCK_REALTIME, &t);
#endif
    if (seconds > 1e9)
        seconds = 1e9;
    whole = (double)(long)seconds;
    t.tv_sec += (time_t)whole;
    t.tv_nsec += (long)((seconds - whole) * 1e9);
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}
static int cond_wait_until(pgq_cond *c, pgq_mutex *m, const pgq_deadline *d)
{
    if (!d) {
        pthread_cond_wait(c, m);
        return 0;
    }
    return pthread_cond_timedwait(c, m, d) == ETIMEDOUT;
}
#endif

static char *
copy_name(const char *name)
{
    size_t n = strlen(name) + 1;
    char *s = (char *)malloc(n);
    if (s)
        memcpy(s, name, n);
    return s;
}

PyGlobals_Queue *
PyGlobals_QueueOpen(const char *name, long maxsize, int *err)
{
    PyGlobals_Queue *q;
    int dummy;
    if (!err)
        err = &dummy;
    if (!name || maxsize < 0) {
        *err = PYGLOBALS_QUEUE_BADARG;
        return NULL;
    }
    lock(&registry_lock);
    for (q = registry; q; q = q->next) {
        if (strcmp(q->name, name) == 0) {
            if (maxsize != 0 && maxsize != q->maxsize) {
                unlock(&registry_lock);
                *err = PYGLOBALS_QUEUE_BADARG;
                return NULL;
            }
            q->refs++;
            unlock(&registry_lock);
            *err = PYGLOBALS_QUEUE_OK;
            return q;
        }
    }
    q = (PyGlobals_Queue *)calloc(1, sizeof *q);
    if (!q || !(q->name = copy_name(name))) {
        free(q);
        unlock(&registry_lock);
        *err = PYGLOBALS_QUEUE_NOMEM;
        return NULL;
    }
    if (mutex_init(&q->mutex) != 0 || cond_init(&q->not_empty) != 0 || cond_init(&q->not_full) != 0) {
        free(q->name);
        free(q);
        unlock(&registry_lock);
        *err = PYGLOBALS_QUEUE_NOMEM;
        return NULL;
    }
    q->maxsize = maxsize;
    q->refs = 1;
    q->next = registry;
    registry = q;
    unlock(&registry_lock);
    *err = PYGLOBALS_QUEUE_OK;
    return q;
}

void
PyGlobals_QueueRelease(PyGlobals_Queue *q)
{
    PyGlobals_Queue **p;
    struct pgq_node *n, *next;
    if (!q)
        return;
    lock(&registry_lock);
    if (--q->refs > 0) {
        unlock(&registry_lock);
        return;
    }
    for (p = &registry; *p; p = &(*p)->next) {
        if (*p == q) {
            *p = q->next;
            break;
        }
    }
    unlock(&registry_lock);
    /* No handle is left, so no thread can be inside a call on q. */
    for (n = q->head; n; n = next) {
        next = n->next;
        free(n->data);
        free(n);
    }
    cond_destroy(&q->not_empty);
    cond_destroy(&q->not_full);
    mutex_destroy(&q->mutex);
    free(q->name);
    free(q);
}

/* Waits on c until ready(q) or the deadline; the caller holds q->mutex. 1: timed out. */
static int
wait_for(PyGlobals_Queue *q, pgq_cond *c, int want_space, double timeout)
{
    pgq_deadline d;
    if (timeout > 0)
        d = deadline_after(timeout);
    for (;;) {
        if (q->closed)
            return 0;
        if (want_space ? (q->maxsize == 0 || q->size < q->maxsize) : q->size > 0)
            return 0;
        if (timeout == 0)
            return 1;
#ifdef _WIN32
        if (cond_wait_until(c, &q->mutex, timeout > 0 ? d : 0))
#else
        if (cond_wait_until(c, &q->mutex, timeout > 0 ? &d : NULL))
#endif
        {
            /* One last look: the item or space may have come with the deadline. */
            if (q->closed || (want_space ? (q->maxsize == 0 || q->size < q->maxsize) : q->size > 0))
                return 0;
            return 1;
        }
    }
}

int
PyGlobals_QueuePutItem(PyGlobals_Queue *q, void *data, size_t len, double timeout)
{
    struct pgq_node *n;
    if (!q || (!data && len))
        return PYGLOBALS_QUEUE_BADARG;
    n = (struct pgq_node *)malloc(sizeof *n);
    if (!n)
        return PYGLOBALS_QUEUE_NOMEM;
    n->next = NULL;
    n->len = len;
    n->data = (unsigned char *)data;
    put_lock(&q->mutex);
    if (wait_for(q, &q->not_full, 1, timeout)) {
        put_unlock(&q->mutex);
        free(n);
        return PYGLOBALS_QUEUE_FULL;
    }
    if (q->closed) {
        put_unlock(&q->mutex);
        free(n);
        return PYGLOBALS_QUEUE_CLOSED;
    }
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    q->size++;
    cond_signal(&q->not_empty);
    put_unlock(&q->mutex);
    return PYGLOBALS_QUEUE_OK;
}

/* Takes the head item; if only_str, only an item whose first byte is 's'. */
static int
get_item(PyGlobals_Queue *q, void **data, size_t *len, double timeout, int only_str)
{
    struct pgq_node *n;
    if (!q || !data || !len)
        return PYGLOBALS_QUEUE_BADARG;
    lock(&q->mutex);
    if (wait_for(q, &q->not_empty, 0, timeout)) {
        unlock(&q->mutex);
        return PYGLOBALS_QUEUE_EMPTY;
    }
    n = q->head;
    if (!n) {
        /* Closed and drained. */
        unlock(&q->mutex);
        return PYGLOBALS_QUEUE_CLOSED;
    }
    if (only_str && (n->len < 1 || n->data[0] != 's')) {
        /* Left in place: the host asked for bytes, and taking the item would lose it. */
        unlock(&q->mutex);
        return PYGLOBALS_QUEUE_TYPE;
    }
    q->head = n->next;
    if (!q->head)
        q->tail = NULL;
    q->size--;
    cond_signal(&q->not_full);
    unlock(&q->mutex);
    *data = n->data;
    *len = n->len;
    free(n);
    return PYGLOBALS_QUEUE_OK;
}

int
PyGlobals_QueueGetItem(PyGlobals_Queue *q, void **data, size_t *len, double timeout)
{
    return get_item(q, data, len, timeout, 0);
}

/* A str item: 's', then the length as 8 bytes, little-endian, then the bytes. */
#define STR_HEADER 9

int
PyGlobals_QueuePutBytes(PyGlobals_Queue *q, const char *bytes, size_t len, double timeout)
{
    unsigned char *item;
    size_t v = len;
    int i, r;
    if (!q || (!bytes && len))
        return PYGLOBALS_QUEUE_BADARG;
    item = (unsigned char *)malloc(STR_HEADER + len);
    if (!item)
        return PYGLOBALS_QUEUE_NOMEM;
    item[0] = 's';
    for (i = 0; i < 8; i++, v >>= 8)
        item[1 + i] = (unsigned char)(v & 0xff);
    if (len)
        memcpy(item + STR_HEADER, bytes, len);
    r = PyGlobals_QueuePutItem(q, item, STR_HEADER + len, timeout);
    if (r != PYGLOBALS_QUEUE_OK)
        free(item);
    return r;
}

int
PyGlobals_QueueGetBytes(PyGlobals_Queue *q, char **bytes, size_t *len, double timeout)
{
    void *item;
    size_t n;
    int r;
    if (!bytes || !len)
        return PYGLOBALS_QUEUE_BADARG;
    r = get_item(q, &item, &n, timeout, 1);
    if (r != PYGLOBALS_QUEUE_OK)
        return r;
    if (n < STR_HEADER) {
        free(item);
        return PYGLOBALS_QUEUE_TYPE;
    }
    /* The payload moves to the front, so the caller frees one block. */
    memmove(item, (unsigned char *)item + STR_HEADER, n - STR_HEADER);
    *bytes = (char *)item;
    *len = n - STR_HEADER;
    return PYGLOBALS_QUEUE_OK;
}

void
PyGlobals_QueueFree(void *p)
{
    free(p);
}

int
PyGlobals_QueueClose(PyGlobals_Queue *q)
{
    if (!q)
        return PYGLOBALS_QUEUE_BADARG;
    lock(&q->mutex);
    q->closed = 1;
    cond_broadcast(&q->not_empty);
    cond_broadcast(&q->not_full);
    unlock(&q->mutex);
    return PYGLOBALS_QUEUE_OK;
}

long
PyGlobals_QueueSize(PyGlobals_Queue *q)
{
    long n;
    if (!q)
        return -1;
    lock(&q->mutex);
    n = q->size;
    unlock(&q->mutex);
    return n;
}

long
PyGlobals_QueueMaxsize(PyGlobals_Queue *q)
{
    return q ? q->maxsize : -1;
}

int
PyGlobals_QueueIsClosed(PyGlobals_Queue *q)
{
    int c;
    if (!q)
        return -1;
    lock(&q->mutex);
    c = q->closed;
    unlock(&q->mutex);
    return c;
}

const char *
PyGlobals_QueueName(PyGlobals_Queue *q)
{
    return q ? q->name : NULL;
}
