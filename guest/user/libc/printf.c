/* printf.c -- vsnprintf and the printf family over stdio.c. */
#include "libc.h"

struct out { char *buf; size_t cap, len; };

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		int left = 0, zero = 0, plus = 0, space = 0, width = 0, prec = -1, lng = 0;
		for (;; fmt++) {
			if (fmt[1] == '-') left = 1;
			else if (fmt[1] == '0') zero = 1;
			else if (fmt[1] == '+') plus = 1;
			else if (fmt[1] == ' ') space = 1;
			else break;
		}
		fmt++;
		if (*fmt == '*')
			width = va_arg(ap, int), fmt++;
		else
			while (isdigit(*fmt))
				width = width * 10 + *fmt++ - '0';
		if (*fmt == '.') {
			fmt++, prec = 0;
			if (*fmt == '*')
				prec = va_arg(ap, int), fmt++;
			else
				while (isdigit(*fmt))
					prec = prec * 10 + *fmt++ - '0';
		}
		while (*fmt == 'l' || *fmt == 'z')
			lng = 1, fmt++;
		char tmp[24], *s = tmp;
		int len = 0, neg = 0;
		unsigned long v = 0;
		int base = 10, upper = 0;
		switch (*fmt) {
		case 'd': case 'i': {
			long x = lng ? va_arg(ap, long) : va_arg(ap, int);
			if (x < 0)
				neg = 1, v = -(unsigned long)x;
			else
				v = x;
			goto num;
		}
		case 'p':
			lng = 1, base = 16, v = (unsigned long)va_arg(ap, void *);
			put(&o, '0'), put(&o, 'x');
			goto num;
		case 'x': base = 16; goto unum;
		case 'X': base = 16, upper = 1; goto unum;
		case 'o': base = 8; goto unum;
		case 'u':
		unum:
			v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
		num:
			s = tmp + sizeof(tmp);
			do {
				int d = (int)(v % base);
				*--s = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
				v /= base;
			} while (v);
			len = (int)(tmp + sizeof(tmp) - s);
			{
				int sign = neg || plus || space;
				int zs = prec > len ? prec - len : 0;
				if (zero && !left && prec < 0 && width > len + sign)
					zs = width - len - sign;
				int pad = width - len - zs - sign;
				if (!left)
					while (pad-- > 0)
						put(&o, ' ');
				if (sign)
					put(&o, neg ? '-' : plus ? '+' : ' ');
				while (zs-- > 0)
					put(&o, '0');
				while (len--)
					put(&o, *s++);
				if (left)
					while (pad-- > 0)
						put(&o, ' ');
			}
			continue;
		case 'c':
			tmp[0] = (char)va_arg(ap, int), len = 1;
			goto str;
		case 's':
			s = va_arg(ap, char *);
			if (!s)
				s = "(null)";
			len = 0;
			while (s[len] && (prec < 0 || len < prec))
				len++;
			goto str2;
		case '%':
			put(&o, '%');
			continue;
		default:
			put(&o, '%'), put(&o, *fmt);
			if (!*fmt)
				goto done;
			continue;
		}
	str:
		s = tmp;
	str2:
		if (!left)
			for (int i = len; i < width; i++)
				put(&o, ' ');
		for (int i = 0; i < len; i++)
			put(&o, s[i]);
		if (left)
			for (int i = len; i < width; i++)
				put(&o, ' ');
	}
done:
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

static int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char small[512];
	va_list ap2;
	__builtin_va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < (int)sizeof(small)) {
		fwrite_all(f, small, n);
	} else {
		char *big = malloc(n + 1);
		if (big) {
			vsnprintf(big, n + 1, fmt, ap2);
			fwrite_all(f, big, n);
			free(big);
		}
	}
	va_end(ap2);
	return n;
}
int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}
int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}
int dprintf(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	writeall(fd, buf, r < (int)sizeof(buf) ? r : (int)sizeof(buf) - 1);
	return r;
}
