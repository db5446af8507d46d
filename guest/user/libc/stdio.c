/* stdio.c -- buffered output on fds 1 and 2, flushed at exit/fork/exec.
 * stdout is line-buffered on a tty, fully buffered otherwise; stderr is
 * flushed after each call. */
#include "libc.h"

static FILE out = { 1, 0, {0} }, err = { 2, 0, {0} };
FILE *stdout = &out, *stderr = &err;
static int tty_checked, out_tty;

int writeall(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t r = write(fd, c, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += r, n -= r;
	}
	return 0;
}

static int nl(const char *c, size_t n)
{
	while (n--)
		if (*c++ == '\n')
			return 1;
	return 0;
}

int fflush(FILE *f)
{
	int r = 0;
	if (f->len)
		r = writeall(f->fd, f->buf, f->len);
	f->len = 0;
	return r;
}

int fwrite_all(FILE *f, const void *p, size_t n)
{
	const char *c = p;
	int r = 0;
	if (f->len + n > sizeof(f->buf)) {
		r = fflush(f);
		if (n >= sizeof(f->buf))
			return writeall(f->fd, c, n) | r;
	}
	memcpy(f->buf + f->len, c, n);
	f->len += (int)n;
	if (f == stderr)
		return fflush(f);
	if (!tty_checked) {
		tty_checked = 1;
		out_tty = isatty(1);
	}
	if (out_tty && nl(c, n))
		return fflush(f);
	return r;
}

int fputs(const char *s, FILE *f) { return fwrite_all(f, s, strlen(s)); }
int fputc(int c, FILE *f)
{
	char ch = (char)c;
	return fwrite_all(f, &ch, 1);
}
int puts(const char *s) { return fputs(s, stdout) | fputc('\n', stdout); }
int putchar(int c) { return fputc(c, stdout); }
