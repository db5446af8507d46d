/* string.c -- memory/string functions, number parsing, strerror, qsort. */
#include "libc.h"

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	while (n >= 8) {
		u64 v;
		__builtin_memcpy(&v, sp, 8);	/* inlined as a mov, no call */
		__builtin_memcpy(dp, &v, 8);
		dp += 8, sp += 8, n -= 8;
	}
	while (n--)
		*dp++ = *sp++;
	return d;
}
void *memmove(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}
void *memset(void *d, int c, size_t n)
{
	u8 *p = d;
	while (n--)
		*p++ = (u8)c;
	return d;
}
int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
size_t strlen(const char *s)
{
	const char *p = s;
	while (*p)
		p++;
	return p - s;
}
int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}
int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
char *strcpy(char *d, const char *s)
{
	char *r = d;
	while ((*d++ = *s++))
		;
	return r;
}
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
char *strrchr(const char *s, int c)
{
	const char *r = NULL;
	for (;; s++) {
		if (*s == (char)c)
			r = s;
		if (!*s)
			return (char *)r;
	}
}
char *strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}
char *strdup(const char *s) { return strndup(s, strlen(s)); }
size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t l = strlen(s);
	if (n) {
		size_t c = l < n - 1 ? l : n - 1;
		memcpy(d, s, c);
		d[c] = 0;
	}
	return l;
}
int isdigit(int c) { return c >= '0' && c <= '9'; }
int isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
int isalpha(int c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
int isalnum(int c) { return isalpha(c) || isdigit(c); }

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;
	while (isspace(*s))
		s++;
	if (*s == '+')
		s++;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 32) == 'x')
		s += 2, base = 16;
	else if (base == 0)
		base = s[0] == '0' ? 8 : 10;
	for (;; s++) {
		int d;
		if (isdigit(*s))
			d = *s - '0';
		else if (isalpha(*s))
			d = (*s | 32) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = (char *)s;
	return v;
}
long strtol(const char *s, char **end, int base)
{
	int neg = 0;
	while (isspace(*s))
		s++;
	if (*s == '-')
		neg = 1, s++;
	long v = (long)strtoul(s, end, base);
	return neg ? -v : v;
}
int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static const char *const errs[] = {
	[0] = "Success", [EPERM] = "Operation not permitted",
	[ENOENT] = "No such file or directory", [ESRCH] = "No such process",
	[EINTR] = "Interrupted system call", [EIO] = "Input/output error",
	[E2BIG] = "Argument list too long", [ENOEXEC] = "Exec format error",
	[EBADF] = "Bad file descriptor", [ECHILD] = "No child processes",
	[EAGAIN] = "Resource temporarily unavailable", [ENOMEM] = "Cannot allocate memory",
	[EACCES] = "Permission denied", [EFAULT] = "Bad address",
	[EBUSY] = "Device or resource busy", [EEXIST] = "File exists",
	[EXDEV] = "Invalid cross-device link", [ENODEV] = "No such device",
	[ENOTDIR] = "Not a directory", [EISDIR] = "Is a directory",
	[EINVAL] = "Invalid argument", [ENFILE] = "Too many open files in system",
	[EMFILE] = "Too many open files", [ENOTTY] = "Inappropriate ioctl for device",
	[EFBIG] = "File too large", [ENOSPC] = "No space left on device",
	[ESPIPE] = "Illegal seek", [EROFS] = "Read-only file system",
	[EMLINK] = "Too many links", [EPIPE] = "Broken pipe",
	[ERANGE] = "Numerical result out of range", [ENAMETOOLONG] = "File name too long",
	[ENOSYS] = "Function not implemented", [ENOTEMPTY] = "Directory not empty",
	[ELOOP] = "Too many levels of symbolic links",
};
const char *strerror(int e)
{
	static char buf[32];
	if (e >= 0 && e < (int)(sizeof(errs) / sizeof(errs[0])) && errs[e])
		return errs[e];
	snprintf(buf, sizeof(buf), "Unknown error %d", e);
	return buf;
}

void qsort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	/* shell sort with a byte-swap; the inputs here are directory listings */
	u8 *b = base;
	for (size_t gap = n / 2; gap > 0; gap /= 2)
		for (size_t i = gap; i < n; i++)
			for (size_t j = i; j >= gap && cmp(b + (j - gap) * sz, b + j * sz) > 0; j -= gap)
				for (size_t k = 0; k < sz; k++) {
					u8 t = b[(j - gap) * sz + k];
					b[(j - gap) * sz + k] = b[j * sz + k];
					b[j * sz + k] = t;
				}
}

void civil_from_epoch(long t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
	long days = t / 86400, rem = t % 86400;
	if (rem < 0)
		rem += 86400, days--;
	*h = (int)(rem / 3600), *mi = (int)(rem / 60 % 60), *s = (int)(rem % 60);
	/* Howard Hinnant's days_from_civil inverse */
	days += 719468;
	long era = (days >= 0 ? days : days - 146096) / 146097;
	long doe = days - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*mo <= 2));
}
