/* pymt: run N isolated CPython 2.4 interpreters at once, one per OS thread, in one process.
 *
 *   pymt -n N [--rounds R] [--model MB] [-o DIR] [--json] [--rss] [-E -t -O -S -v -u]
 *        (-c CODE | -m MODULE | FILE) [args...]
 *   pymt (--stage FILE | --stage-c CODE)... [options]
 *
 * With --stage, each stage is its own program: interpreter K runs the K-th stage (sys.argv is
 * [FILE], or ['-c'] for --stage-c), pymt.index is K and pymt.count the number of stages, so a
 * pipeline of N interpreters (linked by interpqueue) is one command.
 *
 * Each round starts N fresh threads that wait at a barrier, so all interpreters start at the
 * same moment. Each thread runs one full lifecycle:
 *   PyGlobals_InitThread, Py_SetProgramName, Py_Initialize, run the program,
 *   Py_Finalize, PyGlobals_FiniThread, thread exit.
 * Each interpreter's sys.stdout and sys.stderr write to its own file (DIR/interp-K.out with -o,
 * a temporary file otherwise, printed after the round with each line prefixed "[K] ", or
 * "[K:r] " when there is more than one round). Interpreters are numbered from 0, rounds from 1.
 *
 * Exit status: 0 when every interpreter of every round exited 0; 1 when any failed, with one
 * line on stderr per failure (interpreter, round, and why: exit code or uncaught exception);
 * 2 for bad arguments. A fatal signal (segfault, abort from Py_FatalError) kills the process:
 * a handler first writes which interpreter and round it hit, then the signal is re-raised, so
 * a parent (pyglobal test) sees it as a signal and can count it.
 *
 * Built by `pyglobal build --variant tls` next to ./python, as one translation unit:
 *   gcc -pthread -I$B -I$B/Include pymt.c $B/libpython2.4.a -Xlinker -export-dynamic \
 *       -lpthread -ldl -lutil -lm -o $B/pymt
 * (it #includes sharedmodel.c from its own directory). Against a tree without pyglobal.h
 * (stock CPython) it compiles too and calls no PyGlobals_* function; then N > 1 shares every
 * global between the interpreters and is expected to crash: that is the stock anchor.
 *
 * -m MODULE finds MODULE's source with imp.find_module (dotted names walk package
 * directories without running their __init__) and runs that file as __main__, like 2.4's -m.
 */
#include "Python.h"
#include "sharedmodel.c"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* pyglobal.h defines PYGLOBAL (as __thread, or empty in the stock-equivalent variant) and
 * declares the per-thread entry points; a pristine tree has neither. */
#ifdef PYGLOBAL
#define PYMT_HAVE_PYGLOBAL 1
#define PYMT_STR2(x) #x
#define PYMT_STR(x) PYMT_STR2(x)
#define PYMT_PYGLOBAL_TEXT PYMT_STR(PYGLOBAL)
#else
#define PYMT_HAVE_PYGLOBAL 0
#define PYMT_PYGLOBAL_TEXT ""
#endif

enum pymt_mode { MODE_NONE, MODE_COMMAND, MODE_FILE, MODE_MODULE };

/* What one interpreter runs: the common program, or its own stage. */
struct pymt_program {
    enum pymt_mode mode;
    const char *target;
    int argc;
    char **argv; /* sys.argv: [0] is "-c", the file, or filled in for -m */
};

/* Stages are few (one per interpreter); a fixed table keeps parsing free of allocation. */
#define PYMT_MAX_STAGES 256

struct pymt_options {
    int n;
    int n_given; /* -n was on the command line: with --stage it must agree */
    int rounds;
    double model_mb;
    const char *outdir;
    int json;
    int rss;
    int serialize;
    size_t stack_bytes;
    char *progname;
    /* Python's own flags, set in each thread: they are interpreter globals. */
    int ignore_env, tabcheck, optimize, nosite, verbose, unbuffered;
    struct pymt_program prog;
    /* --stage/--stage-c: interpreter K runs stages[K] instead of prog; n == nstages */
    int nstages;
    struct pymt_program stages[PYMT_MAX_STAGES];
    char *stage_argv0[PYMT_MAX_STAGES];
};

/* One interpreter's lifecycle in one round. */
struct pymt_job {
    int index;
    int round;
    const struct pymt_options *opt;
    const struct pymt_program *prog; /* opt->prog, or this interpreter's stage */
    pthread_barrier_t *start;
    FILE *out;
    char outpath[PATH_MAX];
    int status;          /* the exit code, as python would return it */
    char reason[512];    /* why it failed, one line; empty when status == 0 */
    double seconds;
    int thread_started;
};

/* Which interpreter this thread runs, for the fatal-signal report. pymt's own thread-local
 * state: not an interpreter global, so it carries __thread itself in every variant. */
static __thread int pymt_cur_index = -1;
static __thread int pymt_cur_round = 0;

/* ------------------------------------------------------------------ small utilities */

