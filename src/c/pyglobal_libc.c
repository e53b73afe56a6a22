/* Python/pyglobal_libc.c: copied by pyglobal apply from its src/c/pyglobal_libc.c. Do not edit;
   run apply again instead.

   Thread-safe forms of the C library calls that keep state behind their API (rules/libc-calls.json
   lists each with its reason). apply renames every call NAME in the tree to PyGlobals_NAME; here,
   PyGlobals_NAME gives each calling thread, and so each interpreter, answers of its own:
   - the reentrant _r form into thread-local storage (localtime, getpwuid, gethostbyname, ...);
   - a process-wide lock around what is truly process state (the locale, the time zone, the
     environment), with the answer copied out while the lock is held;
   - a thread-local snapshot for the database walks (getpwent, getgrent).
   In the stock-equivalent build (PYGLOBAL_STOCK) this file is empty and pyglobal_libc.h makes
   every PyGlobals_NAME the C library's own NAME. On Windows the C runtime already keeps these
   results per thread, and the header does the same.

   Written for C89 compilers: no // comments, declarations first in each block. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* the _r forms; the same definition as CPython's pyconfig.h */
#endif
#include "Python.h"

#if !defined(PYGLOBAL_STOCK) && !defined(_WIN32)

#include <pthread.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>

/* ---- the process-wide lock ---------------------------------------------------------------
   Recursive, so that code holding it (Py_Initialize around its locale dance) can call the
   locked shims. Shared by every interpreter on purpose: rules/reviewed/pyglobal-libc.json. */
static pthread_mutex_t _pyglobal_libc_mutex;
static pthread_once_t _pyglobal_libc_once = PTHREAD_ONCE_INIT;

static void
_pyglobal_libc_init(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&_pyglobal_libc_mutex, &a);
	pthread_mutexattr_destroy(&a);
}

void
PyGlobals_LibcLock(void)
{
	pthread_once(&_pyglobal_libc_once, _pyglobal_libc_init);
	pthread_mutex_lock(&_pyglobal_libc_mutex);
}

void
PyGlobals_LibcUnlock(void)
{
	pthread_mutex_unlock(&_pyglobal_libc_mutex);
}

/* 1 the first time the process asks with this key, 0 after: for setup that belongs to the
   process, such as libreadline's settings (rules/hooks/readline-once.json). */
#define _PYGLOBAL_NONCE 16
static const char *_pyglobal_once_keys[_PYGLOBAL_NONCE];
static int _pyglobal_once_n;

int
PyGlobals_OnceInProcess(const char *key)
{
	int i, first = 1;
	PyGlobals_LibcLock();
	for (i = 0; i < _pyglobal_once_n; i++)
		if (strcmp(_pyglobal_once_keys[i], key) == 0)
			first = 0;
	if (first && _pyglobal_once_n < _PYGLOBAL_NONCE)
		_pyglobal_once_keys[_pyglobal_once_n++] = key;
	PyGlobals_LibcUnlock();
	return first;
}

/* ---- thread-local buffers ---------------------------------------------------------------
   Grown with realloc and kept for the thread's next call; PyGlobals_LibcRelease frees them
   (PyGlobals_FiniThread calls it). A thread that never calls a shim never allocates. */
#define _PYGLOBAL_NBUF 8
static PYGLOBAL char *_pyglobal_buf[_PYGLOBAL_NBUF];
static PYGLOBAL size_t _pyglobal_buflen[_PYGLOBAL_NBUF];

enum { BUF_PW, BUF_GR, BUF_HOST, BUF_SERV, BUF_PROTO, BUF_STR, BUF_LCONV, BUF_CRYPT };

/* The calling thread's buffer number k, at least n bytes; NULL (errno ENOMEM) if it cannot grow. */
static char *
_pyglobal_buffer(int k, size_t n)
{
	char *p;
	if (_pyglobal_buflen[k] >= n)
		return _pyglobal_buf[k];
	p = (char *)realloc(_pyglobal_buf[k], n);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	_pyglobal_buf[k] = p;
	_pyglobal_buflen[k] = n;
	return p;
}

