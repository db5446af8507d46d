/*
 * ext2_dir.c - directory blocks: lookup, insert (reusing slack and empty
 * records), delete (coalescing into the previous record), entry rewrite,
 * emptiness test, "."/".." creation and getdents64.  Directories are
 * scanned linearly; an htree (dir_index) directory reads correctly that way
 * and loses EXT2_INDEX_FL when modified, as Linux ext2 does.
 */
#include "fsint.h"

int ftype_of(uint32_t mode)
{
    if (!fsi.filetype)
        return EXT2_FT_UNKNOWN;
    switch (mode & EXT2_S_IFMT) {
    case EXT2_S_IFREG: return EXT2_FT_REG_FILE;
    case EXT2_S_IFDIR: return EXT2_FT_DIR;
    case EXT2_S_IFCHR: return EXT2_FT_CHRDEV;
    case EXT2_S_IFBLK: return EXT2_FT_BLKDEV;
    case EXT2_S_IFIFO: return EXT2_FT_FIFO;
    case EXT2_S_IFSOCK: return EXT2_FT_SOCK;
    case EXT2_S_IFLNK: return EXT2_FT_SYMLINK;
    }
    return EXT2_FT_UNKNOWN;
}

static int dt_of(int ft)
{
    static const uint8_t map[8] = { FS_DT_UNKNOWN, FS_DT_REG, FS_DT_DIR, FS_DT_CHR,
                                    FS_DT_BLK, FS_DT_FIFO, FS_DT_SOCK, FS_DT_LNK };
    return (ft >= 0 && ft < 8) ? map[ft] : FS_DT_UNKNOWN;
}

/* Read directory block lbn; NULL (with *err) on a hole or I/O error. */
static struct buf *dirblock(struct inode *dp, uint64_t lbn, int *err)
{
    uint32_t blk;
    struct buf *b;
    int r = bmap(dp, lbn, 0, &blk, 0);
    if (r < 0 || blk == 0) {
        kprintf("ext2: directory %u: hole or bad block at %u\n", dp->inum, (uint32_t)lbn);
        *err = r < 0 ? r : -EIO;
        return 0;
    }
    b = bread(blk);
    if (!b)
        *err = -EIO;
    return b;
}

/* Validate the record at byte off of a directory block. */
static struct ext2_dirent *dirent_at(struct inode *dp, struct buf *b, uint32_t off)
{
    struct ext2_dirent *de = (struct ext2_dirent *)(b->data + off);
    if (off + 8 > fsi.bsize || de->rec_len < 8 || (de->rec_len & 3) ||
        off + de->rec_len > fsi.bsize || de->rec_len < EXT2_DIR_REC_LEN(de->name_len)) {
        kprintf("ext2: directory %u: corrupt entry in block %u at %u\n", dp->inum, b->blockno, off);
        return 0;
    }
    return de;
}

static uint64_t nblocks(struct inode *dp)
{
    return isize(dp) / fsi.bsize;
}

static void dir_touch(struct inode *dp)
{
    dp->d.i_flags &= ~(uint32_t)EXT2_INDEX_FL;
    dp->d.i_mtime = dp->d.i_ctime = fs_now();
}

int dirlookup(struct inode *dp, const char *name, int len, uint32_t *ino, uint64_t *offp)
{
    uint64_t lbn, n = nblocks(dp);
    int err = 0;
    for (lbn = 0; lbn < n; lbn++) {
        struct buf *b = dirblock(dp, lbn, &err);
        uint32_t off = 0;
        if (!b)
            return err;
        while (off < fsi.bsize) {
            struct ext2_dirent *de = dirent_at(dp, b, off);
            if (!de) {
                brelse(b);
                return -EIO;
            }
            if (de->inode && de->name_len == len && memcmp(de->name, name, (size_t)len) == 0) {
                *ino = de->inode;
                if (offp)
                    *offp = lbn * fsi.bsize + off;
                brelse(b);
                return 0;
            }
            off += de->rec_len;
        }
        brelse(b);
    }
    return -ENOENT;
}

static void fill(struct ext2_dirent *de, const char *name, int len, uint32_t ino, uint32_t mode)
{
    de->inode = ino;
    de->name_len = (uint8_t)len;
    de->file_type = (uint8_t)ftype_of(mode);
    memcpy(de->name, name, (size_t)len);
}

int dirlink(struct inode *dp, const char *name, int len, uint32_t ino, uint32_t mode)
{
    uint64_t lbn, n = nblocks(dp);
    uint32_t need = EXT2_DIR_REC_LEN(len), blk;
    struct ext2_dirent *de;
    struct buf *b;
    int err = 0, fresh;
    if (len <= 0 || len > EXT2_NAME_LEN)
        return -ENAMETOOLONG;
    if (dp->d.i_links_count == 0)
        return -ENOENT;                     /* removed directory still held open */
    for (lbn = 0; lbn < n; lbn++) {
        uint32_t off = 0;
        if (!(b = dirblock(dp, lbn, &err)))
            return err;
        while (off < fsi.bsize) {
            uint32_t used;
            if (!(de = dirent_at(dp, b, off))) {
                brelse(b);
                return -EIO;
            }
            used = de->inode ? EXT2_DIR_REC_LEN(de->name_len) : 0;
            if (de->rec_len - used >= need) {
                if (used) {
                    struct ext2_dirent *nde = (struct ext2_dirent *)(b->data + off + used);
                    nde->rec_len = (uint16_t)(de->rec_len - used);
                    de->rec_len = (uint16_t)used;
                    de = nde;
                }
                fill(de, name, len, ino, mode);
                bdirty(b);
                brelse(b);
                dir_touch(dp);
                return iupdate(dp);
            }
            off += de->rec_len;
        }
        brelse(b);
    }
    err = bmap(dp, n, 1, &blk, &fresh);
    if (err < 0) {
        iupdate(dp);
        return err;
    }
    if (!(b = bget_zero(blk)))
        return -EIO;
    de = (struct ext2_dirent *)b->data;
    de->rec_len = (uint16_t)fsi.bsize;
    fill(de, name, len, ino, mode);
    brelse(b);
    isetsize(dp, (n + 1) * fsi.bsize);
    dir_touch(dp);
    return iupdate(dp);
}

