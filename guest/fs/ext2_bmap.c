/*
 * ext2_bmap.c - file block map (12 direct, single, double and triple
 * indirect blocks), readi/writei with sparse holes, and truncation that frees
 * data and indirect blocks.  i_blocks counts 512-byte units of every block
 * attached to the inode (data and indirect).
 */
#include "fsint.h"

static void add_blocks(struct inode *ip, int nblk)
{
    ip->d.i_blocks += (uint32_t)(nblk * (int)fsi.spb);
}

static int valid_blk(struct inode *ip, uint32_t b)
{
    if (b < fsi.sb.s_first_data_block || b >= fsi.sb.s_blocks_count) {
        kprintf("ext2: inode %u: bad block number %u\n", ip->inum, b);
        return 0;
    }
    return 1;
}

/* Allocate a block for ip (zeroed in the cache if zero); number in *out. */
static int new_block(struct inode *ip, uint32_t *out, int zero)
{
    uint32_t goal = ip->goal ? ip->goal + 1 :
        fsi.sb.s_first_data_block + ((ip->inum - 1) / fsi.sb.s_inodes_per_group) * fsi.sb.s_blocks_per_group;
    int r = balloc(goal, out);
    if (r < 0)
        return r;
    ip->goal = *out;
    add_blocks(ip, 1);
    if (zero) {
        struct buf *b = bget_zero(*out);
        if (!b)
            return -EIO;
        brelse(b);
    }
    return 0;
}

/*
 * Map logical block lbn to a disk block in *out (0 = hole when !alloc).
 * With alloc, missing indirect blocks and the data block are allocated;
 * *fresh is set when the data block is new (the caller must zero or fully
 * overwrite it; new indirect blocks are zeroed here).  The caller writes the
 * inode afterwards.
 */
int bmap(struct inode *ip, uint64_t lbn, int alloc, uint32_t *out, int *fresh)
{
    uint64_t per = fsi.per, span = 1;
    uint32_t *slot, blk;
    int level, r;
    if (fresh)
        *fresh = 0;
    *out = 0;
    if (lbn < EXT2_NDIR_BLOCKS) {
        level = 0;
        slot = &ip->d.i_block[lbn];
    } else if ((lbn -= EXT2_NDIR_BLOCKS) < per) {
        level = 1;
        slot = &ip->d.i_block[EXT2_IND_BLOCK];
    } else if ((lbn -= per) < per * per) {
        level = 2;
        slot = &ip->d.i_block[EXT2_DIND_BLOCK];
    } else if ((lbn -= per * per) < per * per * per) {
        level = 3;
        slot = &ip->d.i_block[EXT2_TIND_BLOCK];
    } else {
        return -EFBIG;
    }
    blk = *slot;
    if (blk == 0) {
        if (!alloc)
            return 0;
        r = new_block(ip, &blk, level > 0);
        if (r < 0)
            return r;
        *slot = blk;
        if (level == 0) {
            if (fresh)
                *fresh = 1;
            *out = blk;
            return 0;
        }
    } else if (!valid_blk(ip, blk)) {
        return -EIO;
    }
    if (level == 0) {
        *out = blk;
        return 0;
    }
    for (r = 1; r < level; r++)
        span *= per;
    while (level > 0) {
        struct buf *b = bread(blk);
        uint32_t *p, idx, nb;
        if (!b)
            return -EIO;
        p = (uint32_t *)b->data;
        idx = (uint32_t)(lbn / span);
        lbn %= span;
        nb = p[idx];
        if (nb == 0) {
            if (!alloc) {
                brelse(b);
                return 0;
            }
            r = new_block(ip, &nb, level > 1);
            if (r < 0) {
                brelse(b);
                return r;
            }
            p[idx] = nb;
            bdirty(b);
            if (level == 1 && fresh)
                *fresh = 1;
        } else if (!valid_blk(ip, nb)) {
            brelse(b);
            return -EIO;
        }
        brelse(b);
        blk = nb;
        span /= per;
        level--;
    }
    *out = blk;
    return 0;
}

long readi(struct inode *ip, void *dst, uint64_t off, size_t n)
{
    uint64_t size = isize(ip), done = 0;
    uint8_t *d = dst;
    if (off >= size)
        return 0;
    if (n > size - off)
        n = (size_t)(size - off);
    while (done < n) {
        uint64_t pos = off + done;
        uint32_t boff = (uint32_t)(pos % fsi.bsize), blk;
        size_t m = fsi.bsize - boff;
        int r;
        if (m > n - done)
            m = (size_t)(n - done);
        r = bmap(ip, pos / fsi.bsize, 0, &blk, 0);
        if (r < 0)
            return done ? (long)done : r;
        if (blk == 0) {
            memset(d + done, 0, m);
        } else {
            struct buf *b = bread(blk);
            if (!b)
                return done ? (long)done : -EIO;
            memcpy(d + done, b->data + boff, m);
            brelse(b);
        }
        done += m;
    }
    return (long)done;
}

