/* md5.c -- MD5 (RFC 1321) for md5sum, integer-only. */
#include "cmds.h"

struct md5 { u32 h[4]; u64 len; u8 buf[64]; u32 n; };

static const u32 K[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const u8 R[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static void block(struct md5 *m, const u8 *p)
{
	u32 w[16], a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];
	for (int i = 0; i < 16; i++)
		w[i] = p[i * 4] | p[i * 4 + 1] << 8 | p[i * 4 + 2] << 16 | (u32)p[i * 4 + 3] << 24;
	for (int i = 0; i < 64; i++) {
		u32 f;
		int g;
		if (i < 16) f = (b & c) | (~b & d), g = i;
		else if (i < 32) f = (d & b) | (~d & c), g = (5 * i + 1) & 15;
		else if (i < 48) f = b ^ c ^ d, g = (3 * i + 5) & 15;
		else f = c ^ (b | ~d), g = (7 * i) & 15;
		u32 t = d;
		d = c, c = b;
		u32 x = a + f + K[i] + w[g];
		b = b + (x << R[i] | x >> (32 - R[i]));
		a = t;
	}
	m->h[0] += a, m->h[1] += b, m->h[2] += c, m->h[3] += d;
}

static void init(struct md5 *m)
{
	m->h[0] = 0x67452301, m->h[1] = 0xefcdab89, m->h[2] = 0x98badcfe, m->h[3] = 0x10325476;
	m->len = 0, m->n = 0;
}

static void update(struct md5 *m, const u8 *p, size_t n)
{
	m->len += n;
	if (m->n) {
		while (n && m->n < 64)
			m->buf[m->n++] = *p++, n--;
		if (m->n < 64)
			return;
		block(m, m->buf);
		m->n = 0;
	}
	for (; n >= 64; n -= 64, p += 64)
		block(m, p);
	while (n--)
		m->buf[m->n++] = *p++;
}

static void final(struct md5 *m, u8 out[16])
{
	u64 bits = m->len * 8;
	u8 pad = 0x80, z = 0;
	update(m, &pad, 1);
	while (m->n != 56)
		update(m, &z, 1);
	u8 l[8];
	for (int i = 0; i < 8; i++)
		l[i] = (u8)(bits >> (8 * i));
	update(m, l, 8);
	for (int i = 0; i < 16; i++)
		out[i] = (u8)(m->h[i / 4] >> (8 * (i % 4)));
}

void md5(const void *data, size_t n, u8 out[16])
{
	struct md5 m;
	init(&m);
	update(&m, data, n);
	final(&m, out);
}

int md5_file_fd(int fd, u8 out[16])
{
	static u8 buf[65536];
	struct md5 m;
	init(&m);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		update(&m, buf, n);
	}
	final(&m, out);
	return 0;
}
