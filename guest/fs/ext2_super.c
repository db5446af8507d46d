/*
 * ext2_super.c - mount, sync, umount and statfs for the one ext2 filesystem.
 *
 * Superblock checks follow Linux fs/ext2/super.c: magic, revision 1, block
 * size 1/2/4 KiB, unknown INCOMPAT features refuse the mount, unknown
 * RO_COMPAT features force read-only.  A read-write mount clears
 * EXT2_VALID_FS, bumps s_mnt_count and sets s_mtime; umount restores the
 * state seen at mount, so e2fsck -fn is clean afterwards.
 */
#include "fsint.h"

struct fsinfo fsi;

uint32_t fs_now(void)
{
    return (uint32_t)clock_realtime_sec();
}

static int test_root(uint32_t g, uint32_t base)
{
    while (g > 1 && g % base == 0)
        g /= base;
    return g == 1;
}

/* Does group g hold a superblock backup (sparse_super rule)? */
static int group_has_super(uint32_t g)
{
    if (!(fsi.sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
        return 1;
    return g <= 1 || test_root(g, 3) || test_root(g, 5) || test_root(g, 7);
}

static int check_super(int *rdonly)
{
    struct ext2_super *s = &fsi.sb;
    uint32_t bad;
    if (s->s_magic != EXT2_SUPER_MAGIC) {
        kprintf("ext2: bad magic 0x%x (not ext2)\n", s->s_magic);
        return -EINVAL;
    }
    if (s->s_rev_level != 1) {
        kprintf("ext2: revision %u unsupported (need 1)\n", s->s_rev_level);
        return -EINVAL;
    }
    if (s->s_log_block_size > 2) {
        kprintf("ext2: block size 1024<<%u unsupported\n", s->s_log_block_size);
        return -EINVAL;
    }
    bad = s->s_feature_incompat & ~EXT2_SUPPORTED_INCOMPAT;
    if (bad) {
        kprintf("ext2: unsupported INCOMPAT features 0x%x: refusing to mount\n", bad);
        return -EINVAL;
    }
    bad = s->s_feature_ro_compat & ~EXT2_SUPPORTED_RO_COMPAT;
    if (bad && !*rdonly) {
        kprintf("ext2: unsupported RO_COMPAT features 0x%x: mounting read-only\n", bad);
        *rdonly = 1;
    }
    fsi.bsize = 1024u << s->s_log_block_size;
    if (s->s_inode_size < EXT2_GOOD_OLD_INODE_SIZE || s->s_inode_size > fsi.bsize ||
        (s->s_inode_size & (s->s_inode_size - 1))) {
        kprintf("ext2: bad inode size %u\n", s->s_inode_size);
        return -EINVAL;
    }
    if (s->s_blocks_per_group == 0 || s->s_blocks_per_group > fsi.bsize * 8 ||
        s->s_inodes_per_group == 0 || s->s_inodes_per_group > fsi.bsize * 8 ||
        s->s_first_data_block >= s->s_blocks_count ||
        s->s_first_data_block != (fsi.bsize == 1024 ? 1u : 0u) ||
        s->s_first_ino < 11) {
        kprintf("ext2: inconsistent superblock geometry\n");
        return -EINVAL;
    }
    return 0;
}

static int read_gd(void)
{
    uint32_t i, per = fsi.bsize / sizeof(struct ext2_group_desc);
    uint32_t first = fsi.sb.s_first_data_block + 1;
    fsi.gd = kmalloc((size_t)fsi.gdblocks * fsi.bsize);
    if (!fsi.gd)
        return -ENOMEM;
    for (i = 0; i < fsi.gdblocks; i++) {
        struct buf *b = bread(first + i);
        if (!b)
            return -EIO;
        memcpy((uint8_t *)fsi.gd + (size_t)i * fsi.bsize, b->data, fsi.bsize);
        brelse(b);
    }
    for (i = 0; i < fsi.ngroups; i++) {
        struct ext2_group_desc *g = &fsi.gd[i];
        uint32_t itb = (fsi.sb.s_inodes_per_group * fsi.isize + fsi.bsize - 1) / fsi.bsize;
        if (g->bg_block_bitmap >= fsi.sb.s_blocks_count || g->bg_inode_bitmap >= fsi.sb.s_blocks_count ||
            g->bg_inode_table + itb > fsi.sb.s_blocks_count || g->bg_block_bitmap < first) {
            kprintf("ext2: group %u descriptor out of range\n", i);
            return -EINVAL;
        }
    }
    (void)per;
    return 0;
}

int super_write(void)
{
    struct buf *b;
    uint32_t i, first = fsi.sb.s_first_data_block + 1;
    if (fsi.rdonly)
        return 0;
    if (fsi.gd_dirty) {
        for (i = 0; i < fsi.gdblocks; i++) {
            b = bread(first + i);
            if (!b)
                return -EIO;
            memcpy(b->data, (uint8_t *)fsi.gd + (size_t)i * fsi.bsize, fsi.bsize);
            bdirty(b);
            brelse(b);
        }
        fsi.gd_dirty = 0;
    }
    b = bread(fsi.sb_block);
    if (!b)
        return -EIO;
    fsi.sb.s_wtime = fs_now();
    memcpy(b->data + fsi.sb_off, &fsi.sb, sizeof(fsi.sb));
    bdirty(b);
    brelse(b);
    fsi.sb_dirty = 0;
    return 0;
}

int fs_mount(int unit, int flags, int nbuf)
{
    uint8_t *raw;
    int r, rdonly = (flags & FS_MNT_RDONLY) != 0;
    uint64_t per, m;
    if (fsi.mounted)
        return -EBUSY;
    memset(&fsi, 0, sizeof(fsi));
    fsi.unit = unit;
    raw = kmalloc(1024);                /* I/O buffers come from kmalloc, never the stack */
    if (!raw)
        return -ENOMEM;
    r = ubd_rw(unit, EXT2_SUPER_OFFSET / 512, raw, 2, 0);
    if (r >= 0)
        memcpy(&fsi.sb, raw, sizeof(fsi.sb));
    kfree(raw);
    if (r < 0) {
        kprintf("ext2: cannot read superblock (%d)\n", r);
        return r;
    }
    r = check_super(&rdonly);
    if (r < 0)
        return r;
    fsi.rdonly = rdonly;
    fsi.spb = fsi.bsize / 512;
    fsi.per = fsi.bsize / 4;
    fsi.isize = fsi.sb.s_inode_size;
    fsi.ngroups = (fsi.sb.s_blocks_count - fsi.sb.s_first_data_block + fsi.sb.s_blocks_per_group - 1) /
                  fsi.sb.s_blocks_per_group;
    if ((uint64_t)fsi.ngroups * fsi.sb.s_inodes_per_group != fsi.sb.s_inodes_count) {
        kprintf("ext2: inode count %u does not match %u groups\n", fsi.sb.s_inodes_count, fsi.ngroups);
        return -EINVAL;
    }
    fsi.gdblocks = (fsi.ngroups * (uint32_t)sizeof(struct ext2_group_desc) + fsi.bsize - 1) / fsi.bsize;
    fsi.sb_block = EXT2_SUPER_OFFSET / fsi.bsize;
    fsi.sb_off = EXT2_SUPER_OFFSET % fsi.bsize;
    fsi.filetype = (fsi.sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) != 0;
    per = fsi.per;
    m = (12 + per + per * per + per * per * per) * fsi.bsize;
    fsi.maxbytes = m < (1ull << 40) ? m : (1ull << 40);
    if (!(fsi.sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE) && fsi.maxbytes > 0x7fffffffull)
        fsi.maxbytes = 0x7fffffffull;       /* large_file is set on first big file */
    r = binit(nbuf > 0 ? nbuf : 256, fsi.bsize);
    if (r < 0)
        return r;
    r = read_gd();
    if (r >= 0) {
        fsi.itab = kmalloc(sizeof(struct inode) * FS_NINODE);
        if (!fsi.itab)
            r = -ENOMEM;
        else
            memset(fsi.itab, 0, sizeof(struct inode) * FS_NINODE);
    }
    if (r < 0) {
        if (fsi.gd) kfree(fsi.gd);
        bdestroy();
        return r;
    }
    fsi.mounted = 1;
    fsi.mount_state = fsi.sb.s_state;
    if (!(fsi.sb.s_state & EXT2_VALID_FS))
        kprintf("ext2: warning: mounting unchecked fs, running e2fsck is recommended\n");
    else if (fsi.sb.s_state & EXT2_ERROR_FS)
        kprintf("ext2: warning: mounting fs with errors, running e2fsck is recommended\n");
    else if (fsi.sb.s_max_mnt_count >= 0 && fsi.sb.s_mnt_count >= (uint16_t)fsi.sb.s_max_mnt_count)
        kprintf("ext2: warning: maximal mount count reached, running e2fsck is recommended\n");
    if (!fsi.rdonly) {
        fsi.sb.s_state &= (uint16_t)~EXT2_VALID_FS;
        fsi.sb.s_mnt_count++;
        fsi.sb.s_mtime = fs_now();
        r = super_write();
        if (r >= 0)
            r = bflush();
        if (r < 0) {
            kprintf("ext2: cannot write superblock: mounting read-only\n");
            fsi.rdonly = 1;
        }
    }
    return 0;
}

int fs_sync(void)
{
    int r;
    if (!fsi.mounted)
        return -EINVAL;
    r = super_write();
    if (r < 0)
        return r;
    return bflush();
}

int fs_umount(void)
{
    int i, r;
    if (!fsi.mounted)
        return -EINVAL;
    for (i = 0; i < FS_NINODE; i++) {
        if (fsi.itab[i].ref > 0)
            return -EBUSY;
    }
    if (!fsi.rdonly)
        fsi.sb.s_state = fsi.mount_state;
    r = fs_sync();
    kfree(fsi.gd);
    kfree(fsi.itab);
    bdestroy();
    fsi.mounted = 0;
    return r;
}

int fs_readonly(void)
{
    return fsi.rdonly;
}

void fs_setcred(uint32_t uid, uint32_t gid)
{
    fsi.uid = uid;
    fsi.gid = gid;
}

int fs_statfs(struct fs_statfs *st)
{
    uint64_t overhead = fsi.sb.s_first_data_block;
    uint32_t g, itb = (fsi.sb.s_inodes_per_group * fsi.isize + fsi.bsize - 1) / fsi.bsize;
    if (!fsi.mounted)
        return -EINVAL;
    for (g = 0; g < fsi.ngroups; g++)
        overhead += group_has_super(g) ? 1 + fsi.gdblocks : 0;
    overhead += (uint64_t)fsi.ngroups * (2 + itb);
    memset(st, 0, sizeof(*st));
    st->type = EXT2_SUPER_MAGIC;
    st->bsize = st->frsize = fsi.bsize;
    st->blocks = fsi.sb.s_blocks_count - overhead;
    st->bfree = fsi.sb.s_free_blocks_count;
    st->bavail = st->bfree > fsi.sb.s_r_blocks_count ? st->bfree - fsi.sb.s_r_blocks_count : 0;
    st->files = fsi.sb.s_inodes_count;
    st->ffree = fsi.sb.s_free_inodes_count;
    memcpy(&st->fsid, fsi.sb.s_uuid, 8);
    st->namelen = EXT2_NAME_LEN;
    st->flags = fsi.rdonly ? 1 : 0;
    return 0;
}
