
/* ---- the shadow password database (rules/cpython-2.7/libc-calls.json) --------------------
   Appended to Python/pyglobal_libc.c for trees whose profile has the spwd module (2.7).
   getspnam returns a static struct spwd that the next lookup in any thread overwrites, and
   setspent/getspent/endspent walk one position per process. getspnam_r fills a thread-local
   result from a thread-local buffer of fixed size (a shadow entry is a name, a hash and six
   numbers: far below it); the walk is read once, under the libc lock, into a thread-local
   snapshot, as getpwent's. spwd.getspall always ends its walk, which frees the snapshot. */
#ifdef HAVE_SHADOW_H
#include <shadow.h>

static PYGLOBAL struct spwd _pyglobal_sp;
static PYGLOBAL char _pyglobal_sp_buf[4096];

struct spwd *
PyGlobals_getspnam(const char *name)
{
	struct spwd *res = NULL;
	int rc = getspnam_r(name, &_pyglobal_sp, _pyglobal_sp_buf, sizeof _pyglobal_sp_buf, &res);
	if (res == NULL && rc != 0)
		errno = rc;
	return res;
}

static PYGLOBAL struct spwd **_pyglobal_sp_list;
static PYGLOBAL size_t _pyglobal_sp_n, _pyglobal_sp_next;
static PYGLOBAL int _pyglobal_sp_open;

static void
_pyglobal_sp_forget(void)
{
	size_t i;
	for (i = 0; i < _pyglobal_sp_n; i++)
		free(_pyglobal_sp_list[i]);
	free(_pyglobal_sp_list);
	_pyglobal_sp_list = NULL;
	_pyglobal_sp_n = _pyglobal_sp_next = 0;
	_pyglobal_sp_open = 0;
}

static struct spwd *
_pyglobal_sp_copy(const struct spwd *p)
{
	size_t n = sizeof(struct spwd);
	struct spwd *c;
	char *at;
	n += (p->sp_namp ? strlen(p->sp_namp) + 1 : 0) + (p->sp_pwdp ? strlen(p->sp_pwdp) + 1 : 0);
	c = (struct spwd *)malloc(n);
	if (c == NULL)
		return NULL;
	*c = *p;
	at = (char *)(c + 1);
	c->sp_namp = _pyglobal_copy_str(&at, p->sp_namp);
	c->sp_pwdp = _pyglobal_copy_str(&at, p->sp_pwdp);
	return c;
}

void
PyGlobals_setspent(void)
{
	struct spwd *p;
	size_t cap = 0;
	_pyglobal_sp_forget();
	PyGlobals_LibcLock();
	setspent();
	while ((p = getspent()) != NULL) {
		struct spwd *c = _pyglobal_sp_copy(p);
		if (c == NULL)
			break;
		if (_pyglobal_sp_n == cap) {
			struct spwd **l;
			cap = cap ? 2 * cap : 64;
			l = (struct spwd **)realloc(_pyglobal_sp_list, cap * sizeof *l);
			if (l == NULL) {
				free(c);
				break;
			}
			_pyglobal_sp_list = l;
		}
		_pyglobal_sp_list[_pyglobal_sp_n++] = c;
	}
	endspent();
	PyGlobals_LibcUnlock();
	_pyglobal_sp_open = 1;
}

struct spwd *
PyGlobals_getspent(void)
{
	if (!_pyglobal_sp_open)
		PyGlobals_setspent();
	if (_pyglobal_sp_next >= _pyglobal_sp_n)
		return NULL;
	return _pyglobal_sp_list[_pyglobal_sp_next++];
}

void
PyGlobals_endspent(void)
{
	_pyglobal_sp_forget();
}
#endif /* HAVE_SHADOW_H */
