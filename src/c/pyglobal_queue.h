/* Include/pyglobal_queue.h: copied here by pyglobal apply from src/c/pyglobal_queue.h.

   Process-wide named queues, shared by every interpreter of the process (the interpqueue
   module) and by the host's own C/C++ code. The same name is the same queue, from Python
   (interpqueue.Queue(name)) or from C (PyGlobals_QueueOpen(name, ...)). A queue lives while
   some handle holds it: open it in the host before the stages start, release it at the end.

   Timeouts are in seconds: < 0 waits for ever, 0 does not wait. Blocking calls wait on a
   condition variable; PyGlobals_QueueClose wakes every waiter. Items are byte strings; a str
   item (what Python's put of a str makes, what PutBytes makes) is read back by GetBytes, which
   leaves any other kind of item in the queue and returns PYGLOBALS_QUEUE_TYPE.

   Host pattern:
       PyGlobals_Queue *in = PyGlobals_QueueOpen("work", 0, NULL);
       PyGlobals_QueuePutBytes(in, buf, len, -1.0);           ... feed the first stage
       PyGlobals_QueueGetBytes(out, &data, &n, 5.0);          ... drain the last, then
       PyGlobals_QueueFree(data);  PyGlobals_QueueClose(in);  PyGlobals_QueueRelease(in);
*/
#ifndef Py_PYGLOBAL_QUEUE_H
#define Py_PYGLOBAL_QUEUE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PYGLOBALS_QUEUE_OK     0
#define PYGLOBALS_QUEUE_EMPTY  1  /* get: nothing came before the timeout */
#define PYGLOBALS_QUEUE_FULL   2  /* put: no room came before the timeout */
#define PYGLOBALS_QUEUE_CLOSED 3  /* put on a closed queue; get on a closed, drained one */
#define PYGLOBALS_QUEUE_NOMEM  4
#define PYGLOBALS_QUEUE_TYPE   5  /* GetBytes: the next item is not a str (it stays queued) */
#define PYGLOBALS_QUEUE_BADARG 6  /* a NULL argument, or Open with another queue's maxsize */

typedef struct PyGlobals_Queue PyGlobals_Queue;

/* Opens the queue of that name, making it (with maxsize; 0: unbounded) if there is none.
   NULL on failure, with *err (if err is not NULL) set to one of the codes above. */
PyGlobals_Queue *PyGlobals_QueueOpen(const char *name, long maxsize, int *err);
/* Gives the handle back; the last one frees the queue and any items left in it. */
void PyGlobals_QueueRelease(PyGlobals_Queue *q);

int PyGlobals_QueuePutBytes(PyGlobals_Queue *q, const char *bytes, size_t len, double timeout);
/* *bytes: a block the caller frees with PyGlobals_QueueFree. */
int PyGlobals_QueueGetBytes(PyGlobals_Queue *q, char **bytes, size_t *len, double timeout);
void PyGlobals_QueueFree(void *p);
int PyGlobals_QueueClose(PyGlobals_Queue *q);
long PyGlobals_QueueSize(PyGlobals_Queue *q);
long PyGlobals_QueueMaxsize(PyGlobals_Queue *q);
int PyGlobals_QueueIsClosed(PyGlobals_Queue *q);
const char *PyGlobals_QueueName(PyGlobals_Queue *q);

/* Encoded items of any kind, for the interpqueue module: PutItem takes a malloc'ed block and
   owns it from PYGLOBALS_QUEUE_OK on; GetItem hands one over. */
int PyGlobals_QueuePutItem(PyGlobals_Queue *q, void *data, size_t len, double timeout);
int PyGlobals_QueueGetItem(PyGlobals_Queue *q, void **data, size_t *len, double timeout);

#ifdef __cplusplus
}
#endif

#endif /* !Py_PYGLOBAL_QUEUE_H */
