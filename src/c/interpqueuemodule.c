/* Modules/interpqueuemodule.c: copied here by pyglobal apply from src/c/interpqueuemodule.c.

   interpqueue: queues between the interpreters of one process, each in its own thread.

       q = interpqueue.Queue("work", maxsize=0)   # the same name is the same queue everywhere
       q.put(obj, timeout=None); q.get(timeout=None); q.put_nowait(obj); q.get_nowait()
       q.qsize(); q.close()
       interpqueue.Empty, interpqueue.Full, interpqueue.Closed

   Items are copied, never shared: put encodes the value into bytes in the process-wide queue
   (Python/pyglobal_queue.c), get decodes it into new objects of the caller's interpreter.
   Allowed: None, bool, int, long, float, str, unicode, and tuples, lists and dicts of these.
   The type object and the exceptions belong to each interpreter (PYGLOBAL); the queues to
   the process. In the stock variant PYGLOBAL is empty and it works within one interpreter. */

#include "Python.h"

#include <string.h>

#define MAX_DEPTH 200

#if PY_VERSION_HEX < 0x02050000
typedef int Py_ssize_t; /* 2.4: sizes are int */
#endif

typedef struct {
    PyObject_HEAD
    PyGlobals_Queue *q;
} QueueObject;

static PYGLOBAL PyTypeObject Queue_Type = {
    PyObject_HEAD_INIT(NULL)
    0,                          /* ob_size */
    "interpqueue.Queue",        /* tp_name */
    sizeof(QueueObject),        /* tp_basicsize */
};

static PYGLOBAL PyObject *Empty;
static PYGLOBAL PyObject *Full;
static PYGLOBAL PyObject *Closed;

/* ---- encoding: a tag byte, then the payload, integers little-endian ---- */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} Buf;

