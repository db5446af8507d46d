/* util.c -- helpers shared by the commands (messages, paths, copying, sizes). */
#include "cmds.h"

const char *prog = "box";

void warn(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, buf);
}

void warn_errno(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
}

char *path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	if (a && dir[a - 1] != '/')
		p[a++] = '/';
	memcpy(p + a, name, b + 1);
	return p;
}

int copy_fd(int in, int out)
{
	static char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (writeall(out, buf, n) < 0)
			return -1;
	}
}

int parse_size(const char *s, long *out)
{
	char *e;
	if (!isdigit(*s))
		return -1;
	unsigned long v = strtoul(s, &e, 10);
	unsigned long m = 1;
	if (!strcmp(e, "")) m = 1;
	else if (!strcmp(e, "c")) m = 1;
	else if (!strcmp(e, "w")) m = 2;
	else if (!strcmp(e, "b")) m = 512;
	else if (!strcmp(e, "kB")) m = 1000;
	else if (!strcmp(e, "K") || !strcmp(e, "k") || !strcmp(e, "KiB")) m = 1024;
	else if (!strcmp(e, "MB")) m = 1000000;
	else if (!strcmp(e, "M") || !strcmp(e, "MiB")) m = 1 << 20;
	else if (!strcmp(e, "GB")) m = 1000000000;
	else if (!strcmp(e, "G") || !strcmp(e, "GiB")) m = 1 << 30;
	else return -1;
	if (v > (unsigned long)0x7fffffffffffffff / m)
		return -1;
	*out = (long)(v * m);
	return 0;
}
