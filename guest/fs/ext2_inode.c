/*
 * ext2_inode.c - the in-memory inode cache (xv6 iget/iput with refcounts),
 * reading and writing on-disk inodes (128- or 256-byte slots), inode
 * creation, freeing on last iput of an unlinked inode, and stat/chmod/chown/
 * utimes.  Only the first 128 bytes of a slot are ever rewritten, so extra
 * fields of 256-byte inodes made by mke2fs are preserved; new inodes get the
 * whole slot zeroed (i_extra_isize 0, as Linux ext2 writes them).
 */
#include "fsint.h"

static int iloc(uint32_t inum, uint32_t *blk, uint32_t *off)
{
    uint32_t g, idx;
    uint64_t byte;
    if (inum == 0 || inum > fsi.sb.s_inodes_count)
        return -EIO;
    g = (inum - 1) / fsi.sb.s_inodes_per_group;
    idx = (inum - 1) % fsi.sb.s_inodes_per_group;
    byte = (uint64_t)idx * fsi.isize;
    *blk = fsi.gd[g].bg_inode_table + (uint32_t)(byte / fsi.bsize);
    *off = (uint32_t)(byte % fsi.bsize);
    return 0;
}

struct inode *iget(uint32_t inum, int *err)
{
    struct inode *ip, *freeslot = 0, *cached = 0;
    uint32_t blk, off;
    struct buf *b;
    int i;
    for (i = 0; i < FS_NINODE; i++) {
        ip = &fsi.itab[i];
        if (ip->valid && ip->inum == inum) {
            ip->ref++;
            return ip;
        }
        if (ip->ref == 0) {
            if (!ip->valid && !freeslot)
                freeslot = ip;
            else if (ip->valid && !cached)
                cached = ip;
        }
    }
    ip = freeslot ? freeslot : cached;
    if (!ip) {
        *err = -ENFILE;
        return 0;
    }
    if (iloc(inum, &blk, &off) < 0 || !(b = bread(blk))) {
        kprintf("ext2: cannot read inode %u\n", inum);
        *err = -EIO;
        return 0;
    }
    memcpy(&ip->d, b->data + off, sizeof(ip->d));
    brelse(b);
    ip->inum = inum;
    ip->ref = 1;
    ip->valid = 1;
    ip->goal = 0;
    return ip;
}

int iupdate(struct inode *ip)
{
    uint32_t blk, off;
    struct buf *b;
    if (fsi.rdonly)
        return -EROFS;
    if (iloc(ip->inum, &blk, &off) < 0 || !(b = bread(blk)))
        return -EIO;
    memcpy(b->data + off, &ip->d, sizeof(ip->d));
    bdirty(b);
    brelse(b);
    return 0;
}

int ihasblocks(struct inode *ip)
{
    uint32_t t = ip->d.i_mode & EXT2_S_IFMT;
    if (t == EXT2_S_IFREG || t == EXT2_S_IFDIR)
        return 1;
    if (t == EXT2_S_IFLNK) {
        uint32_t ea = ip->d.i_file_acl ? fsi.bsize / 512 : 0;
        return ip->d.i_blocks > ea;  /* slow symlink */
    }
    return 0;
}

