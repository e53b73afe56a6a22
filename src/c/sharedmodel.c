/* sharedmodel: a read-only model of float triangles, owned by the host and read by every
 * interpreter of the process with no copy.
 *
 * This is the reason for threads over processes (DESIGN §1): a CAM kernel holds one large
 * model in C memory and its Python workers read it in place. The host fills the buffer once,
 * before any interpreter starts, and calls sharedmodel_attach(); from then on the data is
 * never written, so N interpreters on N threads read it with no lock.
 *
 * The module's own statics are process-wide on purpose: the model pointer and size are set
 * once before the threads start, and the method table is never written (Py_InitModule4 only
 * reads it). Nothing here needs PYGLOBAL.
 *
 * Included by pymt.c (one translation unit, so `pyglobal build` compiles a single file), but
 * self-contained: a host can compile it on its own after #include "Python.h".
 */
#include "Python.h"
#include <limits.h>
#include <stdlib.h>

/* One triangle: three vertices of x, y, z. */
#define SHAREDMODEL_FLOATS_PER_TRIANGLE 9

static const float *sharedmodel_data = NULL;
static long sharedmodel_triangles = 0;

/* Called by the host once, before any interpreter starts; the memory stays the host's. */
static void
sharedmodel_attach(const float *data, long triangles)
{
    sharedmodel_data = data;
    sharedmodel_triangles = triangles;
}

/* Allocates and fills a model of about `megabytes` MB, deterministically. Every value is a
 * multiple of 1/256 below 256, so any sum over the model is exact in a double whatever the
 * order of addition: the checksum is the same in every interpreter and every run. Writing
 * every page makes the model resident before the threads start, so RSS shows it once. */
static float *
sharedmodel_build(double megabytes, long *triangles_out)
{
    size_t bytes = (size_t)(megabytes * 1024.0 * 1024.0);
    long n = (long)(bytes / (SHAREDMODEL_FLOATS_PER_TRIANGLE * sizeof(float)));
    float *data;
    long t;
    int k;

    *triangles_out = 0;
    if (n <= 0)
        return NULL;
    data = (float *)malloc((size_t)n * SHAREDMODEL_FLOATS_PER_TRIANGLE * sizeof(float));
    if (data == NULL)
        return NULL;
    for (t = 0; t < n; t++) {
        for (k = 0; k < SHAREDMODEL_FLOATS_PER_TRIANGLE; k++) {
            unsigned long h = (unsigned long)t * 2654435761UL + (unsigned long)k * 40503UL;
            h ^= h >> 13;
            data[t * SHAREDMODEL_FLOATS_PER_TRIANGLE + k] = (float)(h & 0xffffUL) / 256.0f;
        }
    }
    *triangles_out = n;
    return data;
}

/* The sum of every coordinate of triangles [start, start+count); exact (see above). */
static double
sharedmodel_sum(long start, long count)
{
    const float *p = sharedmodel_data + start * SHAREDMODEL_FLOATS_PER_TRIANGLE;
    const float *end = p + count * SHAREDMODEL_FLOATS_PER_TRIANGLE;
    double s = 0.0;
    for (; p < end; p++)
        s += *p;
    return s;
}

/* Clamps a Python (start, count) pair to the model; count < 0 means "to the end". */
static int
sharedmodel_range(long *start, long *count)
{
    if (*start < 0 || *start > sharedmodel_triangles) {
        PyErr_Format(PyExc_IndexError, "start %ld outside the model (0..%ld)",
                     *start, sharedmodel_triangles);
        return -1;
    }
    if (*count < 0 || *count > sharedmodel_triangles - *start)
        *count = sharedmodel_triangles - *start;
    return 0;
}

static PyObject *
sharedmodel_size(PyObject *self, PyObject *args)
{
    return PyLong_FromUnsignedLongLong((unsigned PY_LONG_LONG)sharedmodel_triangles *
                                       SHAREDMODEL_FLOATS_PER_TRIANGLE * sizeof(float));
}

static PyObject *
sharedmodel_count(PyObject *self, PyObject *args)
{
    return PyInt_FromLong(sharedmodel_triangles);
}

