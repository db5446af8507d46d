/*
 * ext2_ops.c - namespace operations for the syscall layer: open (with
 * O_CREAT/O_EXCL/O_TRUNC), mkdir, mknod, unlink, rmdir, link, symlink and
 * rename, with Linux link-count and ".." rules.  No permission checks: the
 * kernel decides who may call what (docs/ext2.md).
 */
#include "fsint.h"

#define ISDIR(ip) (((ip)->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
#define ISLNK(ip) (((ip)->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK)

static int isdot(const char *n)
{
    return (n[0] == '.' && n[1] == 0) || (n[0] == '.' && n[1] == '.' && n[2] == 0);
}

/* Look up name in dp: 0 with *ip referenced, or -errno. */
static int lookup(struct inode *dp, const char *name, struct inode **ip, uint64_t *off)
{
    uint32_t ino;
    int err, r = dirlookup(dp, name, (int)strlen(name), &ino, off);
    if (r < 0)
        return r;
    *ip = iget(ino, &err);
    return *ip ? 0 : err;
}

/* Create a new inode of the given mode linked as dp/name (nlink set here). */
static int create(struct inode *dp, const char *name, uint32_t mode, struct inode **out)
{
    struct inode *ip;
    int r, isdir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    if (fsi.rdonly)
        return -EROFS;
    if (isdir && dp->d.i_links_count >= EXT2_LINK_MAX)
        return -EMLINK;
    r = ialloc_inode(dp, mode, &ip);
    if (r < 0)
        return r;
    ip->d.i_links_count = isdir ? 2 : 1;
    r = isdir ? dirinit(ip, dp->inum) : iupdate(ip);
    if (r >= 0)
        r = dirlink(dp, name, (int)strlen(name), ip->inum, mode);
    if (r < 0) {
        ip->d.i_links_count = 0;
        fs_iput(ip);
        return r;
    }
    if (isdir) {
        dp->d.i_links_count++;
        iupdate(dp);
    }
    *out = ip;
    return 0;
}

