/* pymt_win: the Windows pymt. N isolated CPython 2.4 interpreters at once, one per
 * CreateThread thread, in one process; a Windows build of a tree rewritten by pyglobal apply.
 *
 *   pymt.exe [-n N] [--rounds R] [--stack MB] [--program-name P] [-o DIR] [-S] [-E]
 *            (-c CODE | FILE) [args...]
 *
 * The same options, lifecycle and labelled output as the Linux pymt (src/c/pymt.c), without
 * its POSIX-only parts (--model, --stage, --json, --rss, --serialize, -m, signal reports):
 * each round starts N fresh threads that wait on one event, so all interpreters start at the
 * same moment; each thread runs PyGlobals_InitThread, Py_SetProgramName, Py_Initialize, the
 * program, Py_Finalize, PyGlobals_FiniThread. Interpreter K's sys.stdout and sys.stderr go to
 * its own file (DIR/interp-K.out with -o, a temporary file otherwise), printed after the round
 * with each line prefixed "[K] ", or "[K:R] " when there is more than one round.
 *
 * Exit status: 0 every interpreter of every round exited 0; 1 some failed (one line on stderr
 * each); 2 usage. Built by `pyglobal build --variant tls --target windows` (windows.ts):
 *   clang --target=x86_64-w64-mingw32 -fms-extensions -DPYGLOBAL='__declspec(thread)' \
 *       -I$B/pyglobal-win -I$B/Include -I$B/PC pymt_win.c $B/libpython24.a -o $B/pymt.exe
 */
#include "Python.h"
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pymt_options {
    int n;
    int rounds;
    size_t stack_bytes;
    const char *progname;
    const char *outdir;
    const char *code;   /* -c CODE, or NULL */
    const char *file;   /* FILE, or NULL */
    int argc;           /* sys.argv */
    char **argv;
    int nosite;
    int ignore_env;
};

struct pymt_job {
    const struct pymt_options *opt;
    int index;
    int round;
    HANDLE start;
    FILE *out;
    char outpath[MAX_PATH];
    int status;         /* 0 ok, 1 the program failed */
    char reason[200];
};

static void
die_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "pymt: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage: pymt [-n N] [--rounds R] [--stack MB] [--program-name P] [-o DIR] "
                    "[-S] [-E] (-c CODE | FILE) [args...]\n");
    exit(2);
}

static long
parse_long(const char *s, const char *what, long lo, long hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        die_usage("%s: expected an integer in range", what);
    return v;
}

/* The pymt module: index, count, round, rounds, as in the Linux pymt. */
static PyMethodDef pymt_module_methods[] = { {NULL, NULL, 0, NULL} };

static int
init_pymt_module(struct pymt_job *job)
{
    PyObject *m = Py_InitModule("pymt", pymt_module_methods);
    if (m == NULL)
        return -1;
    if (PyModule_AddIntConstant(m, "index", job->index) < 0 ||
        PyModule_AddIntConstant(m, "count", job->opt->n) < 0 ||
        PyModule_AddIntConstant(m, "round", job->round) < 0 ||
        PyModule_AddIntConstant(m, "rounds", job->opt->rounds) < 0)
        return -1;
    return 0;
}

/* SystemExit's code decides the status, as in python; any other exception is a failure. */
static void
report_exception(struct pymt_job *job, const char *what)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (type != NULL && PyErr_GivenExceptionMatches(type, PyExc_SystemExit)) {
        PyObject *code = value;
        long rc = 0;
        if (code != NULL && PyInstance_Check(code)) {
            code = PyObject_GetAttrString(value, "code");
        } else {
            Py_XINCREF(code);
        }
        if (code == NULL || code == Py_None)
            rc = 0;
        else if (PyInt_Check(code))
            rc = PyInt_AsLong(code);
        else
            rc = 1;
        Py_XDECREF(code);
        PyErr_Clear();
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
        if (rc != 0) {
            job->status = 1;
            sprintf(job->reason, "exit code %ld", rc);
        }
        return;
    }
    job->status = 1;
    PyErr_Restore(type, value, tb);
    PyErr_Print();
    _snprintf(job->reason, sizeof job->reason, "%suncaught exception", what);
}