/* Copies s into buffer k; NULL stays NULL. */
static char *
_pyglobal_keep(int k, const char *s)
{
	size_t n;
	char *p;
	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	p = _pyglobal_buffer(k, n);
	if (p != NULL)
		memmove(p, s, n); /* s may be this very buffer (strerror_r) */
	return p;
}

static void _pyglobal_pw_forget(void);
static void _pyglobal_gr_forget(void);

void
PyGlobals_LibcRelease(void)
{
	int k;
	for (k = 0; k < _PYGLOBAL_NBUF; k++) {
		free(_pyglobal_buf[k]);
		_pyglobal_buf[k] = NULL;
		_pyglobal_buflen[k] = 0;
	}
	_pyglobal_pw_forget();
	_pyglobal_gr_forget();
}

/* Runs an _r call that reports ERANGE when its buffer is small, doubling buffer k until it fits. */
#define _PYGLOBAL_RETRY(k, call) \
	do { \
		size_t _n = _pyglobal_buflen[k] ? _pyglobal_buflen[k] : 1024; \
		for (;;) { \
			buf = _pyglobal_buffer(k, _n); \
			if (buf == NULL) { rc = ENOMEM; break; } \
			buflen = _n; \
			rc = (call); \
			if (rc != ERANGE || _n >= ((size_t)1 << 24)) break; \
			_n *= 2; \
		} \
	} while (0)

/* ---- time ------------------------------------------------------------------------------- */
#include <time.h>

static PYGLOBAL struct tm _pyglobal_tm;
static PYGLOBAL char _pyglobal_timestr[32];

struct tm *
PyGlobals_localtime(const time_t *t)
{
	struct tm *r;
	PyGlobals_LibcLock();
	tzset(); /* localtime() does, localtime_r() need not: keep localtime's answers */
	r = localtime_r(t, &_pyglobal_tm);
	PyGlobals_LibcUnlock();
	return r;
}

struct tm *
PyGlobals_gmtime(const time_t *t)
{
	return gmtime_r(t, &_pyglobal_tm);
}

char *
PyGlobals_asctime(const struct tm *tm)
{
	return asctime_r(tm, _pyglobal_timestr);
}

char *
PyGlobals_ctime(const time_t *t)
{
	struct tm tm;
	struct tm *r;
	PyGlobals_LibcLock();
	tzset();
	r = localtime_r(t, &tm);
	PyGlobals_LibcUnlock();
	return r == NULL ? NULL : asctime_r(&tm, _pyglobal_timestr);
}

time_t
PyGlobals_mktime(struct tm *tm)
{
	time_t r;
	PyGlobals_LibcLock();
	r = mktime(tm);
	PyGlobals_LibcUnlock();
	return r;
}

void
PyGlobals_tzset(void)
{
	PyGlobals_LibcLock();
	tzset();
	PyGlobals_LibcUnlock();
}

/* ---- strings ---------------------------------------------------------------------------- */
static PYGLOBAL char *_pyglobal_strtok_save;

char *
PyGlobals_strtok(char *s, const char *delim)
{
	return strtok_r(s, delim, &_pyglobal_strtok_save);
}

char *
PyGlobals_strerror(int errnum)
{
	char *buf = _pyglobal_buffer(BUF_STR, 256);
	if (buf == NULL)
		return "Unknown error (out of memory)";
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	/* the GNU form may return a static string instead of filling buf */
	return _pyglobal_keep(BUF_STR, strerror_r(errnum, buf, 256));
#else
	if (strerror_r(errnum, buf, 256) != 0)
		sprintf(buf, "Unknown error %d", errnum);
	return buf;
#endif
}

/* ---- users and groups ------------------------------------------------------------------- */
#include <pwd.h>
#include <grp.h>

static PYGLOBAL struct passwd _pyglobal_pw;
static PYGLOBAL struct group _pyglobal_gr;

