/* env.c -- getenv/setenv/unsetenv over environ (copied on first change). */
#include "libc.h"

static int owned, cap;

static int find(const char *name, size_t l)
{
	for (int i = 0; environ && environ[i]; i++)
		if (!strncmp(environ[i], name, l) && environ[i][l] == '=')
			return i;
	return -1;
}

char *getenv(const char *name)
{
	int i = find(name, strlen(name));
	return i < 0 ? NULL : environ[i] + strlen(name) + 1;
}

static int own(int extra)
{
	int n = 0;
	while (environ && environ[n])
		n++;
	if (owned && n + extra + 1 <= cap)
		return n;
	int nc = (n + extra + 1) * 2;
	char **e = malloc(nc * sizeof(char *));
	if (!e)
		return -1;
	for (int i = 0; i < n; i++)
		e[i] = environ[i];
	e[n] = NULL;
	environ = e;	/* the old array is leaked when it was ours: tiny */
	owned = 1, cap = nc;
	return n;
}

int setenv(const char *name, const char *val, int overwrite)
{
	size_t l = strlen(name);
	int i = find(name, l);
	if (i >= 0 && !overwrite)
		return 0;
	char *s = malloc(l + strlen(val) + 2);
	if (!s)
		return -1;
	memcpy(s, name, l);
	s[l] = '=';
	strcpy(s + l + 1, val);
	int n = own(1);
	if (n < 0)
		return -1;
	if (i >= 0)
		environ[i] = s;
	else
		environ[n] = s, environ[n + 1] = NULL;
	return 0;
}

int unsetenv(const char *name)
{
	int i = find(name, strlen(name));
	if (i < 0)
		return 0;
	if (own(0) < 0)
		return -1;
	for (; environ[i]; i++)
		environ[i] = environ[i + 1];
	return 0;
}
