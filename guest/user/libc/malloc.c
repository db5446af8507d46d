/* malloc.c -- power-of-two size classes carved from brk(2); blocks of
 * 128 KiB and more come from mmap(2) and go back with munmap(2). */
#include "libc.h"

#define NBIN 17			/* classes 16 B .. 1 MiB; >= BIG uses mmap */
#define BIG (128 * 1024)
struct hdr { size_t size; size_t bin; };	/* 16 bytes: keeps 16-byte alignment */
struct freeblk { struct freeblk *next; };

static struct freeblk *bins[NBIN];
static char *cur, *end;

static void *morecore(size_t n)
{
	if (!end)
		cur = end = __brk(0);
	if (cur + n > end) {
		size_t want = (n + 65535) & ~(size_t)65535;
		char *ne = __brk(end + want);
		if (ne != end + want)
			return NULL;
		end = ne;
	}
	void *p = cur;
	cur += n;
	return p;
}

void *malloc(size_t n)
{
	struct hdr *h;
	if (n + sizeof(struct hdr) >= BIG) {
		size_t len = (n + sizeof(struct hdr) + 4095) & ~(size_t)4095;
		h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		h->size = len;
		h->bin = NBIN;
		return h + 1;
	}
	size_t b = 0;
	while (((size_t)16 << b) < n + sizeof(struct hdr))
		b++;
	if (bins[b]) {
		h = (struct hdr *)bins[b];
		bins[b] = bins[b]->next;
	} else {
		h = morecore((size_t)16 << b);
		if (!h) {
			errno = ENOMEM;
			return NULL;
		}
	}
	h->size = (size_t)16 << b;
	h->bin = b;
	return h + 1;
}

void free(void *p)
{
	if (!p)
		return;
	struct hdr *h = (struct hdr *)p - 1;
	if (h->bin == NBIN) {
		munmap(h, h->size);
		return;
	}
	struct freeblk *f = (struct freeblk *)h;
	f->next = bins[h->bin];
	bins[h->bin] = f;
}

void *calloc(size_t a, size_t b)
{
	if (b && a > (size_t)-1 / b)
		return NULL;
	void *p = malloc(a * b);
	if (p)
		memset(p, 0, a * b);
	return p;
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	struct hdr *h = (struct hdr *)p - 1;
	size_t have = h->size - sizeof(struct hdr);
	if (n <= have)
		return p;
	void *q = malloc(n);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}
