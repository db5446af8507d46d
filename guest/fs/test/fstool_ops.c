/*
 * fstool_ops.c - the operations of fstool (see fstool.c and docs/ext2.md).
 * Each returns 0 or -errno from the guest/fs API.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../fsint.h"
#include "fstool.h"

#define CHUNK 65536

static int copy_in(int fd, struct inode *ip, uint64_t off)
{
    static char buf[CHUNK];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        long w = fs_write(ip, buf, off, (size_t)n);
        if (w < 0)
            return (int)w;
        off += (uint64_t)w;
        if (w != n)
            return -ENOSPC;
    }
    return n < 0 ? -EIO : 0;
}

static int put(const char *host, const char *path, int flags, int at_end, uint64_t off)
{
    struct inode *ip;
    int r, fd = open(host, O_RDONLY);
    if (fd < 0)
        return -ENOENT;
    r = fs_open(0, path, FS_O_WRONLY | FS_O_CREAT | flags, 0644, &ip);
    if (r == 0) {
        r = copy_in(fd, ip, at_end ? fs_size(ip) : off);
        fs_iput(ip);
    }
    close(fd);
    return r;
}

static int get(const char *path, int fd)
{
    static char buf[CHUNK];
    struct inode *ip;
    uint64_t off = 0;
    long n;
    int r = fs_open(0, path, FS_O_RDONLY, 0, &ip);
    if (r < 0)
        return r;
    while ((n = fs_read(ip, buf, off, sizeof(buf))) > 0) {
        if (write(fd, buf, (size_t)n) != n) {
            n = -EIO;
            break;
        }
        off += (uint64_t)n;
    }
    fs_iput(ip);
    return n < 0 ? (int)n : 0;
}

static void print_stat(struct fs_stat *st)
{
    printf("ino=%lu mode=0%o nlink=%u uid=%u gid=%u size=%lu blocks=%lu rdev=%lu atime=%lu mtime=%lu ctime=%lu\n",
           (unsigned long)st->ino, st->mode, st->nlink, st->uid, st->gid, (unsigned long)st->size,
           (unsigned long)st->blocks, (unsigned long)st->rdev, (unsigned long)st->atime,
           (unsigned long)st->mtime, (unsigned long)st->ctime);
}

static int do_stat(const char *path, int follow)
{
    struct inode *ip;
    struct fs_stat st;
    int r = fs_namei(0, path, follow, &ip);
    if (r < 0)
        return r;
    fs_stat(ip, &st);
    fs_iput(ip);
    print_stat(&st);
    return 0;
}

/* List a directory through getdents64 with a small buffer (many calls). */
static int do_ls(struct inode *dp, int (*each)(const char *, uint64_t, int, void *), void *arg)
{
    char buf[600];
    uint64_t pos = 0;
    long n;
    int r = 0;
    while ((n = fs_getdents64(dp, &pos, buf, sizeof(buf))) > 0) {
        long o = 0;
        while (o < n) {
            struct linux_dirent64_hdr *h = (struct linux_dirent64_hdr *)(buf + o);
            const char *name = buf + o + sizeof(*h);
            if (r == 0)
                r = each(name, h->d_ino, h->d_type, arg);
            o += h->d_reclen;
        }
    }
    return n < 0 ? (int)n : r;
}

static int print_ent(const char *name, uint64_t ino, int type, void *arg)
{
    (void)arg;
    printf("%lu %d %s\n", (unsigned long)ino, type, name);
    return 0;
}

struct xarg { struct inode *dp; char *src; char *dst; };
static int export_tree(struct inode *dp, const char *src, const char *dst);

static int export_ent(const char *name, uint64_t ino, int type, void *arg)
{
    struct xarg *x = arg;
    char s[4096], d[4096];
    (void)ino; (void)type;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "lost+found") == 0)
        return 0;
    snprintf(s, sizeof(s), "%s/%s", x->src, name);
    snprintf(d, sizeof(d), "%s/%s", x->dst, name);
    return export_tree(x->dp, s, d);
}

