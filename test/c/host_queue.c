/* A host that feeds a pipeline of interpreters and drains it through the process-wide queues
   of pyglobal.h (the README's example, run by test/e2e/interpqueue.test.ts): the host puts N
   byte strings into "host.in"; W worker threads, each with its own interpreter, take them,
   upper-case them and put them into "host.out"; the host closes "host.in" when it has fed
   everything and counts what comes out.

   usage: host_queue N W */

#include "Python.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *stage =
    "import interpqueue\n"
    "src, dst = interpqueue.Queue('host.in'), interpqueue.Queue('host.out')\n"
    "while 1:\n"
    "    try:\n"
    "        item = src.get()\n"
    "    except interpqueue.Closed:\n"
    "        break\n"
    "    dst.put(item.upper())\n";

static void *
worker(void *arg)
{
    (void)arg;
    PyGlobals_InitThread();
    Py_NoSiteFlag = 1;
    Py_Initialize();
    if (PyRun_SimpleString(stage) != 0)
        fprintf(stderr, "a stage failed\n");
    Py_Finalize();
    PyGlobals_FiniThread();
    return NULL;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000, w = argc > 2 ? atoi(argv[2]) : 2, i, got = 0, bad = 0;
    pthread_t *threads = (pthread_t *)calloc((size_t)w, sizeof *threads);
    /* Open both before any stage runs, so neither queue comes and goes with a stage. */
    PyGlobals_Queue *in = PyGlobals_QueueOpen("host.in", 64, NULL);
    PyGlobals_Queue *out = PyGlobals_QueueOpen("host.out", 0, NULL);
    char buf[64];
    for (i = 0; i < w; i++)
        pthread_create(&threads[i], NULL, worker, NULL);
    for (i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof buf, "item-%d", i);
        if (PyGlobals_QueuePutBytes(in, buf, (size_t)len, -1.0) != PYGLOBALS_QUEUE_OK)
            bad++;
    }
    PyGlobals_QueueClose(in); /* each stage drains what is left, then sees Closed */
    for (i = 0; i < w; i++)
        pthread_join(threads[i], NULL);
    for (;;) {
        char *data;
        size_t len;
        int r = PyGlobals_QueueGetBytes(out, &data, &len, 0);
        if (r != PYGLOBALS_QUEUE_OK)
            break;
        if (len < 6 || memcmp(data, "ITEM-", 5) != 0)
            bad++;
        got++;
        PyGlobals_QueueFree(data);
    }
    PyGlobals_QueueRelease(in);
    PyGlobals_QueueRelease(out);
    printf("host: put %d, got %d back upper-cased, %d bad, through %d interpreters\n", n, got, bad, w);
    return got == n && bad == 0 ? 0 : 1;
}