static int
buf_reserve(Buf *b, size_t more)
{
    size_t cap;
    unsigned char *p;
    if (b->len + more <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < b->len + more)
        cap *= 2;
    /* The C library's heap, not the interpreter's: the block goes into the queue as is. */
    p = (unsigned char *)realloc(b->p, cap);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static int
put_bytes(Buf *b, const void *s, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static int
put_tag(Buf *b, char tag)
{
    return put_bytes(b, &tag, 1);
}

static int
put_u64(Buf *b, unsigned PY_LONG_LONG v)
{
    unsigned char s[8];
    int i;
    for (i = 0; i < 8; i++)
        s[i] = (unsigned char)((v >> (8 * i)) & 0xff);
    return put_bytes(b, s, 8);
}

static int
encode(Buf *b, PyObject *o, int depth)
{
    if (depth > MAX_DEPTH) {
        PyErr_SetString(PyExc_ValueError, "interpqueue: the item nests deeper than 200 levels (a container that holds itself?)");
        return -1;
    }
    if (o == Py_None)
        return put_tag(b, 'N');
    if (PyBool_Check(o))
        return put_tag(b, o == Py_True ? 'T' : 'F');
    if (PyInt_CheckExact(o))
        return put_tag(b, 'i') < 0 ? -1 : put_u64(b, (unsigned PY_LONG_LONG)(PY_LONG_LONG)PyInt_AS_LONG(o));
    if (PyLong_CheckExact(o)) {
        size_t nbits = _PyLong_NumBits(o);
        size_t n;
        if (nbits == (size_t)-1 && PyErr_Occurred())
            return -1;
        n = nbits / 8 + 1; /* room for the sign */
        if (put_tag(b, 'l') < 0 || put_u64(b, n) < 0 || buf_reserve(b, n) < 0)
            return -1;
        if (_PyLong_AsByteArray((PyLongObject *)o, b->p + b->len, n, 1, 1) < 0)
            return -1;
        b->len += n;
        return 0;
    }
    if (PyFloat_CheckExact(o)) {
        double d = PyFloat_AS_DOUBLE(o);
        return put_tag(b, 'f') < 0 ? -1 : put_bytes(b, &d, sizeof d);
    }
    if (PyString_CheckExact(o)) {
        size_t n = (size_t)PyString_GET_SIZE(o);
        if (put_tag(b, 's') < 0 || put_u64(b, n) < 0)
            return -1;
        return put_bytes(b, PyString_AS_STRING(o), n);
    }
    if (PyUnicode_CheckExact(o)) {
        PyObject *u = PyUnicode_AsUTF8String(o);
        int r;
        if (!u)
            return -1;
        r = put_tag(b, 'u') < 0 || put_u64(b, (size_t)PyString_GET_SIZE(u)) < 0
            || put_bytes(b, PyString_AS_STRING(u), (size_t)PyString_GET_SIZE(u)) < 0 ? -1 : 0;
        Py_DECREF(u);
        return r;
    }
    if (PyTuple_CheckExact(o) || PyList_CheckExact(o)) {
        int tuple = PyTuple_CheckExact(o);
        Py_ssize_t i, n = tuple ? PyTuple_GET_SIZE(o) : PyList_GET_SIZE(o);
        if (put_tag(b, tuple ? '(' : '[') < 0 || put_u64(b, (size_t)n) < 0)
            return -1;
        for (i = 0; i < n; i++) {
            /* A list can change under us only through our own code; its size is read anew. */
            PyObject *item = tuple ? PyTuple_GET_ITEM(o, i) : (i < PyList_GET_SIZE(o) ? PyList_GET_ITEM(o, i) : Py_None);
            if (encode(b, item, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    if (PyDict_CheckExact(o)) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        if (put_tag(b, '{') < 0 || put_u64(b, (size_t)PyDict_Size(o)) < 0)
            return -1;
        while (PyDict_Next(o, &pos, &k, &v)) {
            if (encode(b, k, depth + 1) < 0 || encode(b, v, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    PyErr_Format(PyExc_TypeError,
                 "interpqueue: cannot send a %.200s between interpreters (allowed: None, bool, int, "
                 "long, float, str, unicode, and tuples, lists and dicts of these)",
                 o->ob_type->tp_name);
    return -1;
}

typedef struct {
    const unsigned char *p, *end;
} Reader;

static int
need(Reader *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n) {
        PyErr_SetString(PyExc_ValueError, "interpqueue: a truncated item");
        return -1;
    }
    return 0;
}

static int
get_u64(Reader *r, unsigned PY_LONG_LONG *v)
{
    int i;
    if (need(r, 8) < 0)
        return -1;
    *v = 0;
    for (i = 0; i < 8; i++)
        *v |= (unsigned PY_LONG_LONG)r->p[i] << (8 * i);
    r->p += 8;
    return 0;
}

static PyObject *
decode(Reader *r, int depth)
{
    unsigned PY_LONG_LONG n;
    unsigned char tag;
    PyObject *o;
    if (depth > MAX_DEPTH + 1 || need(r, 1) < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "interpqueue: an item nested too deep");
        return NULL;
    }
    tag = *r->p++;
    switch (tag) {
    case 'N': Py_INCREF(Py_None); return Py_None;
    case 'T': Py_INCREF(Py_True); return Py_True;
    case 'F': Py_INCREF(Py_False); return Py_False;
    case 'i':
        if (get_u64(r, &n) < 0)
            return NULL;
        return PyInt_FromLong((long)(PY_LONG_LONG)n);
    case 'l':
        if (get_u64(r, &n) < 0 || need(r, (size_t)n) < 0)
            return NULL;
        o = _PyLong_FromByteArray(r->p, (size_t)n, 1, 1);
        r->p += n;
        return o;
    case 'f': {
        double d;
        if (need(r, sizeof d) < 0)
            return NULL;
        memcpy(&d, r->p, sizeof d);
        r->p += sizeof d;
        return PyFloat_FromDouble(d);
    }
    case 's':
    case 'u':
        if (get_u64(r, &n) < 0 || need(r, (size_t)n) < 0)
            return NULL;
        o = tag == 's' ? PyString_FromStringAndSize((const char *)r->p, (Py_ssize_t)n)
                       : PyUnicode_DecodeUTF8((const char *)r->p, (Py_ssize_t)n, "strict");
        r->p += n;
        return o;
    case '(':
    case '[': {
        Py_ssize_t i;
        if (get_u64(r, &n) < 0)
            return NULL;
        if (n > (unsigned PY_LONG_LONG)(r->end - r->p)) { /* each element takes a byte at least */
            PyErr_SetString(PyExc_ValueError, "interpqueue: a truncated item");
            return NULL;
        }
        o = tag == '(' ? PyTuple_New((Py_ssize_t)n) : PyList_New((Py_ssize_t)n);
        if (!o)
            return NULL;
        for (i = 0; i < (Py_ssize_t)n; i++) {
            PyObject *item = decode(r, depth + 1);
            if (!item) {
                Py_DECREF(o);
                return NULL;
            }
            if (tag == '(')
                PyTuple_SET_ITEM(o, i, item);
            else
                PyList_SET_ITEM(o, i, item);
        }
        return o;
    }
    case '{': {
        unsigned PY_LONG_LONG i;
        if (get_u64(r, &n) < 0)
            return NULL;
        o = PyDict_New();
        if (!o)
            return NULL;
        for (i = 0; i < n; i++) {
            PyObject *k = decode(r, depth + 1), *v = k ? decode(r, depth + 1) : NULL;
            if (!v || PyDict_SetItem(o, k, v) < 0) {
                Py_XDECREF(k);
                Py_XDECREF(v);
                Py_DECREF(o);
                return NULL;
            }
            Py_DECREF(k);
            Py_DECREF(v);
        }
        return o;
    }
    }
    PyErr_Format(PyExc_ValueError, "interpqueue: an item with an unknown tag 0x%02x", tag);
    return NULL;
}

/* ---- the Queue type ---- */

/* None: wait for ever (-1); a number: seconds, >= 0. */
static int
parse_timeout(PyObject *t, double *out)
{
    if (t == NULL || t == Py_None) {
        *out = -1.0;
        return 0;
    }
    *out = PyFloat_AsDouble(t);
    if (*out == -1.0 && PyErr_Occurred())
        return -1;
    if (*out < 0) {
        PyErr_SetString(PyExc_ValueError, "timeout must be None or a number of seconds >= 0");
        return -1;
    }
    return 0;
}

static PyObject *
raise_code(QueueObject *self, int code)
{
    const char *name = PyGlobals_QueueName(self->q);
    switch (code) {
    case PYGLOBALS_QUEUE_EMPTY: PyErr_Format(Empty, "queue %.200s is empty", name); break;
    case PYGLOBALS_QUEUE_FULL: PyErr_Format(Full, "queue %.200s is full", name); break;
    case PYGLOBALS_QUEUE_CLOSED: PyErr_Format(Closed, "queue %.200s is closed", name); break;
    case PYGLOBALS_QUEUE_NOMEM: PyErr_NoMemory(); break;
    default: PyErr_Format(PyExc_SystemError, "interpqueue: error %d on queue %.200s", code, name);
    }
    return NULL;
}

static PyObject *
queue_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static PYGLOBAL char *kwlist[] = {"name", "maxsize", NULL};
    const char *name;
    long maxsize = 0;
    int err;
    QueueObject *self;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|l:Queue", kwlist, &name, &maxsize))
        return NULL;
    if (maxsize < 0) {
        PyErr_SetString(PyExc_ValueError, "maxsize must be >= 0 (0: unbounded)");
        return NULL;
    }
    self = (QueueObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->q = PyGlobals_QueueOpen(name, maxsize, &err);
    if (!self->q) {
        Py_DECREF(self);
        if (err == PYGLOBALS_QUEUE_BADARG)
            PyErr_Format(PyExc_ValueError, "queue %.200s exists with another maxsize", name);
        else
            PyErr_NoMemory();
        return NULL;
    }
    return (PyObject *)self;
}

static void
queue_dealloc(QueueObject *self)
{
    PyGlobals_QueueRelease(self->q);
    self->ob_type->tp_free((PyObject *)self);
}

static PyObject *
do_put(QueueObject *self, PyObject *obj, double timeout)
{
    Buf b = {NULL, 0, 0};
    int code;
    if (encode(&b, obj, 0) < 0) {
        free(b.p);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    code = PyGlobals_QueuePutItem(self->q, b.p, b.len, timeout);
    Py_END_ALLOW_THREADS
    if (code != PYGLOBALS_QUEUE_OK) {
        free(b.p);
        return raise_code(self, code);
    }
    Py_INCREF(Py_None);
    return Py_None;
}

static PyObject *
do_get(QueueObject *self, double timeout)
{
    void *data;
    size_t len;
    int code;
    Reader r;
    PyObject *o;
    Py_BEGIN_ALLOW_THREADS
    code = PyGlobals_QueueGetItem(self->q, &data, &len, timeout);
    Py_END_ALLOW_THREADS
    if (code != PYGLOBALS_QUEUE_OK)
        return raise_code(self, code);
    r.p = (const unsigned char *)data;
    r.end = r.p + len;
    o = decode(&r, 0);
    if (o && r.p != r.end) {
        Py_DECREF(o);
        o = NULL;
        PyErr_SetString(PyExc_ValueError, "interpqueue: trailing bytes after an item");
    }
    free(data);
    return o;
}

static PyObject *
queue_put(QueueObject *self, PyObject *args, PyObject *kw)
{
    static PYGLOBAL char *kwlist[] = {"obj", "timeout", NULL};
    PyObject *obj, *t = NULL;
    double timeout;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O:put", kwlist, &obj, &t) || parse_timeout(t, &timeout) < 0)
        return NULL;
    return do_put(self, obj, timeout);
}

static PyObject *
queue_put_nowait(QueueObject *self, PyObject *obj)
{
    return do_put(self, obj, 0.0);
}

static PyObject *
queue_get(QueueObject *self, PyObject *args, PyObject *kw)
{
    static PYGLOBAL char *kwlist[] = {"timeout", NULL};
    PyObject *t = NULL;
    double timeout;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:get", kwlist, &t) || parse_timeout(t, &timeout) < 0)
        return NULL;
    return do_get(self, timeout);
}

static PyObject *
queue_get_nowait(QueueObject *self)
{
    return do_get(self, 0.0);
}

static PyObject *
queue_qsize(QueueObject *self)
{
    return PyInt_FromLong(PyGlobals_QueueSize(self->q));
}

static PyObject *
queue_close(QueueObject *self)
{
    PyGlobals_QueueClose(self->q);
    Py_INCREF(Py_None);
    return Py_None;
}

static PyObject *
queue_repr(QueueObject *self)
{
    return PyString_FromFormat("<interpqueue.Queue %s, %ld items%s>", PyGlobals_QueueName(self->q),
                               PyGlobals_QueueSize(self->q), PyGlobals_QueueIsClosed(self->q) ? ", closed" : "");
}

static PyObject *
queue_get_name(QueueObject *self, void *closure)
{
    return PyString_FromString(PyGlobals_QueueName(self->q));
}

static PyObject *
queue_get_maxsize(QueueObject *self, void *closure)
{
    return PyInt_FromLong(PyGlobals_QueueMaxsize(self->q));
}

static PyObject *
queue_get_closed(QueueObject *self, void *closure)
{
    return PyBool_FromLong(PyGlobals_QueueIsClosed(self->q));
}

static PYGLOBAL PyMethodDef queue_methods[] = {
    {"put", (PyCFunction)queue_put, METH_VARARGS | METH_KEYWORDS,
     "put(obj, timeout=None): copy obj into the queue, waiting up to timeout seconds for room (None: for ever). Full on timeout, Closed if closed."},
    {"put_nowait", (PyCFunction)queue_put_nowait, METH_O, "put_nowait(obj): put(obj, timeout=0)."},
    {"get", (PyCFunction)queue_get, METH_VARARGS | METH_KEYWORDS,
     "get(timeout=None): take the oldest item, waiting up to timeout seconds (None: for ever). Empty on timeout, Closed once closed and drained."},
    {"get_nowait", (PyCFunction)queue_get_nowait, METH_NOARGS, "get_nowait(): get(timeout=0)."},
    {"qsize", (PyCFunction)queue_qsize, METH_NOARGS, "qsize(): the number of items in the queue now."},
    {"close", (PyCFunction)queue_close, METH_NOARGS,
     "close(): no more puts; every waiter wakes; gets drain what is left, then raise Closed."},
    {NULL, NULL, 0, NULL}
};

static PYGLOBAL PyGetSetDef queue_getset[] = {
    {"name", (getter)queue_get_name, NULL, "the queue's name, the same in every interpreter", NULL},
    {"maxsize", (getter)queue_get_maxsize, NULL, "the most items it holds (0: no limit)", NULL},
    {"closed", (getter)queue_get_closed, NULL, "whether close() was called on it", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PYGLOBAL PyMethodDef module_methods[] = {
    {NULL, NULL, 0, NULL}
};

PyMODINIT_FUNC
initinterpqueue(void)
{
    PyObject *m;
    Queue_Type.ob_type = &PyType_Type;
    Queue_Type.tp_dealloc = (destructor)queue_dealloc;
    Queue_Type.tp_repr = (reprfunc)queue_repr;
    Queue_Type.tp_flags = Py_TPFLAGS_DEFAULT;
    Queue_Type.tp_doc = "Queue(name, maxsize=0): the process-wide queue of that name, shared by every interpreter.";
    Queue_Type.tp_methods = queue_methods;
    Queue_Type.tp_getset = queue_getset;
    Queue_Type.tp_new = queue_new;
    if (PyType_Ready(&Queue_Type) < 0)
        return;
    m = Py_InitModule3("interpqueue", module_methods,
                       "Queues between the interpreters of one process, by name; items are copied.");
    if (!m)
        return;
    Empty = PyErr_NewException("interpqueue.Empty", NULL, NULL);
    Full = PyErr_NewException("interpqueue.Full", NULL, NULL);
    Closed = PyErr_NewException("interpqueue.Closed", NULL, NULL);
    if (!Empty || !Full || !Closed)
        return;
    Py_INCREF(&Queue_Type);
    PyModule_AddObject(m, "Queue", (PyObject *)&Queue_Type);
    Py_INCREF(Empty);
    PyModule_AddObject(m, "Empty", Empty);
    Py_INCREF(Full);
    PyModule_AddObject(m, "Full", Full);
    Py_INCREF(Closed);
    PyModule_AddObject(m, "Closed", Closed);
}
