/*
 * ext2_rename.c - rename(2): files and directories, within and across
 * directories, replacing an existing target (an empty directory for a
 * directory), refusing to move a directory under itself, rewriting ".." of
 * a moved directory; link counts as in Linux fs/ext2/namei.c ext2_rename.
 */
#include "fsint.h"

#define ISDIR(ip) (((ip)->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)

static int isdot(const char *n)
{
    return !n[0] || (n[0] == '.' && n[1] == 0) || (n[0] == '.' && n[1] == '.' && n[2] == 0);
}

/* -EINVAL if directory dir is src or lies below it. */
static int check_not_below(struct inode *dir, uint32_t src)
{
    uint32_t cur = dir->inum, parent;
    int depth = 0;
    while (cur != EXT2_ROOT_INO) {
        struct inode *ip;
        int err, r;
        if (cur == src)
            return -EINVAL;
        if (++depth > 65536)
            return -ELOOP;
        ip = iget(cur, &err);
        if (!ip)
            return err;
        r = dirlookup(ip, "..", 2, &parent, 0);
        fs_iput(ip);
        if (r < 0)
            return r;
        cur = parent;
    }
    return src == EXT2_ROOT_INO ? -EINVAL : 0;
}

static int do_rename(struct inode *odp, const char *oname, struct inode *ndp, const char *nname,
                     int trailing)
{
    struct inode *ip, *tp = 0;
    uint64_t ooff, noff, doff;
    uint32_t ino, pino;
    int err, r, isdir;
    if ((r = dirlookup(odp, oname, (int)strlen(oname), &ino, &ooff)) < 0)
        return r;
    if (!(ip = iget(ino, &err)))
        return err;
    isdir = ISDIR(ip);
    r = 0;
    /* error precedence as in Linux renameat2: trailing slash, source above
     * target (EINVAL), target above source (ENOTEMPTY), then types */
    if (trailing && !isdir)
        r = -ENOTDIR;
    else if (isdir && ndp != odp)
        r = check_not_below(ndp, ip->inum);
    if (r == 0 && dirlookup(ndp, nname, (int)strlen(nname), &ino, &noff) == 0) {
        if (ino == ip->inum) {              /* same inode: nothing to do */
            fs_iput(ip);
            return 0;
        }
        if (!(tp = iget(ino, &err)))
            r = err;
        else if (ISDIR(tp) && check_not_below(odp, tp->inum) < 0)
            r = -ENOTEMPTY;
        else if (isdir && !ISDIR(tp))
            r = -ENOTDIR;
        else if (!isdir && ISDIR(tp))
            r = -EISDIR;
        else if (isdir && (r = dirisempty(tp)) >= 0)
            r = r ? 0 : -ENOTEMPTY;
    }
    if (r == 0 && isdir && !tp && ndp != odp && ndp->d.i_links_count >= EXT2_LINK_MAX)
        r = -EMLINK;
    if (r == 0 && isdir)
        r = dirlookup(ip, "..", 2, &pino, &doff);
    if (r < 0)
        goto out;
    if (tp) {
        if ((r = dirsetent(ndp, noff, ip->inum, ip->d.i_mode)) < 0)
            goto out;
        tp->d.i_ctime = fs_now();
        if (isdir)
            tp->d.i_links_count = 0;
        else if (tp->d.i_links_count)
            tp->d.i_links_count--;
        iupdate(tp);
    } else {
        if ((r = dirlink(ndp, nname, (int)strlen(nname), ip->inum, ip->d.i_mode)) < 0)
            goto out;
        if (isdir) {
            ndp->d.i_links_count++;
            iupdate(ndp);
        }
    }
    if ((r = dirunlink(odp, ooff)) < 0)
        goto out;
    ip->d.i_ctime = fs_now();
    iupdate(ip);
    if (isdir) {
        if (odp != ndp && (r = dirsetent(ip, doff, ndp->inum, EXT2_S_IFDIR)) < 0)
            goto out;
        if (odp->d.i_links_count > 1)
            odp->d.i_links_count--;
        r = iupdate(odp);
    }
out:
    if (tp)
        fs_iput(tp);
    fs_iput(ip);
    return r;
}

int fs_rename(struct inode *oldcwd, const char *oldpath, struct inode *newcwd, const char *newpath)
{
    struct inode *odp, *ndp;
    char oname[EXT2_NAME_LEN + 1], nname[EXT2_NAME_LEN + 1];
    int r, ot, nt;
    if ((r = nameiparent(oldcwd, oldpath, &odp, oname, &ot)) < 0)
        return r;
    if ((r = nameiparent(newcwd, newpath, &ndp, nname, &nt)) < 0) {
        fs_iput(odp);
        return r;
    }
    if (isdot(oname) || isdot(nname))
        r = -EBUSY;
    else if (fsi.rdonly)
        r = -EROFS;
    else
        r = do_rename(odp, oname, ndp, nname, ot || nt);
    fs_iput(ndp);
    fs_iput(odp);
    return r;
}