struct passwd *
PyGlobals_getpwnam(const char *name)
{
	struct passwd *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_PW, getpwnam_r(name, &_pyglobal_pw, buf, buflen, &res));
	if (res == NULL && rc != 0)
		errno = rc;
	return res;
}

struct passwd *
PyGlobals_getpwuid(uid_t uid)
{
	struct passwd *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_PW, getpwuid_r(uid, &_pyglobal_pw, buf, buflen, &res));
	if (res == NULL && rc != 0)
		errno = rc;
	return res;
}

struct group *
PyGlobals_getgrnam(const char *name)
{
	struct group *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_GR, getgrnam_r(name, &_pyglobal_gr, buf, buflen, &res));
	if (res == NULL && rc != 0)
		errno = rc;
	return res;
}

struct group *
PyGlobals_getgrgid(gid_t gid)
{
	struct group *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_GR, getgrgid_r(gid, &_pyglobal_gr, buf, buflen, &res));
	if (res == NULL && rc != 0)
		errno = rc;
	return res;
}

/* The walks: the whole database is read once, under the lock, with the process's own
   setpwent/getpwent/endpwent, and each entry deep-copied into one malloc'd block per entry.
   Every thread then walks its own snapshot. */
static size_t
_pyglobal_strv_size(char **v, size_t *count)
{
	size_t n = 0, c = 0;
	if (v != NULL)
		for (; v[c] != NULL; c++)
			n += strlen(v[c]) + 1;
	*count = c;
	return n + (c + 1) * sizeof(char *);
}

static char *
_pyglobal_copy_str(char **at, const char *s)
{
	size_t n;
	char *p = *at;
	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	memcpy(p, s, n);
	*at += n;
	return p;
}

static PYGLOBAL struct passwd **_pyglobal_pw_list;
static PYGLOBAL size_t _pyglobal_pw_n, _pyglobal_pw_next;
static PYGLOBAL int _pyglobal_pw_open;

static void
_pyglobal_pw_forget(void)
{
	size_t i;
	for (i = 0; i < _pyglobal_pw_n; i++)
		free(_pyglobal_pw_list[i]);
	free(_pyglobal_pw_list);
	_pyglobal_pw_list = NULL;
	_pyglobal_pw_n = _pyglobal_pw_next = 0;
	_pyglobal_pw_open = 0;
}

static struct passwd *
_pyglobal_pw_copy(const struct passwd *p)
{
	size_t n = sizeof(struct passwd);
	struct passwd *c;
	char *at;
	n += (p->pw_name ? strlen(p->pw_name) + 1 : 0) + (p->pw_passwd ? strlen(p->pw_passwd) + 1 : 0);
	n += (p->pw_gecos ? strlen(p->pw_gecos) + 1 : 0) + (p->pw_dir ? strlen(p->pw_dir) + 1 : 0);
	n += (p->pw_shell ? strlen(p->pw_shell) + 1 : 0);
	c = (struct passwd *)malloc(n);
	if (c == NULL)
		return NULL;
	*c = *p;
	at = (char *)(c + 1);
	c->pw_name = _pyglobal_copy_str(&at, p->pw_name);
	c->pw_passwd = _pyglobal_copy_str(&at, p->pw_passwd);
	c->pw_gecos = _pyglobal_copy_str(&at, p->pw_gecos);
	c->pw_dir = _pyglobal_copy_str(&at, p->pw_dir);
	c->pw_shell = _pyglobal_copy_str(&at, p->pw_shell);
	return c;
}

void
PyGlobals_setpwent(void)
{
	struct passwd *p;
	size_t cap = 0;
	_pyglobal_pw_forget();
	PyGlobals_LibcLock();
	setpwent();
	while ((p = getpwent()) != NULL) {
		struct passwd *c = _pyglobal_pw_copy(p);
		if (c == NULL)
			break;
		if (_pyglobal_pw_n == cap) {
			struct passwd **l;
			cap = cap ? 2 * cap : 64;
			l = (struct passwd **)realloc(_pyglobal_pw_list, cap * sizeof *l);
			if (l == NULL) {
				free(c);
				break;
			}
			_pyglobal_pw_list = l;
		}
		_pyglobal_pw_list[_pyglobal_pw_n++] = c;
	}
	endpwent();
	PyGlobals_LibcUnlock();
	_pyglobal_pw_open = 1;
}

