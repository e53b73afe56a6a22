/* The process-wide queues (src/c/pyglobal_queue.c) from several threads at once, without
   Python: every item counted end to end with several producers and consumers, timeouts,
   close waking waiters, the str-only get, names and handles. Built and run by
   test/c/queue.test.ts, also under ThreadSanitizer, and as a negative twin whose put takes
   no lock (-DPYGLOBAL_QUEUE_TEST_UNLOCKED), which ThreadSanitizer must report.

   usage: queue_harness [producers consumers items-per-producer] */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pyglobal_queue.h"

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); failures++; } } while (0)

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

struct worker {
    pthread_t thread;
    int id, items;
    PyGlobals_Queue *q;
    unsigned char *seen; /* consumers: seen[producer * items + j] */
    int producers;
    long got;
};

static void *
produce(void *arg)
{
    struct worker *w = (struct worker *)arg;
    char buf[64];
    int j;
    for (j = 0; j < w->items; j++) {
        int n = snprintf(buf, sizeof buf, "%d:%d", w->id, j);
        int r = PyGlobals_QueuePutBytes(w->q, buf, (size_t)n, -1.0);
        CHECK(r == PYGLOBALS_QUEUE_OK, "producer %d put %d: %d", w->id, j, r);
    }
    return NULL;
}

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
consume(void *arg)
{
    struct worker *w = (struct worker *)arg;
    for (;;) {
        char *data;
        size_t len;
        int p, j, r = PyGlobals_QueueGetBytes(w->q, &data, &len, -1.0);
        if (r == PYGLOBALS_QUEUE_CLOSED)
            break;
        CHECK(r == PYGLOBALS_QUEUE_OK, "consumer %d get: %d", w->id, r);
        if (r != PYGLOBALS_QUEUE_OK)
            break;
        if (len < 40) {
            char s[40];
            memcpy(s, data, len);
            s[len] = 0;
            if (sscanf(s, "%d:%d", &p, &j) == 2 && p >= 0 && p < w->producers && j >= 0 && j < w->items) {
                pthread_mutex_lock(&seen_lock);
                w->seen[p * w->items + j]++;
                pthread_mutex_unlock(&seen_lock);
            } else
                CHECK(0, "consumer %d: a garbled item", w->id);
        }
        PyGlobals_QueueFree(data);
        w->got++;
    }
    return NULL;
}

/* Several producers and consumers on one bounded queue: each item arrives exactly once. */
static void
many_to_many(int producers, int consumers, int items)
{
    struct worker *w = (struct worker *)calloc((size_t)(producers + consumers), sizeof *w);
    unsigned char *seen = (unsigned char *)calloc((size_t)producers * items, 1);
    PyGlobals_Queue *q = PyGlobals_QueueOpen("harness.m2m", 16, NULL);
    long got = 0, once = 0, twice = 0;
    int i;
    for (i = 0; i < producers + consumers; i++) {
        w[i].id = i < producers ? i : i - producers;
        w[i].items = items;
        w[i].producers = producers;
        w[i].q = q;
        w[i].seen = seen;
        pthread_create(&w[i].thread, NULL, i < producers ? produce : consume, &w[i]);
    }
    for (i = 0; i < producers; i++)
        pthread_join(w[i].thread, NULL);
    PyGlobals_QueueClose(q); /* the consumers drain what is left, then see Closed */
    for (i = producers; i < producers + consumers; i++) {
        pthread_join(w[i].thread, NULL);
        got += w[i].got;
    }
    for (i = 0; i < producers * items; i++) {
        once += seen[i] == 1;
        twice += seen[i] > 1;
    }
    CHECK(got == (long)producers * items, "got %ld items, put %ld", got, (long)producers * items);
    CHECK(once == (long)producers * items && twice == 0, "%ld items arrived once, %ld more than once", once, twice);
    CHECK(PyGlobals_QueueSize(q) == 0, "%ld left", PyGlobals_QueueSize(q));
    PyGlobals_QueueRelease(q);
    printf("many-to-many: %d producers, %d consumers, %ld items, each exactly once\n", producers, consumers, got);
    free(seen);
    free(w);
}

static void *
wait_get(void *arg)
{
    PyGlobals_Queue *q = (PyGlobals_Queue *)arg;
    char *data;
    size_t len;
    return (void *)(long)PyGlobals_QueueGetBytes(q, &data, &len, -1.0);
}

static void *
wait_put(void *arg)
{
    PyGlobals_Queue *q = (PyGlobals_Queue *)arg;
    return (void *)(long)PyGlobals_QueuePutBytes(q, "x", 1, -1.0);
}