static void
run_program(struct pymt_job *job)
{
    const struct pymt_options *opt = job->opt;
    PyObject *main_mod, *globals, *result;
    main_mod = PyImport_AddModule("__main__");
    if (main_mod == NULL) {
        report_exception(job, "__main__: ");
        return;
    }
    globals = PyModule_GetDict(main_mod);
    if (PyDict_GetItemString(globals, "__builtins__") == NULL)
        PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
    if (opt->code != NULL) {
        result = PyRun_String(opt->code, Py_file_input, globals, globals);
    } else {
        FILE *fp = fopen(opt->file, "r");
        if (fp == NULL) {
            job->status = 1;
            _snprintf(job->reason, sizeof job->reason, "cannot open %s", opt->file);
            return;
        }
        PyDict_SetItemString(globals, "__file__", PyString_FromString(opt->file));
        result = PyRun_FileEx(fp, opt->file, Py_file_input, globals, globals, 1);
    }
    if (result == NULL)
        report_exception(job, "");
    else
        Py_DECREF(result);
}

static void
run_interpreter(struct pymt_job *job)
{
    const struct pymt_options *opt = job->opt;
    PyObject *out_file, *err_file, *site;

    PyGlobals_InitThread();
    Py_IgnoreEnvironmentFlag = opt->ignore_env;
    /* site is imported by hand below, after stdout is redirected (as the Linux pymt). */
    Py_NoSiteFlag = 1;
    Py_SetProgramName((char *)opt->progname);
    Py_Initialize();
    PySys_SetArgv(opt->argc, opt->argv);

    out_file = PyFile_FromFile(job->out, "<pymt stdout>", "w", NULL);
    err_file = PyFile_FromFile(job->out, "<pymt stderr>", "w", NULL);
    if (out_file == NULL || err_file == NULL) {
        report_exception(job, "redirecting output: ");
    } else {
        PySys_SetObject("stdout", out_file);
        PySys_SetObject("stderr", err_file);
        PySys_SetObject("__stdout__", out_file);
        PySys_SetObject("__stderr__", err_file);
        if (init_pymt_module(job) < 0) {
            report_exception(job, "creating the pymt module: ");
        } else {
            if (!opt->nosite) {
                Py_NoSiteFlag = 0;
                site = PyImport_ImportModule("site");
                if (site == NULL) {
                    PyErr_Print();
                    PySys_WriteStderr("'import site' failed; use -v for traceback\n");
                    PyErr_Clear();
                } else {
                    Py_DECREF(site);
                }
            }
            run_program(job);
        }
    }
    if (Py_FlushLine())
        PyErr_Clear();
    Py_XDECREF(out_file);
    Py_XDECREF(err_file);
    Py_Finalize();
    fflush(job->out);
    PyGlobals_FiniThread();
}

static DWORD WINAPI
interp_thread(LPVOID arg)
{
    struct pymt_job *job = (struct pymt_job *)arg;
    WaitForSingleObject(job->start, INFINITE);
    run_interpreter(job);
    return 0;
}

/* Prints a job's output file, each line prefixed with its label. */
static void
print_labelled(struct pymt_job *job, int many_rounds)
{
    char label[40], line[4096];
    int at_start = 1;
    if (many_rounds)
        sprintf(label, "[%d:%d] ", job->index, job->round);
    else
        sprintf(label, "[%d] ", job->index);
    rewind(job->out);
    while (fgets(line, sizeof line, job->out) != NULL) {
        if (at_start)
            fputs(label, stdout);
        fputs(line, stdout);
        at_start = strchr(line, '\n') != NULL;
    }
    if (!at_start)
        fputc('\n', stdout);
}