static double
now_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static void
die_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "pymt: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'pymt --help'.\n");
    exit(2);
}

static long
parse_long(const char *s, const char *what, long min, long max)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        die_usage("%s: expected an integer in range", what);
    return v;
}

/* Appends an unsigned decimal to buf using only async-signal-safe code. */
static size_t
put_uint(char *buf, size_t at, unsigned long v)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < (int)sizeof tmp);
    while (k > 0)
        buf[at++] = tmp[--k];
    return at;
}

static size_t
put_str(char *buf, size_t at, const char *s)
{
    while (*s)
        buf[at++] = *s++;
    return at;
}

static const char *
signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
    }
}

/* -------------------------------------------------------------- fatal-signal report */

static void
fatal_signal(int sig)
{
    char buf[200];
    size_t at = 0;
    at = put_str(buf, at, "pymt: interpreter ");
    if (pymt_cur_index < 0)
        at = put_str(buf, at, "(none: main thread)");
    else
        at = put_uint(buf, at, (unsigned long)pymt_cur_index);
    at = put_str(buf, at, " round ");
    at = put_uint(buf, at, (unsigned long)pymt_cur_round);
    at = put_str(buf, at, ": killed by signal ");
    at = put_uint(buf, at, (unsigned long)sig);
    at = put_str(buf, at, " (");
    at = put_str(buf, at, signal_name(sig));
    at = put_str(buf, at, ")\n");
    if (write(2, buf, at) < 0) {
        /* nothing more can be done in a signal handler */
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
install_fatal_handlers(void)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    struct sigaction sa;
    size_t i;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fatal_signal;
    sigemptyset(&sa.sa_mask);
    /* SA_ONSTACK: a stack overflow must still be reported, on the thread's alternate stack. */
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

/* Process-directed signals (kill, alarm, SIGCHLD) go to any thread that does not block them.
 * pymt's main thread only waits in pthread_join, and a signal handled there would be lost:
 * Python's handler records it in the state of the thread it runs on (a thread-local in the
 * tls build) and a pause() in the interpreter would never return. So the main thread blocks
 * them and each interpreter thread unblocks them: with one interpreter, signals behave as in
 * python; with N, whichever interpreter the kernel picks gets them (signals are process-wide,
 * which is why tests that use them run alone). */
static sigset_t pymt_async_signals;

static void
block_async_signals(void)
{
    sigfillset(&pymt_async_signals);
    /* faults stay deliverable so the fatal-signal report works everywhere */
    sigdelset(&pymt_async_signals, SIGSEGV);
    sigdelset(&pymt_async_signals, SIGBUS);
    sigdelset(&pymt_async_signals, SIGFPE);
    sigdelset(&pymt_async_signals, SIGILL);
    sigdelset(&pymt_async_signals, SIGABRT);
    pthread_sigmask(SIG_BLOCK, &pymt_async_signals, NULL);
}

/* -------------------------------------------------------------- per-interpreter modules */

static PyMethodDef pymt_module_methods[] = { {NULL, NULL, 0, NULL} };

/* `import pymt` tells a program which interpreter it is, so one program can take its share
 * of a job (pyglobal test splits the regression suite this way). */
static int
init_pymt_module(const struct pymt_job *job)
{
    PyObject *m = Py_InitModule3("pymt", pymt_module_methods,
                                 "Facts about this interpreter inside a pymt process.");
    if (m == NULL)
        return -1;
    if (PyModule_AddIntConstant(m, "index", job->index) < 0 ||
        PyModule_AddIntConstant(m, "count", job->opt->n) < 0 ||
        PyModule_AddIntConstant(m, "round", job->round) < 0 ||
        PyModule_AddIntConstant(m, "rounds", job->opt->rounds) < 0 ||
        PyModule_AddStringConstant(m, "pyglobal", PYMT_PYGLOBAL_TEXT) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ running a program */

/* Records "Type: message" of the current exception as the failure reason, prints the
 * traceback to the interpreter's own stderr (as python does) and clears it. */
static void
report_exception(struct pymt_job *job, PyObject *stderr_file, const char *context)
{
    PyObject *type, *value, *tb, *name = NULL, *text = NULL;
    const char *n = "?", *t = "";
    char *p;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (type != NULL) {
        name = PyObject_GetAttrString(type, "__name__");
        if (name != NULL && PyString_Check(name))
            n = PyString_AS_STRING(name);
        else
            PyErr_Clear();
    }
    if (value != NULL) {
        text = PyObject_Str(value);
        if (text != NULL && PyString_Check(text))
            t = PyString_AS_STRING(text);
        else
            PyErr_Clear();
    }
    PyOS_snprintf(job->reason, sizeof job->reason, "%suncaught %s%s%s", context, n,
                  *t ? ": " : "", t);
    for (p = job->reason; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    /* The program may have left sys.stderr redirected (a test harness that died mid-way):
     * the traceback belongs in this interpreter's output. */
    if (stderr_file != NULL)
        PySys_SetObject("stderr", stderr_file);
    if (type != NULL)
        PyErr_Display(type, value, tb);
    PyErr_Clear();
    Py_XDECREF(name);
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    job->status = 1;
}

/* SystemExit: the exit code as python computes it (handle_system_exit), without calling
 * Py_Exit, which would end the whole process. */
static void
take_system_exit(struct pymt_job *job)
{
    PyObject *type, *value, *tb, *code;
    int status = 0;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    code = value;
    Py_XINCREF(code);
    if (value != NULL && PyInstance_Check(value)) {
        PyObject *c = PyObject_GetAttrString(value, "code");
        if (c != NULL) {
            Py_DECREF(code);
            code = c;
        } else {
            PyErr_Clear();
        }
    }
    if (code == NULL || code == Py_None) {
        status = 0;
    } else if (PyInt_Check(code)) {
        status = (int)PyInt_AsLong(code);
    } else {
        PyObject *s = PyObject_Str(code);
        if (s != NULL && PyString_Check(s)) {
            PySys_WriteStderr("%.1000s\n", PyString_AS_STRING(s));
            PyOS_snprintf(job->reason, sizeof job->reason, "sys.exit(%.400s)",
                          PyString_AS_STRING(s));
        }
        PyErr_Clear();
        Py_XDECREF(s);
        status = 1;
    }
    Py_XDECREF(code);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    if (status != 0 && job->reason[0] == '\0')
        PyOS_snprintf(job->reason, sizeof job->reason, "exit code %d", status);
    job->status = status;
}

/* A program's result: NULL means an exception is set. */
static void
take_result(struct pymt_job *job, PyObject *result, PyObject *stderr_file, const char *context)
{
    if (result != NULL) {
        Py_DECREF(result);
        if (Py_FlushLine())
            PyErr_Clear();
        return;
    }
    if (PyErr_ExceptionMatches(PyExc_SystemExit))
        take_system_exit(job);
    else
        report_exception(job, stderr_file, context);
}

static const char find_module_src[] =
    "def _pymt_find(name):\n"
    "    import imp\n"
    "    path = None\n"
    "    parts = name.split('.')\n"
    "    for i in range(len(parts)):\n"
    "        f, fn, desc = imp.find_module(parts[i], path)\n"
    "        if f is not None:\n"
    "            f.close()\n"
    "        if i < len(parts) - 1:\n"
    "            if desc[2] != imp.PKG_DIRECTORY:\n"
    "                raise ImportError('%s is not a package' % '.'.join(parts[:i+1]))\n"
    "            path = [fn]\n"
    "    if desc[2] != imp.PY_SOURCE:\n"
    "        raise ImportError('module %s is not usable as a script (%s)' % (name, fn))\n"
    "    return fn\n";

/* The source file of MODULE, as a new string object; NULL with an exception set. */
static PyObject *
find_module_file(const char *module)
{
    PyObject *d, *r, *f, *fn = NULL;
    d = PyDict_New();
    if (d == NULL)
        return NULL;
    if (PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) == 0) {
        r = PyRun_StringFlags(find_module_src, Py_file_input, d, d, NULL);
        if (r != NULL) {
            Py_DECREF(r);
            f = PyDict_GetItemString(d, "_pymt_find");
            if (f != NULL)
                fn = PyObject_CallFunction(f, "s", module);
        }
    }
    Py_DECREF(d);
    return fn;
}

/* Runs FILENAME as __main__; sets job->status. */
static void
run_file(struct pymt_job *job, PyObject *main_dict, const char *filename, PyObject *stderr_file)
{
    FILE *fp = fopen(filename, "r");
    PyObject *f, *r;
    if (fp == NULL) {
        PySys_WriteStderr("pymt: can't open file '%.900s': [Errno %d] %.200s\n", filename, errno,
                          strerror(errno));
        PyOS_snprintf(job->reason, sizeof job->reason, "can't open file '%.400s': %.80s",
                      filename, strerror(errno));
        job->status = 2;
        return;
    }
    f = PyString_FromString(filename);
    if (f == NULL || PyDict_SetItemString(main_dict, "__file__", f) < 0) {
        Py_XDECREF(f);
        fclose(fp);
        report_exception(job, stderr_file, "");
        return;
    }
    Py_DECREF(f);
    r = PyRun_FileExFlags(fp, filename, Py_file_input, main_dict, main_dict, 1, NULL);
    take_result(job, r, stderr_file, "");
}

/* sys.exitfunc runs here rather than in Py_Finalize, whose PyErr_Print would turn a
 * SystemExit raised by an exit handler into exit() of the whole process. */
static void
run_exitfunc(struct pymt_job *job, PyObject *stderr_file)
{
    PyObject *f = PySys_GetObject("exitfunc");
    PyObject *r;
    struct pymt_job scratch;
    if (f == NULL)
        return;
    Py_INCREF(f);
    PySys_SetObject("exitfunc", NULL);
    PyErr_Clear();
    r = PyEval_CallObject(f, (PyObject *)NULL);
    Py_DECREF(f);
    if (r != NULL) {
        Py_DECREF(r);
        return;
    }
    memset(&scratch, 0, sizeof scratch);
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        take_system_exit(&scratch);
    } else {
        PySys_WriteStderr("Error in sys.exitfunc:\n");
        report_exception(&scratch, stderr_file, "in sys.exitfunc: ");
    }
    if (job->status == 0 && scratch.status != 0) {
        job->status = scratch.status;
        memcpy(job->reason, scratch.reason, sizeof job->reason);
    }
}

static void
run_program(struct pymt_job *job, PyObject *stdout_file, PyObject *stderr_file)
{
    const struct pymt_program *prog = job->prog;
    PyObject *m, *d, *r, *fn;
    char **argv;
    int k;

    m = PyImport_AddModule("__main__");
    if (m == NULL) {
        report_exception(job, stderr_file, "setting up __main__: ");
        return;
    }
    d = PyModule_GetDict(m);

    argv = (char **)malloc(sizeof(char *) * (prog->argc + 1));
    if (argv == NULL) {
        PyOS_snprintf(job->reason, sizeof job->reason, "out of memory");
        job->status = 1;
        return;
    }
    for (k = 0; k < prog->argc; k++)
        argv[k] = prog->argv[k];
    argv[prog->argc] = NULL;

    switch (prog->mode) {
    case MODE_COMMAND:
        PySys_SetArgv(prog->argc, argv);
        r = PyRun_StringFlags(prog->target, Py_file_input, d, d, NULL);
        take_result(job, r, stderr_file, "");
        break;
    case MODE_FILE:
        PySys_SetArgv(prog->argc, argv);
        run_file(job, d, prog->target, stderr_file);
        break;
    case MODE_MODULE:
        fn = find_module_file(prog->target);
        if (fn == NULL || !PyString_Check(fn)) {
            Py_XDECREF(fn);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ImportError, "imp.find_module gave no file name");
            report_exception(job, stderr_file, "finding module: ");
            job->status = 2; /* as python -m does for a module it cannot run */
            break;
        }
        /* sys.argv[0] is the module's file, as with python -m */
        argv[0] = PyString_AS_STRING(fn);
        PySys_SetArgv(prog->argc, argv);
        run_file(job, d, PyString_AS_STRING(fn), stderr_file);
        Py_DECREF(fn);
        break;
    case MODE_NONE:
        break;
    }
    free(argv);
    run_exitfunc(job, stderr_file);
    (void)stdout_file;
}

/* The whole lifecycle of one interpreter, on the calling thread. */
static void
run_interpreter(struct pymt_job *job)
{
    const struct pymt_options *opt = job->opt;
    PyObject *out_file = NULL, *err_file = NULL, *site;
    double t0 = now_seconds();

#if PYMT_HAVE_PYGLOBAL
    PyGlobals_InitThread();
#endif
    /* The flags are interpreter globals: thread-local in the tls build, so each thread sets
     * its own; in the stock build every thread writes the same values. */
    Py_IgnoreEnvironmentFlag = opt->ignore_env;
    Py_TabcheckFlag = opt->tabcheck;
    Py_OptimizeFlag = opt->optimize;
    Py_VerboseFlag = opt->verbose;
    /* site is imported by hand below, after stdout is redirected, so its output and
     * errors land in this interpreter's file. */
    Py_NoSiteFlag = 1;
    Py_SetProgramName(opt->progname);
    Py_Initialize();

    out_file = PyFile_FromFile(job->out, job->outpath[0] ? job->outpath : "<pymt stdout>", "w",
                               NULL);
    err_file = PyFile_FromFile(job->out, job->outpath[0] ? job->outpath : "<pymt stderr>", "w",
                               NULL);
    if (out_file == NULL || err_file == NULL) {
        report_exception(job, NULL, "redirecting output: ");
    } else {
        PySys_SetObject("stdout", out_file);
        PySys_SetObject("stderr", err_file);
        PySys_SetObject("__stdout__", out_file);
        PySys_SetObject("__stderr__", err_file);
        if (init_pymt_module(job) < 0 || initsharedmodel_in_this_interpreter() < 0) {
            report_exception(job, err_file, "creating the pymt/sharedmodel modules: ");
        } else {
            if (!opt->nosite) {
                Py_NoSiteFlag = 0;
                site = PyImport_ImportModule("site");
                if (site == NULL) {
                    /* as pythonrun.c's initsite does */
                    PyErr_Print();
                    PySys_WriteStderr("'import site' failed; use -v for traceback\n");
                    PyErr_Clear();
                } else {
                    Py_DECREF(site);
                }
            }
            run_program(job, out_file, err_file);
        }
    }
    if (Py_FlushLine())
        PyErr_Clear();
    /* sys keeps its own references; the file objects never own job->out (no close
     * function), so Py_Finalize frees them and pymt closes the FILE itself. */
    Py_XDECREF(out_file);
    Py_XDECREF(err_file);
    Py_Finalize();
    fflush(job->out);
#if PYMT_HAVE_PYGLOBAL
    PyGlobals_FiniThread();
#endif
    job->seconds = now_seconds() - t0;
}

/* ------------------------------------------------------------------------ threads */

/* --serialize: one lifecycle at a time, for a libpython whose globals are process-wide. */
static pthread_mutex_t pymt_serial = PTHREAD_MUTEX_INITIALIZER;

static void *
interp_thread(void *arg)
{
    struct pymt_job *job = (struct pymt_job *)arg;
    stack_t ss, old;
    int have_alt = 0;

    pymt_cur_index = job->index;
    pymt_cur_round = job->round;
    ss.ss_sp = malloc(SIGSTKSZ * 4);
    ss.ss_size = SIGSTKSZ * 4;
    ss.ss_flags = 0;
    if (ss.ss_sp != NULL && sigaltstack(&ss, &old) == 0)
        have_alt = 1;

    pthread_sigmask(SIG_UNBLOCK, &pymt_async_signals, NULL);
    pthread_barrier_wait(job->start);
    if (job->opt->serialize)
        pthread_mutex_lock(&pymt_serial);
    run_interpreter(job);
    if (job->opt->serialize)
        pthread_mutex_unlock(&pymt_serial);

    if (have_alt) {
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, NULL);
    }
    free(ss.ss_sp);
    pymt_cur_index = -1;
    return NULL;
}

/* ------------------------------------------------------------------------ reports */

static void
json_string(FILE *f, const char *s, size_t len)
{
    size_t i;
    fputc('"', f);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            /* Bytes >= 0x80 are written as \u00XX: the output is read as Latin-1, one byte one
             * character, so any byte string round-trips through valid JSON. */
            if (c < 0x20 || c >= 0x7f)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

/* The whole content of a job's output file, malloc'd; *len gets its size. */
static char *
slurp(FILE *f, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    fflush(f);
    rewind(f);
    for (;;) {
        if (cap - n < 65536) {
            char *nb;
            cap = cap ? cap * 2 : 65536;
            nb = (char *)realloc(buf, cap);
            if (nb == NULL)
                break;
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    *len = n;
    return buf;
}

static void
print_labelled(const struct pymt_job *job, const char *text, size_t len)
{
    char label[48];
    size_t i = 0, start;
    if (job->opt->rounds > 1)
        snprintf(label, sizeof label, "[%d:%d] ", job->index, job->round);
    else
        snprintf(label, sizeof label, "[%d] ", job->index);
    while (i < len) {
        start = i;
        while (i < len && text[i] != '\n')
            i++;
        fputs(label, stdout);
        fwrite(text + start, 1, i - start, stdout);
        fputc('\n', stdout);
        if (i < len)
            i++;
    }
}

static void
read_memory(long *rss_kb, long *hwm_kb)
{
    FILE *f;
    long size, resident;
    char line[256];
    *rss_kb = -1;
    *hwm_kb = -1;
    f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &size, &resident) == 2)
            *rss_kb = resident * (sysconf(_SC_PAGESIZE) / 1024);
        fclose(f);
    }
    f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "VmHWM:", 6) == 0)
                *hwm_kb = strtol(line + 6, NULL, 10);
        fclose(f);
    }
}

