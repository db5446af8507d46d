/*
 * ext2fmt.h - ext2 on-disk format (revision 1), as written by mke2fs -t ext2.
 *
 * All fields are little-endian (the guest is x86-64, so used directly).
 * Byte offsets are given per field; the layouts are checked with
 * _Static_assert at the end.  Reference: e2fsprogs lib/ext2fs/ext2_fs.h and
 * Linux fs/ext2/ext2.h (docs/ext2.md summarises what umlpy supports).
 */
#ifndef FS_EXT2FMT_H
#define FS_EXT2FMT_H

#include "fsport.h"

#define EXT2_SUPER_OFFSET   1024      /* superblock starts at byte 1024 */
#define EXT2_SUPER_MAGIC    0xEF53
#define EXT2_ROOT_INO       2
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_NDIR_BLOCKS    12        /* i_block[0..11] direct */
#define EXT2_IND_BLOCK      12        /* single indirect */
#define EXT2_DIND_BLOCK     13        /* double indirect */
#define EXT2_TIND_BLOCK     14        /* triple indirect */
#define EXT2_N_BLOCKS       15
#define EXT2_NAME_LEN       255
#define EXT2_LINK_MAX       32000
#define EXT2_FAST_SYMLINK_MAX 59      /* targets < 60 bytes live in i_block */

/* s_state */
#define EXT2_VALID_FS       0x0001    /* cleanly unmounted */
#define EXT2_ERROR_FS       0x0002    /* errors detected */

/* feature flags */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC   0x0001
#define EXT2_FEATURE_COMPAT_EXT_ATTR       0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INODE   0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX      0x0020
#define EXT2_FEATURE_INCOMPAT_FILETYPE     0x0002
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE  0x0002
#define EXT2_SUPPORTED_INCOMPAT  EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_SUPPORTED_RO_COMPAT (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | \
                                  EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* i_flags */
#define EXT2_INDEX_FL       0x00001000 /* htree-indexed directory */

/* i_mode file types (same values as Linux S_IF*) */
#define EXT2_S_IFMT   0170000
#define EXT2_S_IFSOCK 0140000
#define EXT2_S_IFLNK  0120000
#define EXT2_S_IFREG  0100000
#define EXT2_S_IFBLK  0060000
#define EXT2_S_IFDIR  0040000
#define EXT2_S_IFCHR  0020000
#define EXT2_S_IFIFO  0010000

/* directory entry file_type (INCOMPAT_FILETYPE) */
#define EXT2_FT_UNKNOWN  0
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR      2
#define EXT2_FT_CHRDEV   3
#define EXT2_FT_BLKDEV   4
#define EXT2_FT_FIFO     5
#define EXT2_FT_SOCK     6
#define EXT2_FT_SYMLINK  7

#define EXT2_XATTR_MAGIC 0xEA020000   /* extended attribute block header */

struct ext2_super {
    uint32_t s_inodes_count;        /*   0 total inodes */
    uint32_t s_blocks_count;        /*   4 total blocks */
    uint32_t s_r_blocks_count;      /*   8 blocks reserved for root */
    uint32_t s_free_blocks_count;   /*  12 free blocks (sum of groups) */
    uint32_t s_free_inodes_count;   /*  16 free inodes (sum of groups) */
    uint32_t s_first_data_block;    /*  20 block holding the superblock: 1 for 1 KiB, else 0 */
    uint32_t s_log_block_size;      /*  24 block size = 1024 << this */
    uint32_t s_log_frag_size;       /*  28 obsolete fragment size */
    uint32_t s_blocks_per_group;    /*  32 */
    uint32_t s_frags_per_group;     /*  36 */
    uint32_t s_inodes_per_group;    /*  40 */
    uint32_t s_mtime;               /*  44 last mount time */
    uint32_t s_wtime;               /*  48 last superblock write time */
    uint16_t s_mnt_count;           /*  52 mounts since last fsck */
    int16_t  s_max_mnt_count;       /*  54 -1 = no mount-count check */
    uint16_t s_magic;               /*  56 0xEF53 */
    uint16_t s_state;               /*  58 EXT2_VALID_FS / EXT2_ERROR_FS */
    uint16_t s_errors;              /*  60 behaviour on error */
    uint16_t s_minor_rev_level;     /*  62 */
    uint32_t s_lastcheck;           /*  64 last fsck time */
    uint32_t s_checkinterval;       /*  68 */
    uint32_t s_creator_os;          /*  72 */
    uint32_t s_rev_level;           /*  76 1 = dynamic (the only one supported) */
    uint16_t s_def_resuid;          /*  80 */
    uint16_t s_def_resgid;          /*  82 */
    uint32_t s_first_ino;           /*  84 first non-reserved inode (11) */
    uint16_t s_inode_size;          /*  88 on-disk inode size: 128 or 256 */
    uint16_t s_block_group_nr;      /*  90 group holding this superblock copy */
    uint32_t s_feature_compat;      /*  92 */
    uint32_t s_feature_incompat;    /*  96 */
    uint32_t s_feature_ro_compat;   /* 100 */
    uint8_t  s_uuid[16];            /* 104 */
    char     s_volume_name[16];     /* 120 */
    char     s_last_mounted[64];    /* 136 */
    uint32_t s_algorithm_usage_bitmap; /* 200 */
    uint8_t  s_prealloc_blocks;     /* 204 */
    uint8_t  s_prealloc_dir_blocks; /* 205 */
    uint16_t s_reserved_gdt_blocks; /* 206 GDT growth blocks (resize_inode) */
    uint8_t  s_rest[1024 - 208];    /* 208 journal, hash seed, ...: preserved untouched */
};