static int export_tree(struct inode *unused, const char *src, const char *dst)
{
    struct inode *ip;
    int r = fs_namei(0, src, 0, &ip), fd;
    uint32_t t;
    (void)unused;
    if (r < 0)
        return r;
    t = fs_mode(ip) & FS_S_IFMT;
    if (t == FS_S_IFDIR) {
        struct xarg x = { ip, (char *)src, (char *)dst };
        mkdir(dst, 0755);
        r = do_ls(ip, export_ent, &x);
    } else if (t == FS_S_IFLNK) {
        char tgt[4096];
        long n = fs_readlink(0, src, tgt, sizeof(tgt) - 1);
        if (n < 0)
            r = (int)n;
        else {
            tgt[n] = 0;
            if (symlink(tgt, dst) < 0)
                r = -EIO;
        }
    } else if (t == FS_S_IFREG) {
        fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            r = -EIO;
        else {
            r = get(src, fd);
            close(fd);
        }
    }
    fs_iput(ip);
    return r;
}

static int import_tree(const char *src, const char *dst)
{
    struct stat st;
    int r = 0;
    if (lstat(src, &st) < 0)
        return -ENOENT;
    if (S_ISDIR(st.st_mode)) {
        DIR *d;
        struct dirent *e;
        r = fs_mkdir(0, dst, st.st_mode & 07777);
        if (r < 0 && r != -EEXIST)
            return r;
        r = 0;
        if (!(d = opendir(src)))
            return -EIO;
        while (r == 0 && (e = readdir(d))) {
            char s[4096], t[4096];
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(s, sizeof(s), "%s/%s", src, e->d_name);
            snprintf(t, sizeof(t), "%s/%s", dst, e->d_name);
            r = import_tree(s, t);
        }
        closedir(d);
    } else if (S_ISLNK(st.st_mode)) {
        char tgt[4096];
        ssize_t n = readlink(src, tgt, sizeof(tgt) - 1);
        if (n < 0)
            return -EIO;
        tgt[n] = 0;
        r = fs_symlink(tgt, 0, dst);
    } else if (S_ISREG(st.st_mode)) {
        r = put(src, dst, FS_O_TRUNC, 0, 0);
    }
    return r;
}

static int fillup(const char *path)
{
    static char buf[CHUNK];
    struct inode *ip;
    uint64_t off = 0;
    long w;
    int r = fs_open(0, path, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC, 0644, &ip);
    if (r < 0)
        return r;
    memset(buf, 0x5a, sizeof(buf));
    while ((w = fs_write(ip, buf, off, sizeof(buf))) == (long)sizeof(buf))
        off += (uint64_t)w;
    if (w > 0)
        off += (uint64_t)w;
    printf("filled %lu\n", (unsigned long)off);
    fs_iput(ip);
    return w < 0 ? (int)w : -ENOSPC;
}

static int parse_oflags(const char *s)
{
    int f = 0;
    if (strstr(s, "wr")) f |= FS_O_WRONLY;
    if (strstr(s, "rw")) f = (f & ~FS_O_ACCMODE) | FS_O_RDWR;
    if (strstr(s, "creat")) f |= FS_O_CREAT;
    if (strstr(s, "excl")) f |= FS_O_EXCL;
    if (strstr(s, "trunc")) f |= FS_O_TRUNC;
    if (strstr(s, "dir")) f |= FS_O_DIRECTORY;
    if (strstr(s, "nofollow")) f |= FS_O_NOFOLLOW;
    return f;
}

/* open, unlink, then write and read through the still-open inode. */
static int unlinkopen(const char *path)
{
    struct inode *ip;
    char in[] = "still here", out[16];
    long n;
    int r = fs_open(0, path, FS_O_RDWR, 0, &ip);
    if (r < 0)
        return r;
    r = fs_unlink(0, path);
    if (r == 0 && (n = fs_write(ip, in, 0, sizeof(in))) != (long)sizeof(in))
        r = n < 0 ? (int)n : -EIO;
    if (r == 0 && ((n = fs_read(ip, out, 0, sizeof(in))) != (long)sizeof(in) || memcmp(in, out, sizeof(in))))
        r = -EIO;
    fs_iput(ip);
    return r;
}

/* hold directory P, rmdir it, then try to create a file in it (Linux: ENOENT). */
static int rmdirheld(const char *path)
{
    struct inode *dp, *ip;
    int r = fs_namei(0, path, 1, &dp);
    if (r < 0)
        return r;
    r = fs_rmdir(0, path);
    if (r == 0) {
        r = fs_open(dp, "inside", FS_O_WRONLY | FS_O_CREAT, 0644, &ip);
        if (r == 0)
            fs_iput(ip);
    }
    fs_iput(dp);
    return r;
}

