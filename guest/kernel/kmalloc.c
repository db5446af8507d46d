/* kmalloc.c -- kmalloc/kfree: power-of-two size classes 32..2048 bytes carved
 * from pages, larger requests as whole contiguous pages.  A 16-byte header in
 * front of each block records its class (or page count). */
#include "types.h"
#include "mmu.h"
#include "x86.h"
#include "defs.h"

#define KM_MAGIC 0x6b6d616c
#define NCLASS 7 /* 32 64 128 256 512 1024 2048 */

struct kmhdr {
    uint32_t magic;
    uint32_t cls;       /* class index, or 0xffffffff for a page block */
    uint64_t npages;    /* page blocks only */
};

struct freeblk {
    struct freeblk *next;
};

static struct freeblk *freelist[NCLASS];
static uint64_t inuse_bytes, inuse_blocks;

static int class_of(size_t n)
{
    size_t sz = 32;
    for (int c = 0; c < NCLASS; c++, sz <<= 1)
        if (n <= sz)
            return c;
    return -1;
}

void *kmalloc(size_t n)
{
    size_t need = n + sizeof(struct kmhdr);
    int c = class_of(need);
    struct kmhdr *h;
    uint64_t f = intr_save();
    if (c < 0) {
        size_t np = PGROUNDUP(need) / PGSIZE;
        intr_restore(f);
        h = kalloc_pages(np);
        if (!h)
            return 0;
        f = intr_save();
        h->cls = 0xffffffff;
        h->npages = np;
        inuse_bytes += np * PGSIZE;
    } else {
        if (!freelist[c]) {
            char *pg = kalloc();
            if (!pg) {
                intr_restore(f);
                return 0;
            }
            size_t sz = (size_t)32 << c;
            for (size_t off = 0; off + sz <= PGSIZE; off += sz) {
                struct freeblk *b = (struct freeblk *)(pg + off);
                b->next = freelist[c];
                freelist[c] = b;
            }
        }
        h = (struct kmhdr *)freelist[c];
        freelist[c] = freelist[c]->next;
        h->cls = (uint32_t)c;
        h->npages = 0;
        inuse_bytes += (size_t)32 << c;
    }
    h->magic = KM_MAGIC;
    inuse_blocks++;
    intr_restore(f);
    return h + 1;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    struct kmhdr *h = (struct kmhdr *)p - 1;
    if (h->magic != KM_MAGIC)
        panic("kfree: bad pointer %p", p);
    h->magic = 0;
    uint64_t f = intr_save();
    inuse_blocks--;
    if (h->cls == 0xffffffff) {
        inuse_bytes -= h->npages * PGSIZE;
        intr_restore(f);
        kfree_pages(h, h->npages);
        return;
    }
    if (h->cls >= NCLASS)
        panic("kfree: bad class at %p", p);
    inuse_bytes -= (size_t)32 << h->cls;
    struct freeblk *b = (struct freeblk *)h;
    b->next = freelist[h->cls];
    freelist[h->cls] = b;
    intr_restore(f);
}

uint64_t kmalloc_inuse_bytes(void) { return inuse_bytes; }
uint64_t kmalloc_inuse_blocks(void) { return inuse_blocks; }
