/*
 * ext2_namei.c - path resolution (xv6 namex extended with symlinks):
 * components up to 255 bytes, paths up to 4095, "." and ".." taken from the
 * directory entries themselves (the root's ".." is the root), symlinks in
 * the middle always followed, a final one only when asked, at most 40 links
 * per resolution (ELOOP), and a trailing slash requiring a directory.
 */
#include "fsint.h"

/* Read a symlink's target into buf (bsize bytes); returns its length. */
static long readlink_i(struct inode *ip, char *buf, size_t n)
{
    uint64_t len = isize(ip);
    if ((ip->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
        return -EINVAL;
    if (len >= fsi.bsize || len >= FS_PATH_MAX)
        return -EIO;
    if (len > n)
        len = n;
    if (!ihasblocks(ip)) {
        if (len > sizeof(ip->d.i_block))
            return -EIO;
        memcpy(buf, ip->d.i_block, (size_t)len);
        return (long)len;
    }
    return readi(ip, buf, 0, (size_t)len);
}

long fs_readlink(struct inode *cwd, const char *path, char *buf, size_t n)
{
    struct inode *ip;
    long r = namei_at(cwd, path, 0, &ip);
    if (r < 0)
        return r;
    r = readlink_i(ip, buf, n);
    fs_iput(ip);
    return r;
}

/*
 * Resolve path from cwd.  parent=0: *out is the final inode.  parent=1:
 * *out is the directory holding the final component, whose name is copied
 * to name (empty when the path names "/"), *trailing set if it ended in '/'.
 */
static int walk(struct inode *cwd, const char *path, int parent, int follow,
                struct inode **out, char *name, int *trailing)
{
    char *buf = 0;
    const char *p = path;
    struct inode *ip, *next;
    int links = 0, r = 0, err;
    if (!path || !*path)
        return -ENOENT;
    if (strlen(path) >= FS_PATH_MAX)
        return -ENAMETOOLONG;
    ip = (*p == '/' || !cwd) ? fs_root() : fs_idup(cwd);
    if (!ip)
        return -ENFILE;
    for (;;) {
        const char *q, *rest;
        uint32_t ino;
        size_t len;
        int last, slash;
        while (*p == '/')
            p++;
        if (*p == 0) {                          /* "/" or the root via a link */
            if (parent) {
                name[0] = 0;
                *trailing = 1;
            }
            break;
        }
        for (q = p; *q && *q != '/'; q++)
            ;
        len = (size_t)(q - p);
        if (len > EXT2_NAME_LEN) {
            r = -ENAMETOOLONG;
            break;
        }
        for (rest = q; *rest == '/'; rest++)
            ;
        last = *rest == 0;
        slash = last && rest != q;
        if ((ip->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR) {
            r = -ENOTDIR;
            break;
        }
        if (last && parent) {
            memcpy(name, p, len);
            name[len] = 0;
            *trailing = slash;
            break;
        }
        r = dirlookup(ip, p, (int)len, &ino, 0);
        if (r < 0)
            break;
        next = iget(ino, &err);
        if (!next) {
            r = err;
            break;
        }
        if ((next->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK && (!last || follow || slash)) {
            char *nb;
            long tl;
            size_t rl = strlen(rest);
            if (++links > FS_MAXSYMLINKS) {
                fs_iput(next);
                r = -ELOOP;
                break;
            }
            nb = kmalloc(FS_PATH_MAX + fsi.bsize + 2);
            if (!nb) {
                fs_iput(next);
                r = -ENOMEM;
                break;
            }
            tl = readlink_i(next, nb, fsi.bsize);
            fs_iput(next);
            if (tl <= 0 || (size_t)tl + 1 + rl >= FS_PATH_MAX) {
                kfree(nb);
                r = tl < 0 ? (int)tl : tl == 0 ? -ENOENT : -ENAMETOOLONG;
                break;
            }
            nb[tl] = '/';
            memcpy(nb + tl + 1, rest, rl + 1);
            if (last && !slash)
                nb[tl] = 0;
            if (buf)
                kfree(buf);
            buf = nb;
            p = buf;
            if (*p == '/') {
                fs_iput(ip);
                ip = fs_root();
                if (!ip) {
                    r = -ENFILE;
                    break;
                }
            }
            continue;
        }
        fs_iput(ip);
        ip = next;
        p = rest;
        if (last) {
            if (slash && (ip->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
                r = -ENOTDIR;
            break;
        }
    }
    if (buf)
        kfree(buf);
    if (r < 0) {
        if (ip)
            fs_iput(ip);
        return r;
    }
    if (parent && (ip->d.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR) {
        fs_iput(ip);
        return -ENOTDIR;
    }
    *out = ip;
    return 0;
}

int namei_at(struct inode *cwd, const char *path, int follow, struct inode **out)
{
    return walk(cwd, path, 0, follow, out, 0, 0);
}

int nameiparent(struct inode *cwd, const char *path, struct inode **dp, char *name, int *trailing)
{
    return walk(cwd, path, 1, 0, dp, name, trailing);
}

int fs_namei(struct inode *cwd, const char *path, int follow, struct inode **out)
{
    return walk(cwd, path, 0, follow, out, 0, 0);
}
