/*
 * ext2_alloc.c - block and inode allocation: bitmaps, group descriptor free
 * counts and used_dirs, superblock free counts (kept in step, as Linux does).
 *
 * Blocks: search forward from a goal (the file's last block, or its inode's
 * group), wrapping over all groups.  Inodes: a directory goes to the group
 * with the most free inodes among those with at least average free blocks
 * (a simple Orlov spread); other files go to the parent's group first.
 */
#include "fsint.h"

static uint32_t group_nblocks(uint32_t g)
{
    uint32_t start = fsi.sb.s_first_data_block + g * fsi.sb.s_blocks_per_group;
    uint32_t n = fsi.sb.s_blocks_count - start;
    return n < fsi.sb.s_blocks_per_group ? n : fsi.sb.s_blocks_per_group;
}

/* First clear bit in map[from..n), or -1. */
static int find_zero(const uint8_t *map, uint32_t from, uint32_t n)
{
    uint32_t i = from;
    while (i < n && (i & 7)) {
        if (!(map[i >> 3] & (1u << (i & 7))))
            return (int)i;
        i++;
    }
    for (; i < n; i += 8) {
        if (map[i >> 3] != 0xff) {
            uint32_t j;
            for (j = i; j < i + 8 && j < n; j++)
                if (!(map[j >> 3] & (1u << (j & 7))))
                    return (int)j;
        }
    }
    return -1;
}

int balloc(uint32_t goal, uint32_t *out)
{
    uint32_t g0, g, k, from;
    if (fsi.sb.s_free_blocks_count == 0 ||
        (fsi.uid != 0 && fsi.sb.s_free_blocks_count <= fsi.sb.s_r_blocks_count))
        return -ENOSPC;
    if (goal < fsi.sb.s_first_data_block || goal >= fsi.sb.s_blocks_count)
        goal = fsi.sb.s_first_data_block;
    g0 = (goal - fsi.sb.s_first_data_block) / fsi.sb.s_blocks_per_group;
    from = (goal - fsi.sb.s_first_data_block) % fsi.sb.s_blocks_per_group;
    for (k = 0; k <= fsi.ngroups; k++) {
        struct buf *b;
        int bit;
        g = (g0 + k) % fsi.ngroups;
        if (k > 0)
            from = 0;
        if (fsi.gd[g].bg_free_blocks_count == 0)
            continue;
        b = bread(fsi.gd[g].bg_block_bitmap);
        if (!b)
            return -EIO;
        bit = find_zero(b->data, from, group_nblocks(g));
        if (bit < 0 && from > 0)
            bit = find_zero(b->data, 0, from);
        if (bit < 0) {
            brelse(b);
            continue;
        }
        b->data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
        bdirty(b);
        brelse(b);
        fsi.gd[g].bg_free_blocks_count--;
        fsi.sb.s_free_blocks_count--;
        fsi.gd_dirty = fsi.sb_dirty = 1;
        *out = fsi.sb.s_first_data_block + g * fsi.sb.s_blocks_per_group + (uint32_t)bit;
        return 0;
    }
    kprintf("ext2: free block count %u but no free bit found\n", fsi.sb.s_free_blocks_count);
    return -ENOSPC;
}

void bfree_blk(uint32_t blk)
{
    uint32_t g, bit;
    struct buf *b;
    if (blk < fsi.sb.s_first_data_block || blk >= fsi.sb.s_blocks_count) {
        kprintf("ext2: freeing block %u out of range\n", blk);
        return;
    }
    g = (blk - fsi.sb.s_first_data_block) / fsi.sb.s_blocks_per_group;
    bit = (blk - fsi.sb.s_first_data_block) % fsi.sb.s_blocks_per_group;
    binval(blk);
    b = bread(fsi.gd[g].bg_block_bitmap);
    if (!b)
        return;
    if (!(b->data[bit >> 3] & (1u << (bit & 7)))) {
        kprintf("ext2: freeing free block %u\n", blk);
    } else {
        b->data[bit >> 3] &= (uint8_t)~(1u << (bit & 7));
        bdirty(b);
        fsi.gd[g].bg_free_blocks_count++;
        fsi.sb.s_free_blocks_count++;
        fsi.gd_dirty = fsi.sb_dirty = 1;
    }
    brelse(b);
}