static void
timeouts_and_close(void)
{
    PyGlobals_Queue *q = PyGlobals_QueueOpen("harness.t", 1, NULL);
    pthread_t a, b;
    void *ra, *rb;
    char *data;
    size_t len;
    double t0 = now();
    int r = PyGlobals_QueueGetBytes(q, &data, &len, 0.05);
    double waited = now() - t0;
    CHECK(r == PYGLOBALS_QUEUE_EMPTY && waited >= 0.045 && waited < 2.0, "get timeout: %d after %.3f s", r, waited);
    CHECK(PyGlobals_QueueGetBytes(q, &data, &len, 0) == PYGLOBALS_QUEUE_EMPTY, "get_nowait on empty");
    CHECK(PyGlobals_QueuePutBytes(q, "a", 1, 0) == PYGLOBALS_QUEUE_OK, "put into room");
    t0 = now();
    r = PyGlobals_QueuePutBytes(q, "b", 1, 0.05);
    waited = now() - t0;
    CHECK(r == PYGLOBALS_QUEUE_FULL && waited >= 0.045, "put timeout: %d after %.3f s", r, waited);
    /* A putter waiting for room and, on another queue, a getter waiting for an item: close
       wakes both. */
    pthread_create(&a, NULL, wait_put, q);
    {
        PyGlobals_Queue *e = PyGlobals_QueueOpen("harness.e", 0, NULL);
        struct timespec pause = {0, 50 * 1000 * 1000};
        pthread_create(&b, NULL, wait_get, e);
        nanosleep(&pause, NULL);
        PyGlobals_QueueClose(q);
        PyGlobals_QueueClose(e);
        pthread_join(a, &ra);
        pthread_join(b, &rb);
        CHECK((long)ra == PYGLOBALS_QUEUE_CLOSED, "blocked put after close: %ld", (long)ra);
        CHECK((long)rb == PYGLOBALS_QUEUE_CLOSED, "blocked get after close: %ld", (long)rb);
        PyGlobals_QueueRelease(e);
    }
    /* Closed: what is in it can still be taken, then Closed. */
    CHECK(PyGlobals_QueueGetBytes(q, &data, &len, -1.0) == PYGLOBALS_QUEUE_OK && len == 1 && data[0] == 'a', "drain after close");
    PyGlobals_QueueFree(data);
    CHECK(PyGlobals_QueueGetBytes(q, &data, &len, -1.0) == PYGLOBALS_QUEUE_CLOSED, "closed and drained");
    CHECK(PyGlobals_QueuePutBytes(q, "c", 1, -1.0) == PYGLOBALS_QUEUE_CLOSED, "put on closed");
    PyGlobals_QueueRelease(q);
    printf("timeouts and close: ok\n");
}

static void
names_handles_types(void)
{
    int err;
    PyGlobals_Queue *a = PyGlobals_QueueOpen("harness.n", 3, &err);
    PyGlobals_Queue *b = PyGlobals_QueueOpen("harness.n", 0, &err);
    PyGlobals_Queue *c = PyGlobals_QueueOpen("harness.n", 5, &err);
    unsigned char *item = (unsigned char *)malloc(9);
    char *data;
    size_t len;
    CHECK(a && a == b, "the same name is the same queue");
    CHECK(!c && err == PYGLOBALS_QUEUE_BADARG, "another maxsize is refused");
    CHECK(PyGlobals_QueueMaxsize(b) == 3, "maxsize %ld", PyGlobals_QueueMaxsize(b));
    memset(item, 0, 9);
    item[0] = 'i'; /* an int item, as interpqueue encodes 0 */
    CHECK(PyGlobals_QueuePutItem(a, item, 9, -1.0) == PYGLOBALS_QUEUE_OK, "put an int item");
    CHECK(PyGlobals_QueueGetBytes(b, &data, &len, 0) == PYGLOBALS_QUEUE_TYPE && PyGlobals_QueueSize(a) == 1, "GetBytes leaves a non-str item queued");
    PyGlobals_QueueRelease(a);
    CHECK(PyGlobals_QueueSize(b) == 1, "one handle left: the queue stays");
    PyGlobals_QueueRelease(b);
    a = PyGlobals_QueueOpen("harness.n", 0, &err);
    CHECK(a && PyGlobals_QueueSize(a) == 0 && PyGlobals_QueueMaxsize(a) == 0, "the last release freed it: a new queue of that name");
    PyGlobals_QueueRelease(a);
    printf("names, handles, types: ok\n");
}

int
main(int argc, char **argv)
{
    int producers = argc > 3 ? atoi(argv[1]) : 3;
    int consumers = argc > 3 ? atoi(argv[2]) : 3;
    int items = argc > 3 ? atoi(argv[3]) : 2000;
    names_handles_types();
    timeouts_and_close();
    many_to_many(producers, consumers, items);
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("OK\n");
    return 0;
}