struct ext2_group_desc {            /* 32 bytes each, in the blocks after the superblock */
    uint32_t bg_block_bitmap;       /*  0 block number of the block bitmap */
    uint32_t bg_inode_bitmap;       /*  4 block number of the inode bitmap */
    uint32_t bg_inode_table;        /*  8 first block of the inode table */
    uint16_t bg_free_blocks_count;  /* 12 */
    uint16_t bg_free_inodes_count;  /* 14 */
    uint16_t bg_used_dirs_count;    /* 16 directories in this group */
    uint16_t bg_flags;              /* 18 (uninit flags: ext4 only) */
    uint32_t bg_reserved[2];        /* 20 */
    uint16_t bg_itable_unused;      /* 28 */
    uint16_t bg_checksum;           /* 30 */
};

struct ext2_inode {                 /* first 128 bytes of every on-disk inode */
    uint16_t i_mode;                /*   0 type and permission bits */
    uint16_t i_uid;                 /*   2 low 16 bits of owner */
    uint32_t i_size;                /*   4 size, low 32 bits */
    uint32_t i_atime;               /*   8 */
    uint32_t i_ctime;               /*  12 */
    uint32_t i_mtime;               /*  16 */
    uint32_t i_dtime;               /*  20 deletion time (0 while in use) */
    uint16_t i_gid;                 /*  24 low 16 bits of group */
    uint16_t i_links_count;         /*  26 */
    uint32_t i_blocks;              /*  28 512-byte units allocated (data + indirect + EA) */
    uint32_t i_flags;               /*  32 EXT2_*_FL */
    uint32_t i_osd1;                /*  36 */
    uint32_t i_block[EXT2_N_BLOCKS];/*  40 block map, or fast symlink text, or device number */
    uint32_t i_generation;          /* 100 NFS generation */
    uint32_t i_file_acl;            /* 104 extended attribute block */
    uint32_t i_size_high;           /* 108 size, high 32 bits (regular files, large_file) */
    uint32_t i_faddr;               /* 112 */
    uint8_t  i_frag, i_fsize;       /* 116 */
    uint16_t i_pad1;                /* 118 */
    uint16_t i_uid_high;            /* 120 */
    uint16_t i_gid_high;            /* 122 */
    uint32_t i_reserved2;           /* 124 */
};

struct ext2_dirent {                /* directory entry; records fill each block exactly */
    uint32_t inode;                 /* 0 inode number, 0 = unused record */
    uint16_t rec_len;               /* 4 record length (multiple of 4, never crosses a block) */
    uint8_t  name_len;              /* 6 */
    uint8_t  file_type;             /* 7 EXT2_FT_* (0 without INCOMPAT_FILETYPE) */
    char     name[];                /* 8 not NUL-terminated */
};

#define EXT2_DIR_REC_LEN(nl) (((nl) + 8 + 3) & ~3u)

_Static_assert(sizeof(struct ext2_super) == 1024, "superblock size");
_Static_assert(__builtin_offsetof(struct ext2_super, s_reserved_gdt_blocks) == 206, "sb layout");
_Static_assert(__builtin_offsetof(struct ext2_super, s_feature_compat) == 92, "sb layout");
_Static_assert(sizeof(struct ext2_group_desc) == 32, "group descriptor size");
_Static_assert(sizeof(struct ext2_inode) == 128, "inode size");
_Static_assert(__builtin_offsetof(struct ext2_inode, i_block) == 40, "inode layout");
_Static_assert(__builtin_offsetof(struct ext2_inode, i_uid_high) == 120, "inode layout");
_Static_assert(sizeof(struct ext2_dirent) == 8, "dirent header");

#endif