/* ------------------------------------------------------------------------ rounds */

/* Runs one round; returns the number of interpreters that failed. */
static int
run_round(const struct pymt_options *opt, int round)
{
    struct pymt_job *jobs;
    pthread_t *threads;
    pthread_attr_t attr;
    pthread_barrier_t start;
    int k, failed = 0, rc;

    jobs = (struct pymt_job *)calloc(opt->n, sizeof *jobs);
    threads = (pthread_t *)calloc(opt->n, sizeof *threads);
    if (jobs == NULL || threads == NULL) {
        fprintf(stderr, "pymt: out of memory\n");
        exit(2);
    }
    for (k = 0; k < opt->n; k++) {
        struct pymt_job *j = &jobs[k];
        j->index = k;
        j->round = round;
        j->opt = opt;
        j->prog = opt->nstages > 0 ? &opt->stages[k] : &opt->prog;
        j->start = &start;
        if (opt->outdir != NULL) {
            if (opt->rounds > 1)
                snprintf(j->outpath, sizeof j->outpath, "%s/interp-%d.round-%d.out", opt->outdir,
                         k, round);
            else
                snprintf(j->outpath, sizeof j->outpath, "%s/interp-%d.out", opt->outdir, k);
            j->out = fopen(j->outpath, "w+");
        } else {
            j->out = tmpfile();
        }
        if (j->out == NULL) {
            fprintf(stderr, "pymt: cannot open an output file for interpreter %d%s%s: %s\n", k,
                    j->outpath[0] ? " at " : "", j->outpath, strerror(errno));
            exit(2);
        }
        /* Line-buffered, so after a crash the file shows how far the interpreter got. */
        setvbuf(j->out, NULL, opt->unbuffered ? _IONBF : _IOLBF, BUFSIZ);
    }

    pthread_barrier_init(&start, NULL, (unsigned)opt->n);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, opt->stack_bytes);
    for (k = 0; k < opt->n; k++) {
        rc = pthread_create(&threads[k], &attr, interp_thread, &jobs[k]);
        if (rc != 0) {
            /* The barrier would wait forever for the missing thread. */
            fprintf(stderr, "pymt: round %d: cannot start thread %d: %s\n", round, k,
                    strerror(rc));
            exit(2);
        }
        jobs[k].thread_started = 1;
    }
    for (k = 0; k < opt->n; k++)
        pthread_join(threads[k], NULL);
    pthread_attr_destroy(&attr);
    pthread_barrier_destroy(&start);

    for (k = 0; k < opt->n; k++) {
        struct pymt_job *j = &jobs[k];
        if (j->status != 0) {
            failed++;
            if (j->reason[0] == '\0')
                snprintf(j->reason, sizeof j->reason, "exit code %d", j->status);
        }
        if (opt->json) {
            printf("{\"type\":\"interp\",\"round\":%d,\"interp\":%d,\"ok\":%s,\"exit\":%d,"
                   "\"seconds\":%.6f,\"reason\":",
                   round, k, j->status == 0 ? "true" : "false", j->status, j->seconds);
            json_string(stdout, j->reason, strlen(j->reason));
            if (opt->outdir != NULL) {
                printf(",\"outputFile\":");
                json_string(stdout, j->outpath, strlen(j->outpath));
            } else {
                size_t len;
                char *text = slurp(j->out, &len);
                printf(",\"output\":");
                json_string(stdout, text ? text : "", text ? len : 0);
                free(text);
            }
            printf("}\n");
        } else if (opt->outdir == NULL) {
            size_t len;
            char *text = slurp(j->out, &len);
            if (text != NULL)
                print_labelled(j, text, len);
            free(text);
        }
        fclose(j->out);
        if (j->status != 0)
            fprintf(stderr, "pymt: interpreter %d round %d failed: %s\n", k, round, j->reason);
    }
    if (opt->rss) {
        long rss, hwm;
        read_memory(&rss, &hwm);
        if (opt->json)
            printf("{\"type\":\"round\",\"round\":%d,\"rssKb\":%ld,\"peakRssKb\":%ld}\n", round,
                   rss, hwm);
        fprintf(stderr, "pymt: round %d: rss %ld kB, peak %ld kB\n", round, rss, hwm);
    }
    fflush(stdout);
    free(jobs);
    free(threads);
    return failed;
}