static int pick_group(uint32_t dir_ino, int isdir)
{
    uint32_t g, pg = (dir_ino - 1) / fsi.sb.s_inodes_per_group, best = (uint32_t)-1;
    uint32_t avgb = fsi.sb.s_free_blocks_count / fsi.ngroups, bestfree = 0;
    if (isdir) {
        for (g = 0; g < fsi.ngroups; g++) {
            struct ext2_group_desc *d = &fsi.gd[g];
            if (d->bg_free_inodes_count && d->bg_free_blocks_count >= avgb &&
                d->bg_free_inodes_count > bestfree) {
                best = g;
                bestfree = d->bg_free_inodes_count;
            }
        }
        if (best != (uint32_t)-1)
            return (int)best;
    }
    for (g = 0; g < fsi.ngroups; g++) {
        uint32_t gg = (pg + g) % fsi.ngroups;
        if (fsi.gd[gg].bg_free_inodes_count)
            return (int)gg;
    }
    return -1;
}

int ialloc(uint32_t dir_ino, int isdir, uint32_t *out)
{
    uint32_t k, g;
    int g0 = pick_group(dir_ino, isdir);
    if (g0 < 0 || fsi.sb.s_free_inodes_count == 0)
        return -ENOSPC;
    for (k = 0; k < fsi.ngroups; k++) {
        struct buf *b;
        int bit;
        uint32_t from = 0;
        g = ((uint32_t)g0 + k) % fsi.ngroups;
        if (fsi.gd[g].bg_free_inodes_count == 0)
            continue;
        if (g == 0)
            from = fsi.sb.s_first_ino - 1;
        b = bread(fsi.gd[g].bg_inode_bitmap);
        if (!b)
            return -EIO;
        bit = find_zero(b->data, from, fsi.sb.s_inodes_per_group);
        if (bit < 0) {
            brelse(b);
            continue;
        }
        b->data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
        bdirty(b);
        brelse(b);
        fsi.gd[g].bg_free_inodes_count--;
        if (isdir)
            fsi.gd[g].bg_used_dirs_count++;
        fsi.sb.s_free_inodes_count--;
        fsi.gd_dirty = fsi.sb_dirty = 1;
        *out = g * fsi.sb.s_inodes_per_group + (uint32_t)bit + 1;
        return 0;
    }
    return -ENOSPC;
}

void ifree_ino(uint32_t ino, int isdir)
{
    uint32_t g = (ino - 1) / fsi.sb.s_inodes_per_group, bit = (ino - 1) % fsi.sb.s_inodes_per_group;
    struct buf *b;
    if (ino < fsi.sb.s_first_ino || ino > fsi.sb.s_inodes_count) {
        kprintf("ext2: freeing reserved or bad inode %u\n", ino);
        return;
    }
    b = bread(fsi.gd[g].bg_inode_bitmap);
    if (!b)
        return;
    if (!(b->data[bit >> 3] & (1u << (bit & 7)))) {
        kprintf("ext2: freeing free inode %u\n", ino);
    } else {
        b->data[bit >> 3] &= (uint8_t)~(1u << (bit & 7));
        bdirty(b);
        fsi.gd[g].bg_free_inodes_count++;
        if (isdir && fsi.gd[g].bg_used_dirs_count)
            fsi.gd[g].bg_used_dirs_count--;
        fsi.sb.s_free_inodes_count++;
        fsi.gd_dirty = fsi.sb_dirty = 1;
    }
    brelse(b);
}