static PyObject *
sharedmodel_checksum(PyObject *self, PyObject *args)
{
    long start = 0, count = -1;
    if (!PyArg_ParseTuple(args, "|ll:checksum", &start, &count))
        return NULL;
    if (sharedmodel_range(&start, &count) < 0)
        return NULL;
    return PyFloat_FromDouble(sharedmodel_sum(start, count));
}

static PyObject *
sharedmodel_triangle(PyObject *self, PyObject *args)
{
    long i;
    const float *p;
    PyObject *t;
    int k;
    if (!PyArg_ParseTuple(args, "l:triangle", &i))
        return NULL;
    if (i < 0)
        i += sharedmodel_triangles;
    if (i < 0 || i >= sharedmodel_triangles) {
        PyErr_SetString(PyExc_IndexError, "triangle index out of range");
        return NULL;
    }
    p = sharedmodel_data + i * SHAREDMODEL_FLOATS_PER_TRIANGLE;
    t = PyTuple_New(SHAREDMODEL_FLOATS_PER_TRIANGLE);
    if (t == NULL)
        return NULL;
    for (k = 0; k < SHAREDMODEL_FLOATS_PER_TRIANGLE; k++) {
        PyObject *f = PyFloat_FromDouble(p[k]);
        if (f == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, k, f);
    }
    return t;
}

/* A read-only buffer over triangles [start, start+count): the model's own memory, no copy. */
static PyObject *
sharedmodel_buffer(PyObject *self, PyObject *args)
{
    long start = 0, count = -1;
    size_t bytes;
    if (!PyArg_ParseTuple(args, "|ll:buffer", &start, &count))
        return NULL;
    if (sharedmodel_range(&start, &count) < 0)
        return NULL;
    bytes = (size_t)count * SHAREDMODEL_FLOATS_PER_TRIANGLE * sizeof(float);
    if (bytes > INT_MAX) {
        /* 2.4's buffer objects have an int size. */
        PyErr_Format(PyExc_OverflowError,
                     "%ld triangles do not fit one 2.4 buffer; ask for at most %ld",
                     count, (long)(INT_MAX / (SHAREDMODEL_FLOATS_PER_TRIANGLE * sizeof(float))));
        return NULL;
    }
    /* PyBuffer_FromMemory is read-only; the cast drops a const the 2.4 API does not know. */
    return PyBuffer_FromMemory((void *)(sharedmodel_data + start * SHAREDMODEL_FLOATS_PER_TRIANGLE),
                               (int)bytes);
}

static PyMethodDef sharedmodel_methods[] = {
    {"size", sharedmodel_size, METH_NOARGS, "size() -> bytes of the shared model"},
    {"count", sharedmodel_count, METH_NOARGS, "count() -> number of triangles"},
    {"checksum", sharedmodel_checksum, METH_VARARGS,
     "checksum([start[, count]]) -> float: the sum of every coordinate, computed in C"},
    {"triangle", sharedmodel_triangle, METH_VARARGS,
     "triangle(i) -> (x0, y0, z0, x1, y1, z1, x2, y2, z2)"},
    {"buffer", sharedmodel_buffer, METH_VARARGS,
     "buffer([start[, count]]) -> read-only buffer over the model's memory (no copy)"},
    {NULL, NULL, 0, NULL}
};

/* Creates the module in the current interpreter and puts it in sys.modules, so `import
 * sharedmodel` finds it. The host calls this right after Py_Initialize in each thread
 * rather than registering it with PyImport_AppendInittab: that table and its realloc'd copy
 * are interpreter globals, and appending to it once per lifecycle would grow it (stock
 * build) or leak a copy per thread (thread-local build). */
static int
initsharedmodel_in_this_interpreter(void)
{
    PyObject *m = Py_InitModule3("sharedmodel", sharedmodel_methods,
                                 "A read-only model of float triangles shared by every "
                                 "interpreter of the process (no copy).");
    if (m == NULL)
        return -1;
    if (PyModule_AddIntConstant(m, "FLOATS_PER_TRIANGLE", SHAREDMODEL_FLOATS_PER_TRIANGLE) < 0)
        return -1;
    return 0;
}