/* ------------------------------------------------------------------------ options */

static const char usage_text[] =
    "usage: pymt [options] (-c CODE | -m MODULE | FILE) [args...]\n"
    "       pymt [options] (--stage FILE | --stage-c CODE)...\n"
    "Runs N isolated Python interpreters at once, one per thread, in one process.\n"
    "\n"
    "  -n N              interpreters (threads) per round (default 1)\n"
    "  --stage FILE      one interpreter per stage, all at once (a pipeline): interpreter K\n"
    "                    runs the K-th --stage FILE with sys.argv [FILE]; repeat it per\n"
    "                    stage; -n is the number of stages (an -n that differs is an error)\n"
    "  --stage-c CODE    a stage given as code (sys.argv ['-c']); mixes with --stage\n"
    "  --rounds R        repeat R times: N fresh threads start together (barrier), each runs\n"
    "                    init, the program, finalize, then exits (default 1)\n"
    "  --model MB        allocate and fill one read-only model of MB megabytes of float\n"
    "                    triangles, shared by all interpreters: import sharedmodel\n"
    "  -o DIR            write interpreter K's stdout+stderr to DIR/interp-K.out\n"
    "                    (DIR/interp-K.round-R.out with --rounds > 1) instead of printing\n"
    "                    it after the round as lines prefixed \"[K] \" (\"[K:R] \")\n"
    "  --json            JSON Lines on stdout: one record per interpreter and round\n"
    "                    (status, reason, output), round records with --rss, and a summary\n"
    "  --rss             report the process RSS (and peak) after each round, on stderr\n"
    "  --serialize       threads still start together, but one lifecycle runs at a time (a\n"
    "                    lock around each): what a libpython that is not thread-local needs\n"
    "  --stack MB        thread stack size (default 16)\n"
    "  --program-name P  Py_SetProgramName value; it decides sys.prefix and sys.executable\n"
    "                    (default: ./python next to pymt if present, else pymt itself)\n"
    "  -E -t -tt -O -S -v -u  as for python, in every interpreter\n"
    "  --version         print the Python version and the PYGLOBAL variant\n"
    "\n"
    "In each interpreter, `import pymt` gives index (0..N-1), count, round (1..R), rounds;\n"
    "with --stage, index is the stage (0 for the first --stage) and count the stages.\n"
    "Exit status: 0 all interpreters exited 0; 1 some failed (listed on stderr); 2 usage.\n"
    "A fatal signal is reported with its interpreter and round, then re-raised.\n";

