import { describe, expect, it } from 'vitest';
import { findNameSites } from '../../src/engine/calls.ts';
import { lineIndex } from '../../src/engine/lex.ts';

const names = new Set(['localtime', 'gmtime', 'strerror', 'dirname', 'setlocale', 'crypt']);
const sites = (text: string) => findNameSites(text, names, lineIndex(text)).map((s) => `${s.name}:${s.use}:${s.function}:${s.line}`);

describe('findNameSites', () => {
  it('tells calls, references, declarations and definitions apart', () => {
    const text = [
      'extern char *strerror(int);', // 1 declaration at file scope
      'static PyObject *conv(struct tm *(*f)(const time_t *));',
      'static PyObject *',
      'time_gmtime(PyObject *self)',
      '{',
      '\tstruct tm *p = localtime(&t);', // 6 call
      '\treturn conv(gmtime);', // 7 reference: passed as a function
      '}',
      'static PyObject *',
      'crypt_crypt(PyObject *self)',
      '{',
      '\textern char * crypt(const char *, const char *);', // 12 declaration inside a function
      '\treturn Py_BuildValue("s", crypt(word, salt));', // 13 call
      '}',
    ].join('\n');
    expect(sites(text)).toEqual(['strerror:declaration:-:1', 'localtime:call:time_gmtime:6', 'gmtime:reference:time_gmtime:7', 'crypt:declaration:crypt_crypt:12', 'crypt:call:crypt_crypt:13']);
  });

  it('finds a file that defines the function itself', () => {
    expect(sites('char *\nstrerror(int err)\n{\n\treturn "x";\n}\n')).toEqual(['strerror:definition:-:2']);
  });

  it('ignores members, strings, comments and includes', () => {
    const text = '#include "openssl/crypt.h"\n/* localtime( */\nvoid f(void) { s.gmtime = p->localtime; puts("strerror("); }\n';
    expect(sites(text)).toEqual([]);
  });

  it('skips a local variable or parameter of the same name, in its function only', () => {
    const text = [
      'static PyObject *f(PyObject *self) {',
      '\tchar *domain, *dirname;',
      '\tdirname = bindtextdomain(domain, dirname);',
      '\treturn PyString_FromString(dirname);',
      '}',
      'static int g(char *dirname) { return strlen(dirname); }',
      'static void h(void) { PyObject *strerror = NULL; Py_XDECREF(strerror); }',
      'static char *k(const char *p) { return dirname(p); }',
    ].join('\n');
    expect(sites(text)).toEqual(['dirname:call:k:8']);
  });

  it('finds calls inside #define bodies, named by their macro', () => {
    const text = '#define RESTORE_LOCALE(sl) { setlocale(LC_CTYPE, sl); \\\n\tfree(sl); }\n#define Py_GETENV(s) (flag ? NULL : getenv(s))\n';
    expect(sites(text)).toEqual(['setlocale:call:#define RESTORE_LOCALE:1']);
  });
});

describe('findNameSites on K&R and attributed declarations', () => {
  it('a K&R definition is a definition, an attributed prototype a declaration', () => {
    const text = 'extern char *strerror(int) __attribute__((__nothrow__));\nvoid crypt(key, n)\n\tunsigned char *key;\n\tint n;\n{\n}\n';
    expect(sites(text)).toEqual(['strerror:declaration:-:1', 'crypt:definition:-:2']);
  });

  it('an argument that the macro only stringizes names nothing (_GETATTR_(bitwise_and, rand))', () => {
    const names2 = new Set(['rand', 'localtime']);
    const text = [
      '#define _GETATTR_(str, rstr) do {if (strcmp(name, #str) == 0) \\',
      '        return PyObject_HasAttrString(op, "__" #rstr "__");} while (0);',
      '#define CALL(f, x) f(x)',
      'static int g(PyObject *op, char *name)',
      '{',
      '    _GETATTR_(bitwise_and, rand);',
      '    CALL(localtime, &t);',
      '    return 0;',
      '}',
    ].join('\n');
    const found = findNameSites(text, names2, lineIndex(text)).map((s) => `${s.name}:${s.use}:${s.line}`);
    expect(found).toEqual(['localtime:reference:7']);
  });

  it("offsetof's member names no function (2.7's exceptions.c: offsetof(PyEnvironmentErrorObject, strerror))", () => {
    const text = [
      'static PyMemberDef EnvironmentError_members[] = {',
      '    {"strerror", T_OBJECT, offsetof(PyEnvironmentErrorObject, strerror), 0,',
      '        PyDoc_STR("exception strerror")},',
      '};',
      'static char *f(int e) { return strerror(e); }',
    ].join('\n');
    expect(sites(text)).toEqual(['strerror:call:f:5']);
  });
});