/* Remove the record at byte offset off (from dirlookup). */
int dirunlink(struct inode *dp, uint64_t off)
{
    uint32_t boff = (uint32_t)(off % fsi.bsize), o = 0;
    struct ext2_dirent *de, *prev = 0;
    struct buf *b;
    int err = 0;
    if (!(b = dirblock(dp, off / fsi.bsize, &err)))
        return err;
    while (o < boff) {
        if (!(de = dirent_at(dp, b, o))) {
            brelse(b);
            return -EIO;
        }
        prev = de;
        o += de->rec_len;
    }
    if (o != boff || !(de = dirent_at(dp, b, o))) {
        brelse(b);
        return -EIO;
    }
    if (prev)
        prev->rec_len = (uint16_t)(prev->rec_len + de->rec_len);
    else
        de->inode = 0;
    bdirty(b);
    brelse(b);
    dir_touch(dp);
    return iupdate(dp);
}

/* Point the record at byte offset off to another inode. */
int dirsetent(struct inode *dp, uint64_t off, uint32_t ino, uint32_t mode)
{
    struct ext2_dirent *de;
    struct buf *b;
    int err = 0;
    if (!(b = dirblock(dp, off / fsi.bsize, &err)))
        return err;
    if (!(de = dirent_at(dp, b, (uint32_t)(off % fsi.bsize)))) {
        brelse(b);
        return -EIO;
    }
    de->inode = ino;
    de->file_type = (uint8_t)ftype_of(mode);
    bdirty(b);
    brelse(b);
    dir_touch(dp);
    return iupdate(dp);
}

/* 1 if dp holds only "." and "..", 0 if not, -errno on error. */
int dirisempty(struct inode *dp)
{
    uint64_t lbn, n = nblocks(dp);
    int err = 0;
    for (lbn = 0; lbn < n; lbn++) {
        struct buf *b = dirblock(dp, lbn, &err);
        uint32_t off = 0;
        if (!b)
            return err;
        while (off < fsi.bsize) {
            struct ext2_dirent *de = dirent_at(dp, b, off);
            if (!de) {
                brelse(b);
                return -EIO;
            }
            if (de->inode && !(de->name_len == 1 && de->name[0] == '.') &&
                !(de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.')) {
                brelse(b);
                return 0;
            }
            off += de->rec_len;
        }
        brelse(b);
    }
    return 1;
}

/* First block of a new directory: "." -> dp, ".." -> parent. */
int dirinit(struct inode *dp, uint32_t parent)
{
    uint32_t blk;
    struct ext2_dirent *de;
    struct buf *b;
    int fresh, r = bmap(dp, 0, 1, &blk, &fresh);
    if (r < 0)
        return r;
    if (!(b = bget_zero(blk)))
        return -EIO;
    de = (struct ext2_dirent *)b->data;
    de->rec_len = 12;
    fill(de, ".", 1, dp->inum, EXT2_S_IFDIR);
    de = (struct ext2_dirent *)(b->data + 12);
    de->rec_len = (uint16_t)(fsi.bsize - 12);
    fill(de, "..", 2, parent, EXT2_S_IFDIR);
    brelse(b);
    isetsize(dp, fsi.bsize);
    return iupdate(dp);
}

long fs_getdents64(struct inode *dp, uint64_t *pos, void *buf, size_t n)
{
    uint64_t p = *pos, size = isize(dp);
    size_t used = 0;
    int err = 0;
    if ((dp->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
        return -ENOTDIR;
    while (p < size) {
        uint64_t lbn = p / fsi.bsize;
        uint32_t off = 0, start = (uint32_t)(p % fsi.bsize);
        struct buf *b = dirblock(dp, lbn, &err);
        if (!b)
            return used ? (long)used : err;
        while (off < fsi.bsize) {
            struct ext2_dirent *de = dirent_at(dp, b, off);
            uint32_t next;
            if (!de) {
                brelse(b);
                return used ? (long)used : -EIO;
            }
            next = off + de->rec_len;
            if (off >= start && de->inode) {
                struct linux_dirent64_hdr *h = (struct linux_dirent64_hdr *)((uint8_t *)buf + used);
                size_t reclen = (sizeof(*h) + de->name_len + 1 + 7) & ~(size_t)7;
                if (used + reclen > n) {
                    brelse(b);
                    *pos = lbn * fsi.bsize + off;
                    return used ? (long)used : -EINVAL;
                }
                h->d_ino = de->inode;
                h->d_off = (int64_t)(lbn * fsi.bsize + next);
                h->d_reclen = (uint16_t)reclen;
                h->d_type = (uint8_t)(fsi.filetype ? dt_of(de->file_type) : FS_DT_UNKNOWN);
                memcpy((uint8_t *)h + sizeof(*h), de->name, de->name_len);
                memset((uint8_t *)h + sizeof(*h) + de->name_len, 0, reclen - sizeof(*h) - de->name_len);
                used += reclen;
            }
            off = next;
        }
        brelse(b);
        p = (lbn + 1) * fsi.bsize;
        *pos = p;
    }
    *pos = p;
    return (long)used;
}
