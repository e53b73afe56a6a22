/* A Windows host with an extension module linked in (2.4.6's Modules/xxmodule.c as apply
   rewrote it): a .pyd cannot reach the core's thread-local data across the DLL boundary, so the
   module is compiled like the core and registered in each thread with PyImport_AppendInittab
   before Py_Initialize (the inittab is per thread). Run by test/e2e/windows.test.ts under Wine.

   usage: win_appendinittab N ROUNDS   (PYTHONHOME: the tree, for Lib/) */
#include "Python.h"
#include <windows.h>
#include <stdio.h>
extern void initxx(void);
static const char *code =
    "import xx\n"
    "acc = 0\n"
    "for i in range(200):\n"
    "    o = xx.new()\n"
    "    acc += len(str(o.demo())) + xx.foo(i, 3)\n"
    "    try:\n"
    "        raise xx.error, 'e%d' % i\n"
    "    except xx.error:\n"
    "        acc += 1\n"
    "print 'xx', acc, type(o).__name__\n";
static DWORD WINAPI worker(LPVOID arg)
{
    (void)arg;
    PyGlobals_InitThread();
    PyImport_AppendInittab("xx", initxx);
    Py_NoSiteFlag = 1;
    Py_Initialize();
    PyRun_SimpleString(code);
    Py_Finalize();
    PyGlobals_FiniThread();
    return 0;
}
int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2, rounds = argc > 2 ? atoi(argv[2]) : 1, r, i;
    HANDLE h[16];
    for (r = 0; r < rounds; r++) {
        for (i = 0; i < n; i++) h[i] = CreateThread(NULL, 16 << 20, worker, NULL, 0, NULL);
        WaitForMultipleObjects(n, h, TRUE, INFINITE);
        for (i = 0; i < n; i++) CloseHandle(h[i]);
    }
    return 0;
}
