/* kalloc.c -- physical page allocator over [kernel_end_pa, mem_size): one bit
 * per page (1 = in use), first fit from a moving hint.  Pages are returned
 * zeroed, addressed through the direct map. */
#include "types.h"
#include "layout.h"
#include "mmu.h"
#include "x86.h"
#include "defs.h"

static uint64_t *bitmap;     /* npages bits */
static uint64_t npages;      /* pages of RAM */
static uint64_t first_free;  /* first page ever handed out */
static uint64_t hint;        /* word index where the search starts */
static uint64_t nfree;

static int test(uint64_t pn) { return (bitmap[pn >> 6] >> (pn & 63)) & 1; }
static void set(uint64_t pn) { bitmap[pn >> 6] |= 1ULL << (pn & 63); }
static void clr(uint64_t pn) { bitmap[pn >> 6] &= ~(1ULL << (pn & 63)); }

void kinit(uint64_t free_pa, uint64_t mem_size)
{
    npages = mem_size / PGSIZE;
    uint64_t words = (npages + 63) / 64;
    uint64_t bm_pa = PGROUNDUP(free_pa);
    bitmap = P2V(bm_pa);
    memset(bitmap, 0, words * 8);
    first_free = (bm_pa + PGROUNDUP(words * 8)) / PGSIZE;
    for (uint64_t pn = 0; pn < first_free; pn++)
        set(pn);
    for (uint64_t pn = npages; pn < words * 64; pn++)
        set(pn); /* bits past the end of RAM */
    nfree = npages - first_free;
    hint = first_free / 64;
}

void *kalloc_pages(size_t n)
{
    uint64_t f = intr_save();
    uint64_t words = (npages + 63) / 64;
    void *ret = 0;
    if (n == 0 || n > nfree)
        goto out;
    for (int pass = 0; pass < 2 && !ret; pass++) {
        uint64_t w = pass == 0 ? hint : first_free / 64;
        uint64_t wend = pass == 0 ? words : hint + 1;
        for (; w < wend && !ret; w++) {
            if (bitmap[w] == ~0ULL)
                continue;
            for (uint64_t pn = w * 64; pn < (w + 1) * 64 && pn + n <= npages; pn++) {
                if (test(pn))
                    continue;
                uint64_t k = 0;
                while (k < n && !test(pn + k))
                    k++;
                if (k == n) {
                    for (k = 0; k < n; k++)
                        set(pn + k);
                    nfree -= n;
                    hint = (pn + n) / 64;
                    ret = P2V(pn * PGSIZE);
                    break;
                }
                pn += k;
            }
        }
    }
out:
    intr_restore(f);
    if (ret)
        memset(ret, 0, n * PGSIZE);
    return ret;
}

void *kalloc(void)
{
    return kalloc_pages(1);
}

void kfree_pages(void *va, size_t n)
{
    uint64_t pn = V2P_DIRECT(va) / PGSIZE;
    if ((uint64_t)va & (PGSIZE - 1) || pn < first_free || pn + n > npages)
        panic("kfree_pages: bad page %p", va);
    uint64_t f = intr_save();
    for (size_t k = 0; k < n; k++) {
        if (!test(pn + k))
            panic("kfree_pages: double free of %p", (char *)va + k * PGSIZE);
        clr(pn + k);
    }
    nfree += n;
    if (pn / 64 < hint)
        hint = pn / 64;
    intr_restore(f);
}

void kfree_page(void *va)
{
    kfree_pages(va, 1);
}

uint64_t kalloc_free_pages(void) { return nfree; }
uint64_t kalloc_total_pages(void) { return npages; }
uint64_t kalloc_reserved_pages(void) { return first_free; }