static int
run_round(const struct pymt_options *opt, int round)
{
    HANDLE *threads = (HANDLE *)calloc(opt->n, sizeof *threads);
    struct pymt_job *jobs = (struct pymt_job *)calloc(opt->n, sizeof *jobs);
    HANDLE start = CreateEvent(NULL, TRUE, FALSE, NULL);
    int k, failed = 0;
    if (threads == NULL || jobs == NULL || start == NULL) {
        fprintf(stderr, "pymt: out of memory\n");
        exit(1);
    }
    for (k = 0; k < opt->n; k++) {
        struct pymt_job *job = &jobs[k];
        job->opt = opt;
        job->index = k;
        job->round = round;
        job->start = start;
        if (opt->outdir != NULL) {
            if (opt->rounds > 1)
                _snprintf(job->outpath, sizeof job->outpath, "%s\\interp-%d.round-%d.out", opt->outdir, k, round);
            else
                _snprintf(job->outpath, sizeof job->outpath, "%s\\interp-%d.out", opt->outdir, k);
            job->out = fopen(job->outpath, "w+");
        } else {
            job->out = tmpfile();
        }
        if (job->out == NULL) {
            fprintf(stderr, "pymt: cannot open an output file for interpreter %d\n", k);
            exit(1);
        }
        threads[k] = CreateThread(NULL, opt->stack_bytes, interp_thread, job,
                                  STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
        if (threads[k] == NULL) {
            fprintf(stderr, "pymt: CreateThread failed for interpreter %d (error %lu)\n", k,
                    (unsigned long)GetLastError());
            exit(1);
        }
    }
    SetEvent(start);
    WaitForMultipleObjects((DWORD)opt->n, threads, TRUE, INFINITE);
    for (k = 0; k < opt->n; k++) {
        CloseHandle(threads[k]);
        if (opt->outdir == NULL)
            print_labelled(&jobs[k], opt->rounds > 1);
        fclose(jobs[k].out);
    }
    fflush(stdout);
    for (k = 0; k < opt->n; k++) {
        if (jobs[k].status != 0) {
            fprintf(stderr, "pymt: interpreter %d round %d failed: %s\n", k, round, jobs[k].reason);
            failed++;
        }
    }
    CloseHandle(start);
    free(threads);
    free(jobs);
    return failed;
}

/* Default program name: python.exe next to pymt.exe if there is one, else pymt.exe itself;
 * PC/getpathp.c finds Lib/ from it (or from PYTHONHOME). */
static char *
default_progname(void)
{
    static char buf[MAX_PATH];
    DWORD len = GetModuleFileNameA(NULL, buf, MAX_PATH);
    if (len == 0 || len >= MAX_PATH)
        return "pymt";
    return buf;
}

int
main(int argc, char **argv)
{
    struct pymt_options opt;
    int i, r, failed = 0;
    memset(&opt, 0, sizeof opt);
    opt.n = 1;
    opt.rounds = 1;
    opt.stack_bytes = 16 * 1024 * 1024;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-n") == 0 && i + 1 < argc)
            opt.n = (int)parse_long(argv[++i], "-n", 1, 4096);
        else if (strcmp(a, "--rounds") == 0 && i + 1 < argc)
            opt.rounds = (int)parse_long(argv[++i], "--rounds", 1, 1000000);
        else if (strcmp(a, "--stack") == 0 && i + 1 < argc)
            opt.stack_bytes = (size_t)parse_long(argv[++i], "--stack", 1, 4096) * 1024 * 1024;
        else if (strcmp(a, "--program-name") == 0 && i + 1 < argc)
            opt.progname = argv[++i];
        else if (strcmp(a, "-o") == 0 && i + 1 < argc)
            opt.outdir = argv[++i];
        else if (strcmp(a, "-S") == 0)
            opt.nosite = 1;
        else if (strcmp(a, "-E") == 0)
            opt.ignore_env = 1;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            die_usage("%s", "help");
        else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
            opt.code = argv[++i];
            /* sys.argv is ['-c', args...], as in python */
            argv[i] = "-c";
            opt.argc = argc - i;
            opt.argv = argv + i;
            break;
        } else if (a[0] == '-' && a[1] != '\0')
            die_usage("unknown option %s", a);
        else {
            opt.file = a;
            opt.argc = argc - i;
            opt.argv = argv + i;
            break;
        }
    }
    if (opt.code == NULL && opt.file == NULL)
        die_usage("%s", "nothing to run: give -c CODE or FILE");
    if (opt.progname == NULL)
        opt.progname = default_progname();
    for (r = 1; r <= opt.rounds; r++)
        failed += run_round(&opt, r);
    return failed ? 1 : 0;
}
