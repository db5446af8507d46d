/*
 * fsint.h - declarations shared by the guest/fs sources (not for the kernel:
 * the kernel includes fs.h).  Grouped by the file that defines them, xv6
 * defs.h style.
 */
#ifndef FS_FSINT_H
#define FS_FSINT_H

#include "fsport.h"
#include "ext2fmt.h"
#include "fs.h"

/* Linux errno values (returned negated) */
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EFBIG 27
#define ENOSPC 28
#define EROFS 30
#define EMLINK 31
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOTEMPTY 39
#define ELOOP 40

#define FS_PATH_MAX 4096
#define FS_MAXSYMLINKS 40
#define FS_NINODE 512               /* in-memory inode slots */

struct buf {
    uint32_t blockno;
    int refcnt;
    int valid;                      /* data holds the block */
    int dirty;                      /* data newer than the disk */
    struct buf *hnext;              /* hash chain */
    struct buf *prev, *next;        /* LRU list, head = most recently used */
    uint8_t *data;
};

struct inode {
    uint32_t inum;
    int ref;                        /* references held by callers */
    int valid;                      /* d holds the on-disk inode */
    uint32_t goal;                  /* allocation goal: last block allocated */
    struct ext2_inode d;            /* first 128 bytes of the on-disk inode */
};

struct fsinfo {                     /* the one mounted filesystem */
    int mounted, rdonly, unit;
    uint32_t bsize, spb;            /* block size, 512-byte sectors per block */
    uint32_t per;                   /* block numbers per indirect block */
    uint32_t ngroups, gdblocks;     /* group count, blocks of descriptors */
    uint32_t isize;                 /* on-disk inode size */
    uint32_t sb_block, sb_off;      /* where the primary superblock lives */
    uint16_t mount_state;           /* s_state when mounted (restored at umount) */
    int filetype;                   /* INCOMPAT_FILETYPE set */
    int sb_dirty, gd_dirty;
    uint32_t uid, gid;              /* credentials for new inodes */
    uint64_t maxbytes;              /* largest regular-file size */
    struct ext2_super sb;
    struct ext2_group_desc *gd;
    struct inode *itab;
};
extern struct fsinfo fsi;

/* bio.c */
int  binit(int nbuf, uint32_t bsize);
void bdestroy(void);
struct buf *bread(uint32_t blockno);          /* NULL on I/O error or bad number */
struct buf *bget_zero(uint32_t blockno);      /* zero-filled, marked dirty */
struct buf *bget_over(uint32_t blockno);      /* contents undefined: caller overwrites all */
void bdirty(struct buf *b);
void brelse(struct buf *b);
void binval(uint32_t blockno);                /* forget a freed block */
int  bflush(void);                            /* write all dirty buffers */
int  bio_refs(void);                          /* referenced buffers (leak check) */

/* ext2_super.c */
uint32_t fs_now(void);
int  super_write(void);                       /* copy sb + gd into their buffers */

/* ext2_alloc.c */
int  balloc(uint32_t goal, uint32_t *out);
void bfree_blk(uint32_t b);
int  ialloc(uint32_t dir_ino, int isdir, uint32_t *out);
void ifree_ino(uint32_t ino, int isdir);

/* ext2_inode.c */
struct inode *iget(uint32_t inum, int *err);
int  iupdate(struct inode *ip);
int  bmap(struct inode *ip, uint64_t lbn, int alloc, uint32_t *out, int *fresh);
long readi(struct inode *ip, void *dst, uint64_t off, size_t n);
long writei(struct inode *ip, const void *src, uint64_t off, size_t n);
int  itrunc(struct inode *ip, uint64_t size);
uint64_t isize(struct inode *ip);
void isetsize(struct inode *ip, uint64_t size);
int  ihasblocks(struct inode *ip);            /* i_block is a block map */
int  ialloc_inode(struct inode *dp, uint32_t mode, struct inode **out);
uint32_t iuid(struct inode *ip);
uint32_t igid(struct inode *ip);

/* ext2_dir.c */
int  dirlookup(struct inode *dp, const char *name, int len, uint32_t *ino, uint64_t *off);
int  dirlink(struct inode *dp, const char *name, int len, uint32_t ino, uint32_t mode);
int  dirunlink(struct inode *dp, uint64_t off);
int  dirsetent(struct inode *dp, uint64_t off, uint32_t ino, uint32_t mode);
int  dirisempty(struct inode *dp);
int  dirinit(struct inode *dp, uint32_t parent);
int  ftype_of(uint32_t mode);

/* ext2_namei.c */
int  nameiparent(struct inode *cwd, const char *path, struct inode **dp, char *name, int *trailing);
int  namei_at(struct inode *cwd, const char *path, int follow, struct inode **out);

#endif
