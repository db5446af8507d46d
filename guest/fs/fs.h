/*
 * fs.h - the filesystem API the guest kernel's syscall layer calls.
 *
 * One ext2 filesystem (revision 1, 1/2/4 KiB blocks) mounted from a ubd unit
 * as the root.  Modelled on xv6 fs.c/file.c: in-memory inodes are
 * reference-counted (fs_idup/fs_iput); unlink frees an inode once its link
 * count is 0 and the last reference is dropped.  Paths are resolved relative
 * to a caller-supplied cwd inode (NULL = root); absolute paths start at the
 * root.  Every function returning int/long returns >= 0 on success or
 * -errno (Linux values).  No function sleeps or takes locks: callers must not
 * re-enter the fs (the kernel is single-CPU and non-preemptive).
 * Only <stdint.h>/<stddef.h> are included, so the kernel's own prototypes
 * never clash with fsport.h.  See docs/ext2.md for the full contract.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include <stdint.h>
#include <stddef.h>

struct inode;                       /* opaque in-memory inode */

/* open flags (Linux x86-64 values) */
#define FS_O_ACCMODE   00000003
#define FS_O_RDONLY    00000000
#define FS_O_WRONLY    00000001
#define FS_O_RDWR      00000002
#define FS_O_CREAT     00000100
#define FS_O_EXCL      00000200
#define FS_O_TRUNC     00001000
#define FS_O_APPEND    00002000     /* recorded only: the caller passes off = fs_size() */
#define FS_O_DIRECTORY 00200000
#define FS_O_NOFOLLOW  00400000

/* fs_mount flags */
#define FS_MNT_RDONLY  1

/* mode type bits (Linux S_IF*) */
#define FS_S_IFMT   0170000
#define FS_S_IFSOCK 0140000
#define FS_S_IFLNK  0120000
#define FS_S_IFREG  0100000
#define FS_S_IFBLK  0060000
#define FS_S_IFDIR  0040000
#define FS_S_IFCHR  0020000
#define FS_S_IFIFO  0010000

/* d_type values in fs_getdents64 records (Linux DT_*) */
#define FS_DT_UNKNOWN 0
#define FS_DT_FIFO    1
#define FS_DT_CHR     2
#define FS_DT_DIR     4
#define FS_DT_BLK     6
#define FS_DT_REG     8
#define FS_DT_LNK     10
#define FS_DT_SOCK    12

struct fs_stat {                    /* fields of Linux struct stat */
    uint64_t ino;
    uint32_t mode;                  /* type | permission bits */
    uint32_t nlink;
    uint32_t uid, gid;
    uint64_t rdev;                  /* Linux encoding (major << 8 | minor, huge form) */
    uint64_t size;
    uint64_t blocks;                /* 512-byte units */
    uint32_t blksize;               /* fs block size */
    uint64_t atime, mtime, ctime;   /* seconds since the epoch */
};

struct fs_statfs {                  /* fields of Linux struct statfs */
    uint64_t type;                  /* 0xEF53 */
    uint64_t bsize, frsize;
    uint64_t blocks, bfree, bavail; /* in bsize units; blocks excludes metadata ("bsddf") */
    uint64_t files, ffree;
    uint64_t fsid;
    uint64_t namelen;               /* 255 */
    uint64_t flags;                 /* 1 = ST_RDONLY */
};

struct linux_dirent64_hdr {         /* getdents64 record header; name follows, NUL-terminated */
    uint64_t d_ino;
    int64_t  d_off;                 /* position of the next record */
    uint16_t d_reclen;              /* multiple of 8 */
    uint8_t  d_type;
} __attribute__((packed));

/* --- mount --- */
int  fs_mount(int unit, int flags, int nbuf);  /* nbuf: buffer-cache blocks (0 = 256) */
int  fs_sync(void);                 /* write all dirty buffers and the superblock */
int  fs_umount(void);               /* sync, mark clean, free the cache; -EBUSY if inodes referenced */
int  fs_readonly(void);             /* 1 if mounted read-only */
void fs_setcred(uint32_t uid, uint32_t gid); /* owner of files created from now on */
int  fs_statfs(struct fs_statfs *st);

/* --- inodes and paths --- */
struct inode *fs_root(void);        /* referenced root directory */
struct inode *fs_idup(struct inode *ip);
void fs_iput(struct inode *ip);     /* drop a reference (frees an unlinked inode at 0) */
/* resolve path; follow = follow a final symlink.  *out referenced on success. */
int  fs_namei(struct inode *cwd, const char *path, int follow, struct inode **out);
/* open(2) semantics minus permissions: O_CREAT/O_EXCL/O_TRUNC/O_DIRECTORY/O_NOFOLLOW */
int  fs_open(struct inode *cwd, const char *path, int oflags, uint32_t mode, struct inode **out);
uint64_t fs_ino(struct inode *ip);
uint32_t fs_mode(struct inode *ip);
uint64_t fs_size(struct inode *ip);
int  fs_stat(struct inode *ip, struct fs_stat *st);

/* --- data --- */
long fs_read(struct inode *ip, void *buf, uint64_t off, size_t n);   /* holes read as 0 */
long fs_write(struct inode *ip, const void *buf, uint64_t off, size_t n);
int  fs_truncate(struct inode *ip, uint64_t size);
/* fill buf with linux_dirent64 records from byte position *pos; returns bytes, 0 at end */
long fs_getdents64(struct inode *dir, uint64_t *pos, void *buf, size_t n);

/* --- metadata --- */
int  fs_chmod(struct inode *ip, uint32_t mode);
int  fs_chown(struct inode *ip, uint32_t uid, uint32_t gid);         /* (uint32_t)-1 = keep */
int  fs_utimes(struct inode *ip, uint64_t atime, uint64_t mtime);

/* --- namespace (path relative to cwd, NULL = root) --- */
int  fs_mkdir(struct inode *cwd, const char *path, uint32_t mode);
int  fs_mknod(struct inode *cwd, const char *path, uint32_t mode, uint64_t rdev);
int  fs_unlink(struct inode *cwd, const char *path);
int  fs_rmdir(struct inode *cwd, const char *path);
int  fs_link(struct inode *oldcwd, const char *oldpath, struct inode *newcwd, const char *newpath);
int  fs_symlink(const char *target, struct inode *cwd, const char *path);
long fs_readlink(struct inode *cwd, const char *path, char *buf, size_t n); /* no NUL added */
int  fs_rename(struct inode *oldcwd, const char *oldpath, struct inode *newcwd, const char *newpath);

#endif