long writei(struct inode *ip, const void *src, uint64_t off, size_t n)
{
    const uint8_t *s = src;
    uint64_t done = 0;
    int r = 0;
    if (fsi.rdonly)
        return -EROFS;
    if (off >= fsi.maxbytes)
        return n ? -EFBIG : 0;
    if (n > fsi.maxbytes - off)
        n = (size_t)(fsi.maxbytes - off);
    while (done < n) {
        uint64_t pos = off + done;
        uint32_t boff = (uint32_t)(pos % fsi.bsize), blk;
        size_t m = fsi.bsize - boff;
        struct buf *b;
        int fresh;
        if (m > n - done)
            m = (size_t)(n - done);
        r = bmap(ip, pos / fsi.bsize, 1, &blk, &fresh);
        if (r < 0)
            break;
        if (m == fsi.bsize)
            b = bget_over(blk);             /* fully overwritten: no read */
        else if (fresh)
            b = bget_zero(blk);             /* new block: never read old disk data */
        else
            b = bread(blk);
        if (!b) {
            r = -EIO;
            break;
        }
        memcpy(b->data + boff, s + done, m);
        bdirty(b);
        brelse(b);
        done += m;
    }
    if (done > 0 || r == 0) {
        if (off + done > isize(ip))
            isetsize(ip, off + done);
        ip->d.i_mtime = ip->d.i_ctime = fs_now();
    }
    iupdate(ip);
    return done ? (long)done : r;
}

/* Free all blocks below indirect block blk (level 1..3) and blk itself. */
static void free_tree(struct inode *ip, uint32_t blk, int level)
{
    struct buf *b;
    uint32_t i;
    if (!valid_blk(ip, blk))
        return;
    if (level > 0 && (b = bread(blk)) != 0) {
        uint32_t *p = (uint32_t *)b->data;
        for (i = 0; i < fsi.per; i++) {
            if (p[i])
                free_tree(ip, p[i], level - 1);
        }
        brelse(b);
    }
    bfree_blk(blk);
    add_blocks(ip, -1);
}

/*
 * Free the blocks with logical number >= first under indirect block blk
 * (level 1..3) whose subtree starts at logical block base.  Returns 1 when
 * blk itself was freed (the caller clears its pointer).
 */
static int trunc_tree(struct inode *ip, uint32_t blk, int level, uint64_t base, uint64_t first)
{
    uint64_t span = 1;
    struct buf *b;
    uint32_t *p, i;
    int l, empty = 1;
    for (l = 1; l < level; l++)
        span *= fsi.per;
    if (first <= base) {
        free_tree(ip, blk, level);
        return 1;
    }
    if (first >= base + span * fsi.per || !valid_blk(ip, blk) || !(b = bread(blk)))
        return 0;
    p = (uint32_t *)b->data;
    for (i = 0; i < fsi.per; i++) {
        uint64_t cbase = base + i * span;
        if (p[i] && cbase + span > first) {
            if (level == 1 ? (free_tree(ip, p[i], 0), 1) : trunc_tree(ip, p[i], level - 1, cbase, first)) {
                p[i] = 0;
                bdirty(b);
            }
        }
        if (p[i])
            empty = 0;
    }
    brelse(b);
    if (empty) {
        bfree_blk(blk);
        add_blocks(ip, -1);
        return 1;
    }
    return 0;
}

int itrunc(struct inode *ip, uint64_t size)
{
    uint64_t old = isize(ip), first, per = fsi.per;
    uint64_t base[4];
    uint32_t i;
    if (fsi.rdonly)
        return -EROFS;
    if (size > fsi.maxbytes)
        return -EFBIG;
    if (size < old && ihasblocks(ip)) {
        first = (size + fsi.bsize - 1) / fsi.bsize;
        for (i = (uint32_t)first; i < EXT2_NDIR_BLOCKS; i++) {
            if (ip->d.i_block[i]) {
                free_tree(ip, ip->d.i_block[i], 0);
                ip->d.i_block[i] = 0;
            }
        }
        base[1] = EXT2_NDIR_BLOCKS;
        base[2] = base[1] + per;
        base[3] = base[2] + per * per;
        for (i = 1; i <= 3; i++) {
            uint32_t *slot = &ip->d.i_block[EXT2_NDIR_BLOCKS - 1 + i];
            if (*slot && trunc_tree(ip, *slot, (int)i, base[i], first))
                *slot = 0;
        }
        if (size % fsi.bsize) {             /* zero the tail of the last block */
            uint32_t blk;
            if (bmap(ip, size / fsi.bsize, 0, &blk, 0) == 0 && blk) {
                struct buf *b = bread(blk);
                if (b) {
                    uint32_t o = (uint32_t)(size % fsi.bsize);
                    memset(b->data + o, 0, fsi.bsize - o);
                    bdirty(b);
                    brelse(b);
                }
            }
        }
        ip->goal = 0;
    }
    isetsize(ip, size);
    ip->d.i_mtime = ip->d.i_ctime = fs_now();
    return iupdate(ip);
}

int fs_truncate(struct inode *ip, uint64_t size)
{
    uint32_t t = ip->d.i_mode & EXT2_S_IFMT;
    if (t == EXT2_S_IFDIR)
        return -EISDIR;
    if (t != EXT2_S_IFREG)
        return -EINVAL;
    return itrunc(ip, size);
}

long fs_read(struct inode *ip, void *buf, uint64_t off, size_t n)
{
    if ((ip->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
        return -EISDIR;
    if ((ip->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFREG)
        return -EINVAL;
    return readi(ip, buf, off, n);
}

long fs_write(struct inode *ip, const void *buf, uint64_t off, size_t n)
{
    if ((ip->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
        return -EISDIR;
    if ((ip->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFREG)
        return -EINVAL;
    return writei(ip, buf, off, n);
}