int fs_open(struct inode *cwd, const char *path, int oflags, uint32_t mode, struct inode **out)
{
    struct inode *ip, *dp;
    char name[EXT2_NAME_LEN + 1];
    int r, trailing, acc = oflags & FS_O_ACCMODE;
    if (oflags & FS_O_CREAT) {
        r = nameiparent(cwd, path, &dp, name, &trailing);
        if (r < 0)
            return r;
        if (!name[0]) {
            ip = dp;
            if (oflags & FS_O_EXCL) {
                fs_iput(ip);
                return -EEXIST;
            }
        } else {
            r = lookup(dp, name, &ip, 0);
            if (r == 0 && (oflags & FS_O_EXCL)) {
                r = -EEXIST;
                fs_iput(ip);
            } else if (r == 0 && ISLNK(ip)) {
                fs_iput(ip);
                r = (oflags & FS_O_NOFOLLOW) ? -ELOOP : namei_at(dp, name, 1, &ip);
            } else if (r == -ENOENT) {
                r = trailing ? -EISDIR : create(dp, name, EXT2_S_IFREG | (mode & 07777), &ip);
            }
            fs_iput(dp);
            if (r < 0)
                return r;
        }
    } else {
        r = namei_at(cwd, path, !(oflags & FS_O_NOFOLLOW), &ip);
        if (r < 0)
            return r;
        if ((oflags & FS_O_NOFOLLOW) && ISLNK(ip)) {
            fs_iput(ip);
            return -ELOOP;
        }
    }
    if ((oflags & FS_O_DIRECTORY) && !ISDIR(ip))
        r = -ENOTDIR;
    else if (ISDIR(ip) && (acc != FS_O_RDONLY || (oflags & FS_O_TRUNC)))
        r = -EISDIR;
    else if (fsi.rdonly && (acc != FS_O_RDONLY || (oflags & FS_O_TRUNC)))
        r = -EROFS;
    else if ((oflags & FS_O_TRUNC) && (ip->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFREG && isize(ip) > 0)
        r = itrunc(ip, 0);
    if (r < 0) {
        fs_iput(ip);
        return r;
    }
    *out = ip;
    return 0;
}

int fs_mkdir(struct inode *cwd, const char *path, uint32_t mode)
{
    struct inode *dp, *ip;
    char name[EXT2_NAME_LEN + 1];
    int r, trailing;
    if ((r = nameiparent(cwd, path, &dp, name, &trailing)) < 0)
        return r;
    if (!name[0] || lookup(dp, name, &ip, 0) == 0) {
        if (name[0])
            fs_iput(ip);
        r = -EEXIST;
    } else {
        r = create(dp, name, EXT2_S_IFDIR | (mode & 07777), &ip);
        if (r == 0)
            fs_iput(ip);
    }
    fs_iput(dp);
    return r;
}

int fs_mknod(struct inode *cwd, const char *path, uint32_t mode, uint64_t rdev)
{
    struct inode *dp, *ip;
    char name[EXT2_NAME_LEN + 1];
    uint32_t t = mode & EXT2_S_IFMT;
    int r, trailing;
    if (t == 0)
        mode |= t = EXT2_S_IFREG;
    if (t != EXT2_S_IFREG && t != EXT2_S_IFCHR && t != EXT2_S_IFBLK &&
        t != EXT2_S_IFIFO && t != EXT2_S_IFSOCK)
        return -EINVAL;
    if ((r = nameiparent(cwd, path, &dp, name, &trailing)) < 0)
        return r;
    if (!name[0] || lookup(dp, name, &ip, 0) == 0) {
        if (name[0])
            fs_iput(ip);
        r = -EEXIST;
    } else if ((r = create(dp, name, mode & (EXT2_S_IFMT | 07777), &ip)) == 0) {
        if (t == EXT2_S_IFCHR || t == EXT2_S_IFBLK) {
            uint32_t major = (uint32_t)((rdev >> 8) & 0xfff), minor = (uint32_t)((rdev & 0xff) | ((rdev >> 12) & 0xfff00));
            if (major < 256 && minor < 256) {
                ip->d.i_block[0] = major << 8 | minor;
            } else {
                ip->d.i_block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
            }
            iupdate(ip);
        }
        fs_iput(ip);
    }
    fs_iput(dp);
    return r;
}

int fs_unlink(struct inode *cwd, const char *path)
{
    struct inode *dp, *ip;
    char name[EXT2_NAME_LEN + 1];
    uint64_t off;
    int r, trailing;
    if ((r = nameiparent(cwd, path, &dp, name, &trailing)) < 0)
        return r;
    if (!name[0] || isdot(name)) {
        fs_iput(dp);
        return -EISDIR;
    }
    if ((r = lookup(dp, name, &ip, &off)) < 0) {
        fs_iput(dp);
        return r;
    }
    if (ISDIR(ip))
        r = -EISDIR;
    else if (trailing)
        r = -ENOTDIR;
    else if (fsi.rdonly)
        r = -EROFS;
    else if ((r = dirunlink(dp, off)) == 0) {
        if (ip->d.i_links_count)
            ip->d.i_links_count--;
        ip->d.i_ctime = fs_now();
        r = iupdate(ip);
    }
    fs_iput(ip);
    fs_iput(dp);
    return r;
}

int fs_rmdir(struct inode *cwd, const char *path)
{
    struct inode *dp, *ip;
    char name[EXT2_NAME_LEN + 1];
    uint64_t off;
    int r, trailing;
    if ((r = nameiparent(cwd, path, &dp, name, &trailing)) < 0)
        return r;
    if (!name[0] || isdot(name)) {
        fs_iput(dp);
        return !name[0] ? -EBUSY : name[1] ? -ENOTEMPTY : -EINVAL;
    }
    if ((r = lookup(dp, name, &ip, &off)) < 0) {
        fs_iput(dp);
        return r;
    }
    if (!ISDIR(ip))
        r = -ENOTDIR;
    else if (fsi.rdonly)
        r = -EROFS;
    else if ((r = dirisempty(ip)) == 0)
        r = -ENOTEMPTY;
    else if (r > 0 && (r = dirunlink(dp, off)) == 0) {
        ip->d.i_links_count = 0;
        ip->d.i_ctime = fs_now();
        iupdate(ip);
        if (dp->d.i_links_count > 1)
            dp->d.i_links_count--;
        r = iupdate(dp);
    }
    fs_iput(ip);
    fs_iput(dp);
    return r;
}

int fs_link(struct inode *oldcwd, const char *oldpath, struct inode *newcwd, const char *newpath)
{
    struct inode *ip, *dp, *tp;
    char name[EXT2_NAME_LEN + 1];
    int r, trailing;
    if ((r = namei_at(oldcwd, oldpath, 0, &ip)) < 0)
        return r;
    if ((r = nameiparent(newcwd, newpath, &dp, name, &trailing)) < 0) {
        fs_iput(ip);
        return r;
    }
    if (!name[0] || lookup(dp, name, &tp, 0) == 0) {
        if (name[0])
            fs_iput(tp);
        r = -EEXIST;
    } else if (fsi.rdonly) {
        r = -EROFS;
    } else if (ISDIR(ip)) {
        r = -EPERM;
    } else if (ip->d.i_links_count >= EXT2_LINK_MAX) {
        r = -EMLINK;
    } else if ((r = dirlink(dp, name, (int)strlen(name), ip->inum, ip->d.i_mode)) == 0) {
        ip->d.i_links_count++;
        ip->d.i_ctime = fs_now();
        r = iupdate(ip);
    }
    fs_iput(dp);
    fs_iput(ip);
    return r;
}

int fs_symlink(const char *target, struct inode *cwd, const char *path)
{
    struct inode *dp, *ip;
    char name[EXT2_NAME_LEN + 1];
    size_t len = strlen(target);
    int r, trailing;
    if (len == 0)
        return -ENOENT;
    if (len >= fsi.bsize || len >= FS_PATH_MAX)
        return -ENAMETOOLONG;
    if ((r = nameiparent(cwd, path, &dp, name, &trailing)) < 0)
        return r;
    if (!name[0] || lookup(dp, name, &ip, 0) == 0) {
        if (name[0])
            fs_iput(ip);
        fs_iput(dp);
        return -EEXIST;
    }
    r = create(dp, name, EXT2_S_IFLNK | 0777, &ip);
    fs_iput(dp);
    if (r < 0)
        return r;
    if (len <= EXT2_FAST_SYMLINK_MAX) {
        memcpy(ip->d.i_block, target, len);
        isetsize(ip, len);
        r = iupdate(ip);
    } else {
        long w = writei(ip, target, 0, len);
        r = w < 0 ? (int)w : (size_t)w != len ? -ENOSPC : 0;
    }
    if (r < 0) {                            /* undo: a symlink without target */
        struct inode *pp;
        char n2[EXT2_NAME_LEN + 1];
        uint64_t off;
        uint32_t ino;
        if (nameiparent(cwd, path, &pp, n2, &trailing) == 0) {
            if (dirlookup(pp, n2, (int)strlen(n2), &ino, &off) == 0 && ino == ip->inum)
                dirunlink(pp, off);
            fs_iput(pp);
        }
        ip->d.i_links_count = 0;
    }
    fs_iput(ip);
    return r;
}