/* Default program name: the python that sits next to pymt (a build directory), so getpath
 * finds Lib/ the way ./python does and sys.executable is a real python for tests that
 * spawn it. */
static char *
default_progname(const char *argv0)
{
    static char path[PATH_MAX];
    char self[PATH_MAX - 16]; /* room for "/python" in path */
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        char *slash;
        struct stat st;
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/python", self);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
                return path;
            *slash = '/';
        }
        snprintf(path, sizeof path, "%s", self);
        return path;
    }
    snprintf(path, sizeof path, "%s", argv0);
    return path;
}

static int
flag_cluster(const char *arg, struct pymt_options *opt)
{
    const char *p;
    for (p = arg + 1; *p; p++)
        if (!strchr("EtOSvu", *p))
            return 0;
    for (p = arg + 1; *p; p++) {
        switch (*p) {
        case 'E': opt->ignore_env = 1; break;
        case 't': opt->tabcheck++; break;
        case 'O': opt->optimize++; break;
        case 'S': opt->nosite = 1; break;
        case 'v': opt->verbose++; break;
        case 'u': opt->unbuffered = 1; break;
        }
    }
    return 1;
}

/* The value of an option given as "-xVALUE", "-x VALUE", "--opt=VALUE" or "--opt VALUE". */
static const char *
option_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t len = strlen(name);
    if (strncmp(a, name, len) == 0 && a[len] == '=' && name[1] == '-')
        return a + len + 1;
    if (strncmp(a, name, len) == 0 && a[len] != '\0' && name[1] != '-')
        return a + len;
    if (*i + 1 >= argc)
        die_usage("%s needs a value", name);
    return argv[++*i];
}

