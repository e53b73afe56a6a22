/* bench/startup.ts's host: the cost of one interpreter's start-up and shutdown in a thread
   (pthread_create, PyGlobals_InitThread, Py_Initialize, Py_Finalize, PyGlobals_FiniThread,
   join), against spawning `python -E -c pass` and waiting for it, interleaved so both see the
   same machine. Prints one line per sample: "thread <ns>" or "spawn <ns>".
   usage: startup_host <build dir> <rounds> */
#include "Python.h"
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;
static char program[4096];

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *lifecycle(void *arg)
{
    (void)arg;
    PyGlobals_InitThread();
    Py_IgnoreEnvironmentFlag = 1;      /* as -E: this thread's copy */
    Py_SetProgramName(program);        /* Lib/ is found from here, as the spawned python finds it */
    Py_Initialize();
    Py_Finalize();
    PyGlobals_FiniThread();
    return NULL;
}

int main(int argc, char **argv)
{
    int rounds, i;
    if (argc != 3) { fprintf(stderr, "usage: %s <build dir> <rounds>\n", argv[0]); return 2; }
    snprintf(program, sizeof program, "%s/python", argv[1]);
    rounds = atoi(argv[2]);
    for (i = 0; i < rounds; i++) {
        pthread_t t;
        pid_t pid;
        int status;
        char *args[] = { program, "-E", "-c", "pass", NULL };
        long long t0 = now_ns();
        if (pthread_create(&t, NULL, lifecycle, NULL) != 0) { perror("pthread_create"); return 1; }
        pthread_join(t, NULL);
        printf("thread %lld\n", now_ns() - t0);
        t0 = now_ns();
        if (posix_spawn(&pid, program, NULL, NULL, args, environ) != 0) { perror("posix_spawn"); return 1; }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) { fprintf(stderr, "python -c pass failed\n"); return 1; }
        printf("spawn %lld\n", now_ns() - t0);
        fflush(stdout);
    }
    return 0;
}
