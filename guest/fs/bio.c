/*
 * bio.c - buffer cache for filesystem blocks, with write-back.
 *
 * A fixed pool of block-sized buffers (count chosen at mount) indexed by a
 * hash table and kept on an LRU list.  Modified buffers are marked dirty and
 * written only when evicted or on bflush() (fs_sync/fs_umount).  Block
 * numbers outside the filesystem are refused, so corrupt metadata can never
 * make the fs read or write outside its device.
 */
#include "fsint.h"

static struct buf *bufs;
static uint8_t *pool;
static struct buf **htab;
static uint32_t hmask, nbufs, bsz;
static struct buf lru;              /* list head: lru.next = most recent */

static void lru_unlink(struct buf *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

static void lru_front(struct buf *b)
{
    b->next = lru.next;
    b->prev = &lru;
    lru.next->prev = b;
    lru.next = b;
}

int binit(int nbuf, uint32_t bsize)
{
    uint32_t i, hsize = 1;
    if (nbuf < 16)
        nbuf = 16;
    nbufs = (uint32_t)nbuf;
    bsz = bsize;
    while (hsize < nbufs)
        hsize <<= 1;
    hmask = hsize - 1;
    bufs = kmalloc(sizeof(*bufs) * nbufs);
    pool = kmalloc((size_t)bsz * nbufs);
    htab = kmalloc(sizeof(*htab) * hsize);
    if (!bufs || !pool || !htab) {
        bdestroy();
        return -ENOMEM;
    }
    memset(htab, 0, sizeof(*htab) * hsize);
    lru.next = lru.prev = &lru;
    for (i = 0; i < nbufs; i++) {
        memset(&bufs[i], 0, sizeof(bufs[i]));
        bufs[i].data = pool + (size_t)i * bsz;
        lru_front(&bufs[i]);
    }
    return 0;
}

void bdestroy(void)
{
    if (bufs) kfree(bufs);
    if (pool) kfree(pool);
    if (htab) kfree(htab);
    bufs = 0; pool = 0; htab = 0;
}

static int bio(struct buf *b, int write)
{
    return ubd_rw(fsi.unit, (uint64_t)b->blockno * fsi.spb, b->data, fsi.spb, write);
}

static void hash_remove(struct buf *b)
{
    struct buf **pp = &htab[b->blockno & hmask];
    while (*pp && *pp != b)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = b->hnext;
    b->hnext = 0;
}

/* Find or claim the buffer for blockno (contents valid only if b->valid). */
static struct buf *bget(uint32_t blockno)
{
    struct buf *b;
    int r;
    if (blockno >= fsi.sb.s_blocks_count) {
        kprintf("ext2: block %u out of range (%u blocks)\n", blockno, fsi.sb.s_blocks_count);
        return 0;
    }
    for (b = htab[blockno & hmask]; b; b = b->hnext) {
        if (b->blockno == blockno && b->valid) {
            b->refcnt++;
            lru_unlink(b);
            lru_front(b);
            return b;
        }
    }
    for (b = lru.prev; b != &lru; b = b->prev) {
        if (b->refcnt == 0)
            break;
    }
    if (b == &lru)
        panic("ext2: buffer cache: all %u buffers in use", nbufs);
    if (b->valid && b->dirty) {
        r = bio(b, 1);
        if (r < 0) {
            kprintf("ext2: write of block %u failed (%d)\n", b->blockno, r);
            return 0;
        }
        b->dirty = 0;
    }
    if (b->valid)
        hash_remove(b);
    b->blockno = blockno;
    b->valid = 0;
    b->dirty = 0;
    b->refcnt = 1;
    b->hnext = htab[blockno & hmask];
    htab[blockno & hmask] = b;
    lru_unlink(b);
    lru_front(b);
    return b;
}

struct buf *bread(uint32_t blockno)
{
    struct buf *b = bget(blockno);
    int r;
    if (!b || b->valid)
        return b;
    r = bio(b, 0);
    if (r < 0) {
        kprintf("ext2: read of block %u failed (%d)\n", blockno, r);
        hash_remove(b);
        b->refcnt = 0;
        return 0;
    }
    b->valid = 1;
    return b;
}

struct buf *bget_zero(uint32_t blockno)
{
    struct buf *b = bget(blockno);
    if (!b)
        return 0;
    memset(b->data, 0, bsz);
    b->valid = 1;
    b->dirty = 1;
    return b;
}

struct buf *bget_over(uint32_t blockno)
{
    struct buf *b = bget(blockno);
    if (b)
        b->valid = 1;
    return b;
}

void bdirty(struct buf *b)
{
    b->dirty = 1;
}

void brelse(struct buf *b)
{
    if (b->refcnt <= 0)
        panic("ext2: brelse of unreferenced block %u", b->blockno);
    b->refcnt--;
}

void binval(uint32_t blockno)
{
    struct buf *b;
    for (b = htab[blockno & hmask]; b; b = b->hnext) {
        if (b->blockno == blockno && b->valid && b->refcnt == 0) {
            hash_remove(b);
            b->valid = 0;
            b->dirty = 0;
            lru_unlink(b);          /* reuse it first */
            b->prev = lru.prev;
            b->next = &lru;
            lru.prev->next = b;
            lru.prev = b;
            return;
        }
    }
}

/* Write every dirty buffer (fs_sync/fs_umount). */
int bflush(void)
{
    uint32_t i;
    int r, err = 0;
    for (i = 0; i < nbufs; i++) {
        struct buf *b = &bufs[i];
        if (b->valid && b->dirty) {
            r = bio(b, 1);
            if (r < 0) {
                kprintf("ext2: write of block %u failed (%d)\n", b->blockno, r);
                err = r;
            } else {
                b->dirty = 0;
            }
        }
    }
    return err;
}

/* Buffers currently referenced (the harness checks for leaks: 0 between calls). */
int bio_refs(void)
{
    uint32_t i;
    int n = 0;
    for (i = 0; i < nbufs; i++)
        n += bufs[i].refcnt;
    return n;
}