struct passwd *
PyGlobals_getpwent(void)
{
	if (!_pyglobal_pw_open)
		PyGlobals_setpwent();
	if (_pyglobal_pw_next >= _pyglobal_pw_n)
		return NULL;
	return _pyglobal_pw_list[_pyglobal_pw_next++];
}

void
PyGlobals_endpwent(void)
{
	_pyglobal_pw_forget();
}

static PYGLOBAL struct group **_pyglobal_gr_list;
static PYGLOBAL size_t _pyglobal_gr_n, _pyglobal_gr_next;
static PYGLOBAL int _pyglobal_gr_open;

static void
_pyglobal_gr_forget(void)
{
	size_t i;
	for (i = 0; i < _pyglobal_gr_n; i++)
		free(_pyglobal_gr_list[i]);
	free(_pyglobal_gr_list);
	_pyglobal_gr_list = NULL;
	_pyglobal_gr_n = _pyglobal_gr_next = 0;
	_pyglobal_gr_open = 0;
}

static struct group *
_pyglobal_gr_copy(const struct group *g)
{
	size_t members, i, n = sizeof(struct group);
	struct group *c;
	char *at;
	n += _pyglobal_strv_size(g->gr_mem, &members);
	n += (g->gr_name ? strlen(g->gr_name) + 1 : 0) + (g->gr_passwd ? strlen(g->gr_passwd) + 1 : 0);
	c = (struct group *)malloc(n);
	if (c == NULL)
		return NULL;
	*c = *g;
	c->gr_mem = (char **)(c + 1);
	at = (char *)(c->gr_mem + members + 1);
	for (i = 0; i < members; i++)
		c->gr_mem[i] = _pyglobal_copy_str(&at, g->gr_mem[i]);
	c->gr_mem[members] = NULL;
	c->gr_name = _pyglobal_copy_str(&at, g->gr_name);
	c->gr_passwd = _pyglobal_copy_str(&at, g->gr_passwd);
	return c;
}

void
PyGlobals_setgrent(void)
{
	struct group *g;
	size_t cap = 0;
	_pyglobal_gr_forget();
	PyGlobals_LibcLock();
	setgrent();
	while ((g = getgrent()) != NULL) {
		struct group *c = _pyglobal_gr_copy(g);
		if (c == NULL)
			break;
		if (_pyglobal_gr_n == cap) {
			struct group **l;
			cap = cap ? 2 * cap : 64;
			l = (struct group **)realloc(_pyglobal_gr_list, cap * sizeof *l);
			if (l == NULL) {
				free(c);
				break;
			}
			_pyglobal_gr_list = l;
		}
		_pyglobal_gr_list[_pyglobal_gr_n++] = c;
	}
	endgrent();
	PyGlobals_LibcUnlock();
	_pyglobal_gr_open = 1;
}

struct group *
PyGlobals_getgrent(void)
{
	if (!_pyglobal_gr_open)
		PyGlobals_setgrent();
	if (_pyglobal_gr_next >= _pyglobal_gr_n)
		return NULL;
	return _pyglobal_gr_list[_pyglobal_gr_next++];
}

void
PyGlobals_endgrent(void)
{
	_pyglobal_gr_forget();
}

/* ---- the network databases -------------------------------------------------------------- */
#include <netdb.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

static PYGLOBAL struct hostent _pyglobal_host;
static PYGLOBAL struct servent _pyglobal_serv;
static PYGLOBAL struct protoent _pyglobal_proto;
static PYGLOBAL char _pyglobal_ntoa[INET_ADDRSTRLEN];