#define ARGS(n) do { if (argc != (n) + 1) return -EINVAL; } while (0)

int fstool_op(int argc, char **argv, int nbuf, int rdonly)
{
    const char *op = argv[0];
    struct inode *ip;
    int r;
    if (!strcmp(op, "mkdir")) {
        if (argc != 2 && argc != 3) return -EINVAL;
        return fs_mkdir(0, argv[1], argc == 3 ? (uint32_t)strtoul(argv[2], 0, 8) : 0755);
    }
    if (!strcmp(op, "put")) { ARGS(2); return put(argv[1], argv[2], FS_O_TRUNC, 0, 0); }
    if (!strcmp(op, "append")) { ARGS(2); return put(argv[2], argv[1], 0, 1, 0); }
    if (!strcmp(op, "pwrite")) { ARGS(3); return put(argv[3], argv[1], 0, 0, strtoull(argv[2], 0, 0)); }
    if (!strcmp(op, "writestr")) {
        ARGS(3);
        if ((r = fs_open(0, argv[1], FS_O_WRONLY | FS_O_CREAT, 0644, &ip)) < 0)
            return r;
        long w = fs_write(ip, argv[3], strtoull(argv[2], 0, 0), strlen(argv[3]));
        fs_iput(ip);
        return w < 0 ? (int)w : 0;
    }
    if (!strcmp(op, "writepat")) {          /* PATH OFF LEN SEED: byte i = ((i*131 + SEED*17) ^ (i>>7)) & 255 */
        uint64_t off, len, i, done = 0;
        unsigned seed;
        static unsigned char pat[CHUNK];
        ARGS(4);
        off = strtoull(argv[2], 0, 0);
        len = strtoull(argv[3], 0, 0);
        seed = (unsigned)strtoul(argv[4], 0, 0);
        if ((r = fs_open(0, argv[1], FS_O_WRONLY | FS_O_CREAT, 0644, &ip)) < 0)
            return r;
        while (r == 0 && done < len) {
            uint64_t m = len - done < CHUNK ? len - done : CHUNK;
            long w;
            for (i = 0; i < m; i++)
                pat[i] = (unsigned char)((((done + i) * 131 + seed * 17) ^ ((done + i) >> 7)) & 255);
            w = fs_write(ip, pat, off + done, (size_t)m);
            if (w < 0)
                r = (int)w;
            else if ((uint64_t)w != m)
                r = -ENOSPC;
            else
                done += m;
        }
        fs_iput(ip);
        return r;
    }
    if (!strcmp(op, "readhex")) {           /* PATH OFF LEN: print the bytes read, in hex */
        unsigned char buf[4096];
        long n, i;
        ARGS(3);
        if ((r = fs_open(0, argv[1], FS_O_RDONLY, 0, &ip)) < 0)
            return r;
        n = fs_read(ip, buf, strtoull(argv[2], 0, 0), strtoull(argv[3], 0, 0) < sizeof(buf) ? strtoull(argv[3], 0, 0) : sizeof(buf));
        fs_iput(ip);
        if (n < 0)
            return (int)n;
        for (i = 0; i < n; i++)
            printf("%02x", buf[i]);
        printf("\n");
        return 0;
    }
    if (!strcmp(op, "crash")) {             /* sync, then exit without umount */
        ARGS(0);
        r = fs_sync();
        fflush(stdout);
        _exit(r < 0 ? 1 : 0);
    }
    if (!strcmp(op, "get")) {
        ARGS(2);
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return -EIO;
        r = get(argv[1], fd);
        close(fd);
        return r;
    }
    if (!strcmp(op, "cat")) { ARGS(1); fflush(stdout); return get(argv[1], 1); }
    if (!strcmp(op, "ls")) {
        ARGS(1);
        if ((r = fs_open(0, argv[1], FS_O_RDONLY | FS_O_DIRECTORY, 0, &ip)) < 0)
            return r;
        r = do_ls(ip, print_ent, 0);
        fs_iput(ip);
        return r;
    }
    if (!strcmp(op, "stat")) { ARGS(1); return do_stat(argv[1], 1); }
    if (!strcmp(op, "lstat")) { ARGS(1); return do_stat(argv[1], 0); }
    if (!strcmp(op, "rm")) { ARGS(1); return fs_unlink(0, argv[1]); }
    if (!strcmp(op, "rmdir")) { ARGS(1); return fs_rmdir(0, argv[1]); }
    if (!strcmp(op, "mv")) { ARGS(2); return fs_rename(0, argv[1], 0, argv[2]); }
    if (!strcmp(op, "ln")) { ARGS(2); return fs_link(0, argv[1], 0, argv[2]); }
    if (!strcmp(op, "symlink")) { ARGS(2); return fs_symlink(argv[1], 0, argv[2]); }
    if (!strcmp(op, "readlink")) {
        char buf[4096];
        long n;
        ARGS(1);
        if ((n = fs_readlink(0, argv[1], buf, sizeof(buf))) < 0)
            return (int)n;
        printf("%.*s\n", (int)n, buf);
        return 0;
    }
    if (!strcmp(op, "truncate")) {
        ARGS(2);
        if ((r = fs_open(0, argv[1], FS_O_WRONLY, 0, &ip)) < 0)
            return r;
        r = fs_truncate(ip, strtoull(argv[2], 0, 0));
        fs_iput(ip);
        return r;
    }
    if (!strcmp(op, "open")) {
        ARGS(2);
        if ((r = fs_open(0, argv[1], parse_oflags(argv[2]), 0644, &ip)) < 0)
            return r;
        fs_iput(ip);
        return 0;
    }
    if (!strcmp(op, "statfs")) {
        struct fs_statfs s;
        ARGS(0);
        fs_statfs(&s);
        printf("bsize=%lu blocks=%lu bfree=%lu bavail=%lu files=%lu ffree=%lu namelen=%lu\n",
               (unsigned long)s.bsize, (unsigned long)s.blocks, (unsigned long)s.bfree,
               (unsigned long)s.bavail, (unsigned long)s.files, (unsigned long)s.ffree,
               (unsigned long)s.namelen);
        return 0;
    }
    if (!strcmp(op, "sync")) { ARGS(0); return fs_sync(); }
    if (!strcmp(op, "remount")) {
        ARGS(0);
        if ((r = fs_umount()) < 0)
            return r;
        return fs_mount(0, rdonly ? FS_MNT_RDONLY : 0, nbuf);
    }
    if (!strcmp(op, "cred")) { ARGS(2); fs_setcred((uint32_t)atoi(argv[1]), (uint32_t)atoi(argv[2])); return 0; }
    if (!strcmp(op, "chmod") || !strcmp(op, "chown") || !strcmp(op, "utimes")) {
        if (argc < 3) return -EINVAL;
        if ((r = fs_namei(0, argv[1], 1, &ip)) < 0)
            return r;
        if (!strcmp(op, "chmod"))
            r = fs_chmod(ip, (uint32_t)strtoul(argv[2], 0, 8));
        else if (argc != 4)
            r = -EINVAL;
        else if (!strcmp(op, "chown"))
            r = fs_chown(ip, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]));
        else
            r = fs_utimes(ip, strtoull(argv[2], 0, 0), strtoull(argv[3], 0, 0));
        fs_iput(ip);
        return r;
    }
    if (!strcmp(op, "mknod")) {
        uint32_t t;
        uint64_t maj, min;
        ARGS(4);
        t = argv[2][0] == 'c' ? FS_S_IFCHR : argv[2][0] == 'b' ? FS_S_IFBLK :
            argv[2][0] == 'p' ? FS_S_IFIFO : argv[2][0] == 's' ? FS_S_IFSOCK : 0;
        maj = strtoull(argv[3], 0, 0);
        min = strtoull(argv[4], 0, 0);
        return fs_mknod(0, argv[1], t | 0644, (min & 0xff) | (maj << 8) | ((min & ~0xffull) << 12));
    }
    if (!strcmp(op, "fillup")) { ARGS(1); return fillup(argv[1]); }
    if (!strcmp(op, "export")) { ARGS(2); return export_tree(0, argv[1], argv[2]); }
    if (!strcmp(op, "import")) { ARGS(2); return import_tree(argv[1], argv[2]); }
    if (!strcmp(op, "rmdirheld")) { ARGS(1); return rmdirheld(argv[1]); }
    if (!strcmp(op, "unlinkopen")) { ARGS(1); return unlinkopen(argv[1]); }
    fprintf(stderr, "fstool: unknown operation %s\n", op);
    return -EINVAL;
}