uint64_t isize(struct inode *ip)
{
    uint64_t s = ip->d.i_size;
    if ((ip->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
        s |= (uint64_t)ip->d.i_size_high << 32;
    return s;
}

void isetsize(struct inode *ip, uint64_t size)
{
    ip->d.i_size = (uint32_t)size;
    if ((ip->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFREG) {
        ip->d.i_size_high = (uint32_t)(size >> 32);
        if (size > 0x7fffffffull &&
            !(fsi.sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
            fsi.sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
            fsi.sb_dirty = 1;
        }
    }
}

uint32_t iuid(struct inode *ip) { return ip->d.i_uid | ((uint32_t)ip->d.i_uid_high << 16); }
uint32_t igid(struct inode *ip) { return ip->d.i_gid | ((uint32_t)ip->d.i_gid_high << 16); }

/* Drop one reference to the extended attribute block of a deleted inode. */
static void release_xattr(struct inode *ip)
{
    uint32_t blk = ip->d.i_file_acl;
    struct buf *b;
    ip->d.i_file_acl = 0;
    if (blk == 0 || !(b = bread(blk)))
        return;
    if (*(uint32_t *)b->data != EXT2_XATTR_MAGIC) {
        kprintf("ext2: inode %u: bad xattr block %u\n", ip->inum, blk);
        brelse(b);
        return;
    }
    if (ip->d.i_blocks >= fsi.spb)
        ip->d.i_blocks -= fsi.spb;
    if (--((uint32_t *)b->data)[1] == 0) {
        brelse(b);
        bfree_blk(blk);
        return;
    }
    bdirty(b);
    brelse(b);
}

static void ifree_inode(struct inode *ip)
{
    int isdir = (ip->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    release_xattr(ip);
    if (ihasblocks(ip))
        itrunc(ip, 0);
    else if ((ip->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK)
        memset(ip->d.i_block, 0, sizeof(ip->d.i_block));
    ip->d.i_size = 0;
    ip->d.i_size_high = 0;
    ip->d.i_dtime = fs_now();
    iupdate(ip);
    ifree_ino(ip->inum, isdir);
}

struct inode *fs_idup(struct inode *ip)
{
    ip->ref++;
    return ip;
}

void fs_iput(struct inode *ip)
{
    if (ip->ref <= 0)
        panic("ext2: iput of unreferenced inode %u", ip->inum);
    if (ip->ref == 1 && ip->d.i_links_count == 0 && !fsi.rdonly) {
        ifree_inode(ip);
        ip->valid = 0;
    }
    ip->ref--;
}

struct inode *fs_root(void)
{
    int err;
    return iget(EXT2_ROOT_INO, &err);
}

/* Allocate and initialise a new inode near directory dp (nlink 0: caller links it). */
int ialloc_inode(struct inode *dp, uint32_t mode, struct inode **out)
{
    uint32_t ino, blk, off, now = fs_now();
    struct inode *ip;
    struct buf *b;
    int r, err, isdir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    r = ialloc(dp->inum, isdir, &ino);
    if (r < 0)
        return r;
    if (iloc(ino, &blk, &off) < 0 || !(b = bread(blk))) {
        ifree_ino(ino, isdir);
        return -EIO;
    }
    memset(b->data + off, 0, fsi.isize);        /* whole slot, incl. extra space */
    bdirty(b);
    brelse(b);
    ip = iget(ino, &err);
    if (!ip) {
        ifree_ino(ino, isdir);
        return err;
    }
    memset(&ip->d, 0, sizeof(ip->d));
    ip->d.i_mode = (uint16_t)mode;
    ip->d.i_uid = (uint16_t)fsi.uid;
    ip->d.i_uid_high = (uint16_t)(fsi.uid >> 16);
    ip->d.i_gid = (uint16_t)fsi.gid;
    ip->d.i_gid_high = (uint16_t)(fsi.gid >> 16);
    ip->d.i_atime = ip->d.i_mtime = ip->d.i_ctime = now;
    ip->d.i_generation = ino * 2654435761u ^ now;
    ip->goal = 0;
    *out = ip;
    return 0;
}

uint64_t fs_ino(struct inode *ip) { return ip->inum; }
uint32_t fs_mode(struct inode *ip) { return ip->d.i_mode; }
uint64_t fs_size(struct inode *ip) { return isize(ip); }

int fs_stat(struct inode *ip, struct fs_stat *st)
{
    uint32_t t = ip->d.i_mode & EXT2_S_IFMT;
    memset(st, 0, sizeof(*st));
    st->ino = ip->inum;
    st->mode = ip->d.i_mode;
    st->nlink = ip->d.i_links_count;
    st->uid = iuid(ip);
    st->gid = igid(ip);
    if (t == EXT2_S_IFCHR || t == EXT2_S_IFBLK) {
        /* old encoding in i_block[0] (major<<8|minor), new in i_block[1] */
        uint32_t d = ip->d.i_block[0] ? ip->d.i_block[0] : ip->d.i_block[1];
        uint32_t major = ip->d.i_block[0] ? (d >> 8) & 0xff : (d & 0xfff00) >> 8;
        uint32_t minor = ip->d.i_block[0] ? d & 0xff : (d & 0xff) | ((d >> 12) & 0xfff00);
        st->rdev = ((uint64_t)(major & 0xfff) << 8) | (minor & 0xff) | ((uint64_t)(minor & ~0xffu) << 12);
    }
    st->size = isize(ip);
    st->blocks = ip->d.i_blocks;
    st->blksize = fsi.bsize;
    st->atime = ip->d.i_atime;
    st->mtime = ip->d.i_mtime;
    st->ctime = ip->d.i_ctime;
    return 0;
}

int fs_chmod(struct inode *ip, uint32_t mode)
{
    if (fsi.rdonly)
        return -EROFS;
    ip->d.i_mode = (uint16_t)((ip->d.i_mode & EXT2_S_IFMT) | (mode & 07777));
    ip->d.i_ctime = fs_now();
    return iupdate(ip);
}

int fs_chown(struct inode *ip, uint32_t uid, uint32_t gid)
{
    if (fsi.rdonly)
        return -EROFS;
    if (uid != (uint32_t)-1) {
        ip->d.i_uid = (uint16_t)uid;
        ip->d.i_uid_high = (uint16_t)(uid >> 16);
    }
    if (gid != (uint32_t)-1) {
        ip->d.i_gid = (uint16_t)gid;
        ip->d.i_gid_high = (uint16_t)(gid >> 16);
    }
    ip->d.i_ctime = fs_now();
    return iupdate(ip);
}

int fs_utimes(struct inode *ip, uint64_t atime, uint64_t mtime)
{
    if (fsi.rdonly)
        return -EROFS;
    ip->d.i_atime = (uint32_t)atime;
    ip->d.i_mtime = (uint32_t)mtime;
    ip->d.i_ctime = fs_now();
    return iupdate(ip);
}