struct hostent *
PyGlobals_gethostbyname(const char *name)
{
	struct hostent *res = NULL;
	char *buf;
	size_t buflen;
	int rc, herr = 0;
	_PYGLOBAL_RETRY(BUF_HOST, gethostbyname_r(name, &_pyglobal_host, buf, buflen, &res, &herr));
	if (res == NULL)
		h_errno = herr;
	return res;
}

struct hostent *
PyGlobals_gethostbyaddr(const void *addr, socklen_t len, int type)
{
	struct hostent *res = NULL;
	char *buf;
	size_t buflen;
	int rc, herr = 0;
	_PYGLOBAL_RETRY(BUF_HOST, gethostbyaddr_r(addr, len, type, &_pyglobal_host, buf, buflen, &res, &herr));
	if (res == NULL)
		h_errno = herr;
	return res;
}

struct servent *
PyGlobals_getservbyname(const char *name, const char *proto)
{
	struct servent *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_SERV, getservbyname_r(name, proto, &_pyglobal_serv, buf, buflen, &res));
	return res;
}

struct servent *
PyGlobals_getservbyport(int port, const char *proto)
{
	struct servent *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_SERV, getservbyport_r(port, proto, &_pyglobal_serv, buf, buflen, &res));
	return res;
}

struct protoent *
PyGlobals_getprotobyname(const char *name)
{
	struct protoent *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_PROTO, getprotobyname_r(name, &_pyglobal_proto, buf, buflen, &res));
	return res;
}

struct protoent *
PyGlobals_getprotobynumber(int proto)
{
	struct protoent *res = NULL;
	char *buf;
	size_t buflen;
	int rc;
	_PYGLOBAL_RETRY(BUF_PROTO, getprotobynumber_r(proto, &_pyglobal_proto, buf, buflen, &res));
	return res;
}

char *
PyGlobals_inet_ntoa(struct in_addr in)
{
	if (inet_ntop(AF_INET, &in, _pyglobal_ntoa, sizeof _pyglobal_ntoa) == NULL)
		_pyglobal_ntoa[0] = '\0';
	return _pyglobal_ntoa;
}

/* ---- terminals, files, login ------------------------------------------------------------ */
#include <stdio.h>
#include <unistd.h>

static PYGLOBAL char _pyglobal_tmpnam[L_tmpnam];
static PYGLOBAL char _pyglobal_tty[256];
static PYGLOBAL char _pyglobal_pts[256];
static PYGLOBAL char _pyglobal_login[256];

char *
PyGlobals_tmpnam(char *s)
{
	/* tmpnam with a buffer is thread-safe; only the NULL form uses a static one */
	return tmpnam(s != NULL ? s : _pyglobal_tmpnam);
}

char *
PyGlobals_ttyname(int fd)
{
	int rc = ttyname_r(fd, _pyglobal_tty, sizeof _pyglobal_tty);
	if (rc != 0) {
		errno = rc;
		return NULL;
	}
	return _pyglobal_tty;
}

char *
PyGlobals_ptsname(int fd)
{
	int rc = ptsname_r(fd, _pyglobal_pts, sizeof _pyglobal_pts);
	if (rc != 0) {
		errno = rc;
		return NULL;
	}
	return _pyglobal_pts;
}

char *
PyGlobals_getlogin(void)
{
	int rc = getlogin_r(_pyglobal_login, sizeof _pyglobal_login);
	if (rc != 0) {
		errno = rc;
		return NULL;
	}
	return _pyglobal_login;
}

/* ---- the locale: process state, serialised ---------------------------------------------- */
#include <locale.h>
#ifdef HAVE_LANGINFO_H
#include <langinfo.h>
#endif

static PYGLOBAL char *_pyglobal_locale;
static PYGLOBAL size_t _pyglobal_localelen;
static PYGLOBAL struct lconv _pyglobal_lconv;