static int
option_is(const char *a, const char *name)
{
    size_t len = strlen(name);
    if (strncmp(a, name, len) != 0)
        return 0;
    if (a[len] == '\0')
        return 1;
    if (name[1] == '-')
        return a[len] == '=';
    return 1; /* -n4 */
}

static void
parse_options(int argc, char **argv, struct pymt_options *opt)
{
    int i;
    memset(opt, 0, sizeof *opt);
    opt->n = 1;
    opt->rounds = 1;
    opt->stack_bytes = (size_t)16 << 20;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (strcmp(a, "--version") == 0) {
            printf("pymt: Python %s, PYGLOBAL=%s\n", PY_VERSION,
                   PYMT_HAVE_PYGLOBAL ? (PYMT_PYGLOBAL_TEXT[0] ? PYMT_PYGLOBAL_TEXT : "(empty)")
                                      : "(none: no pyglobal.h)");
            exit(0);
        } else if (option_is(a, "--rounds")) {
            opt->rounds = (int)parse_long(option_value(argc, argv, &i, "--rounds"), "--rounds",
                                          1, 1000000);
        } else if (option_is(a, "--model")) {
            const char *v = option_value(argc, argv, &i, "--model");
            char *end;
            opt->model_mb = strtod(v, &end);
            if (end == v || *end || opt->model_mb <= 0 || opt->model_mb > 1024 * 1024)
                die_usage("--model %s: expected a size in megabytes", v);
        } else if (option_is(a, "--stack")) {
            opt->stack_bytes = (size_t)parse_long(option_value(argc, argv, &i, "--stack"),
                                                  "--stack", 1, 4096) << 20;
        } else if (option_is(a, "--program-name")) {
            opt->progname = (char *)option_value(argc, argv, &i, "--program-name");
        } else if (strcmp(a, "--json") == 0) {
            opt->json = 1;
        } else if (strcmp(a, "--rss") == 0) {
            opt->rss = 1;
        } else if (strcmp(a, "--serialize") == 0) {
            opt->serialize = 1;
        } else if (option_is(a, "--stage-c") || option_is(a, "--stage")) {
            int code = option_is(a, "--stage-c");
            struct pymt_program *st;
            if (opt->nstages >= PYMT_MAX_STAGES)
                die_usage("%s: too many stages", a);
            st = &opt->stages[opt->nstages];
            st->mode = code ? MODE_COMMAND : MODE_FILE;
            st->target = option_value(argc, argv, &i, code ? "--stage-c" : "--stage");
            opt->stage_argv0[opt->nstages] = code ? "-c" : (char *)st->target;
            st->argc = 1;
            st->argv = &opt->stage_argv0[opt->nstages];
            opt->nstages++;
        } else if (option_is(a, "-n")) {
            opt->n = (int)parse_long(option_value(argc, argv, &i, "-n"), "-n", 1, 4096);
            opt->n_given = 1;
        } else if (option_is(a, "-o")) {
            opt->outdir = option_value(argc, argv, &i, "-o");
        } else if (option_is(a, "-c")) {
            opt->prog.mode = MODE_COMMAND;
            opt->prog.target = option_value(argc, argv, &i, "-c");
            /* sys.argv = ['-c', args...], as python does */
            argv[i] = "-c";
            opt->prog.argc = argc - i;
            opt->prog.argv = argv + i;
            break;
        } else if (option_is(a, "-m")) {
            opt->prog.mode = MODE_MODULE;
            opt->prog.target = option_value(argc, argv, &i, "-m");
            opt->prog.argc = argc - i;
            opt->prog.argv = argv + i; /* [0] becomes the module's file */
            break;
        } else if (strcmp(a, "--") == 0) {
            if (i + 1 >= argc)
                die_usage("%s: a FILE must follow", a);
            i++;
            opt->prog.mode = MODE_FILE;
            opt->prog.target = argv[i];
            opt->prog.argc = argc - i;
            opt->prog.argv = argv + i;
            break;
        } else if (a[0] == '-' && a[1] != '-' && a[1] != '\0' && flag_cluster(a, opt)) {
            continue;
        } else if (a[0] == '-') {
            die_usage("unknown option %s", a);
        } else {
            opt->prog.mode = MODE_FILE;
            opt->prog.target = a;
            opt->prog.argc = argc - i;
            opt->prog.argv = argv + i;
            break;
        }
    }
    if (opt->nstages > 0) {
        if (opt->prog.mode != MODE_NONE)
            die_usage("%s: give either stages (--stage, --stage-c) or one program for all "
                      "interpreters, not both", opt->prog.target);
        if (opt->n_given && opt->n != opt->nstages) {
            char msg[64];
            snprintf(msg, sizeof msg, "%d", opt->nstages);
            die_usage("-n disagrees with the %s stages given (leave -n out)", msg);
        }
        opt->n = opt->nstages;
    } else if (opt->prog.mode == MODE_NONE)
        die_usage("%s", "nothing to run: give -c CODE, -m MODULE, FILE or --stage (stdin is shared "
                        "by all interpreters, so there is no interactive mode)");
    if (opt->progname == NULL)
        opt->progname = default_progname(argv[0]);
    if (opt->outdir != NULL) {
        struct stat st;
        if (stat(opt->outdir, &st) != 0 || !S_ISDIR(st.st_mode))
            die_usage("-o %s: not a directory", opt->outdir);
    }
}