char *
PyGlobals_setlocale(int category, const char *locale)
{
	char *r, *p;
	size_t n;
	PyGlobals_LibcLock();
	r = setlocale(category, locale);
	if (r != NULL) {
		n = strlen(r) + 1;
		if (n > _pyglobal_localelen) {
			p = (char *)realloc(_pyglobal_locale, n);
			if (p == NULL) {
				PyGlobals_LibcUnlock();
				return NULL;
			}
			_pyglobal_locale = p;
			_pyglobal_localelen = n;
		}
		memcpy(_pyglobal_locale, r, n);
		r = _pyglobal_locale;
	}
	PyGlobals_LibcUnlock();
	return r;
}

struct lconv *
PyGlobals_localeconv(void)
{
	struct lconv *l;
	size_t n;
	char *at;
	PyGlobals_LibcLock();
	l = localeconv();
	_pyglobal_lconv = *l;
#define _PYGLOBAL_LCONV_STRS(X) X(decimal_point) X(thousands_sep) X(grouping) X(int_curr_symbol) \
	X(currency_symbol) X(mon_decimal_point) X(mon_thousands_sep) X(mon_grouping) X(positive_sign) X(negative_sign)
#define _PYGLOBAL_LEN(f) n += (l->f ? strlen(l->f) + 1 : 0);
#define _PYGLOBAL_COPY(f) _pyglobal_lconv.f = _pyglobal_copy_str(&at, l->f);
	n = 0;
	_PYGLOBAL_LCONV_STRS(_PYGLOBAL_LEN)
	at = _pyglobal_buffer(BUF_LCONV, n + 1);
	if (at == NULL) {
		PyGlobals_LibcUnlock();
		return l; /* out of memory: the shared answer, as localeconv itself gives */
	}
	_PYGLOBAL_LCONV_STRS(_PYGLOBAL_COPY)
	PyGlobals_LibcUnlock();
	return &_pyglobal_lconv;
}

#ifdef HAVE_LANGINFO_H
static PYGLOBAL char *_pyglobal_langinfo;
static PYGLOBAL size_t _pyglobal_langinfolen;

char *
PyGlobals_nl_langinfo(nl_item item)
{
	char *r, *p;
	size_t n;
	PyGlobals_LibcLock();
	r = nl_langinfo(item);
	n = strlen(r) + 1;
	if (n > _pyglobal_langinfolen) {
		p = (char *)realloc(_pyglobal_langinfo, n);
		if (p == NULL) {
			PyGlobals_LibcUnlock();
			return "";
		}
		_pyglobal_langinfo = p;
		_pyglobal_langinfolen = n;
	}
	memcpy(_pyglobal_langinfo, r, n);
	PyGlobals_LibcUnlock();
	return _pyglobal_langinfo;
}
#endif

/* ---- the environment: process state, serialised ----------------------------------------- */
char *
PyGlobals_getenv(const char *name)
{
	char *r;
	PyGlobals_LibcLock();
	r = getenv(name);
	PyGlobals_LibcUnlock();
	return r;
}

int
PyGlobals_putenv(char *string)
{
	/* The environment keeps the pointer: give it memory that no interpreter's heap owns,
	   never freed, as glibc's own setenv does with what it allocates. */
	int r;
	char *keep = strdup(string);
	if (keep == NULL) {
		errno = ENOMEM;
		return -1;
	}
	PyGlobals_LibcLock();
	r = putenv(keep);
	PyGlobals_LibcUnlock();
	return r;
}

int
PyGlobals_setenv(const char *name, const char *value, int overwrite)
{
	int r;
	PyGlobals_LibcLock();
	r = setenv(name, value, overwrite);
	PyGlobals_LibcUnlock();
	return r;
}

int
PyGlobals_unsetenv(const char *name)
{
	int r;
	PyGlobals_LibcLock();
	r = unsetenv(name);
	PyGlobals_LibcUnlock();
	return r;
}

/* crypt lives in the header (pyglobal_libc.h) as an inline function: only the modules that
   call it link libcrypt. It needs a thread-local buffer of the calling module's own. */

#endif /* !PYGLOBAL_STOCK && !_WIN32 */