int
main(int argc, char **argv)
{
    static struct pymt_options opt;
    float *model = NULL;
    long triangles = 0;
    int round, failed = 0, failed_rounds = 0;
    double t0;

    parse_options(argc, argv, &opt);
    install_fatal_handlers();
    block_async_signals();

    if (opt.serialize)
        ; /* one interpreter at a time: safe with any libpython */
    else if (!PYMT_HAVE_PYGLOBAL && opt.n > 1)
        fprintf(stderr, "pymt: warning: this libpython has no pyglobal.h (not rewritten): "
                        "%d interpreters will share every global and are expected to crash\n",
                opt.n);
    else if (PYMT_HAVE_PYGLOBAL && PYMT_PYGLOBAL_TEXT[0] == '\0' && opt.n > 1)
        fprintf(stderr, "pymt: warning: PYGLOBAL is empty in this build (stock variant): "
                        "%d interpreters will share every global and are expected to crash\n",
                opt.n);

    if (opt.model_mb > 0) {
        double m0 = now_seconds();
        model = sharedmodel_build(opt.model_mb, &triangles);
        if (model == NULL) {
            fprintf(stderr, "pymt: cannot allocate a %.1f MB model\n", opt.model_mb);
            return 2;
        }
        sharedmodel_attach(model, triangles);
        fprintf(stderr, "pymt: model: %ld triangles, %.1f MB, checksum %.17g (built in %.2f s)\n",
                triangles,
                triangles * (double)(SHAREDMODEL_FLOATS_PER_TRIANGLE * sizeof(float)) / 1048576.0,
                sharedmodel_sum(0, triangles), now_seconds() - m0);
    }

    t0 = now_seconds();
    for (round = 1; round <= opt.rounds; round++) {
        int f = run_round(&opt, round);
        failed += f;
        if (f)
            failed_rounds++;
    }

    if (opt.json) {
        long rss, hwm;
        read_memory(&rss, &hwm);
        printf("{\"type\":\"summary\",\"interpreters\":%d,\"rounds\":%d,\"failed\":%d,"
               "\"failedRounds\":%d,\"seconds\":%.3f,\"rssKb\":%ld,\"peakRssKb\":%ld,"
               "\"modelTriangles\":%ld,\"pyglobal\":",
               opt.n, opt.rounds, failed, failed_rounds, now_seconds() - t0, rss, hwm,
               triangles);
        if (PYMT_HAVE_PYGLOBAL)
            json_string(stdout, PYMT_PYGLOBAL_TEXT, strlen(PYMT_PYGLOBAL_TEXT));
        else
            fputs("null", stdout);
        printf("}\n");
    }
    fflush(stdout);
    if (failed)
        fprintf(stderr, "pymt: %d of %d interpreter runs failed (%d of %d rounds)\n", failed,
                opt.n * opt.rounds, failed_rounds, opt.rounds);
    free(model);
    return failed ? 1 : 0;
}
