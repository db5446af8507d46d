/*
 * fstool - host driver for guest/fs: mounts an ext2 image file through the
 * same code the guest kernel uses and runs scripted operations on it.
 *
 *   fstool [-b NBUF] [-r] IMG OP ARGS...      one operation
 *   fstool [-b NBUF] [-r] IMG -f SCRIPT       one operation per line ('-' = stdin)
 *
 * A line "!ENAME OP ARGS" expects OP to fail with errno ENAME.  Failures
 * print "error: LINE: ENAME" on stderr.  After every operation the tool
 * checks that no inode or buffer reference leaked.  Exit status: 0 all ok,
 * 1 some operation failed (or an expected failure did not happen),
 * 2 usage, mount or umount error.  Operations are listed in docs/ext2.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../fsint.h"
#include "hostport.h"
#include "fstool.h"

static const struct { int e; const char *n; } enames[] = {
    {1, "EPERM"}, {2, "ENOENT"}, {5, "EIO"}, {12, "ENOMEM"}, {16, "EBUSY"}, {17, "EEXIST"},
    {18, "EXDEV"}, {20, "ENOTDIR"}, {21, "EISDIR"}, {22, "EINVAL"}, {23, "ENFILE"},
    {27, "EFBIG"}, {28, "ENOSPC"}, {30, "EROFS"}, {31, "EMLINK"}, {34, "ERANGE"},
    {36, "ENAMETOOLONG"}, {39, "ENOTEMPTY"}, {40, "ELOOP"}, {0, 0}};

const char *ename(int e)
{
    static char buf[32];
    int i;
    if (e < 0)
        e = -e;
    for (i = 0; enames[i].n; i++)
        if (enames[i].e == e)
            return enames[i].n;
    snprintf(buf, sizeof(buf), "E%d", e);
    return buf;
}

static int leak_check(const char *line)
{
    int i, n = 0;
    for (i = 0; i < FS_NINODE; i++)
        n += fsi.itab[i].ref;
    if (n || bio_refs()) {
        fprintf(stderr, "error: %s: leaked %d inode and %d buffer references\n", line, n, bio_refs());
        return -1;
    }
    return 0;
}

static int run_line(char *line, int nbuf, int rdonly)
{
    char copy[4096], *argv[16], *save = 0, *t;
    int argc = 0, r, want = 0, i;
    snprintf(copy, sizeof(copy), "%s", line);
    copy[strcspn(copy, "\r\n")] = 0;
    for (t = strtok_r(line, " \t\r\n", &save); t && argc < 16; t = strtok_r(0, " \t\r\n", &save))
        argv[argc++] = t;
    if (argc == 0 || argv[0][0] == '#')
        return 0;
    if (argv[0][0] == '!') {
        for (i = 0; enames[i].n; i++)
            if (strcmp(argv[0] + 1, enames[i].n) == 0)
                want = enames[i].e;
        if (!want || argc < 2) {
            fprintf(stderr, "error: %s: bad expectation\n", copy);
            return -1;
        }
        memmove(argv, argv + 1, sizeof(argv[0]) * (size_t)--argc);
    }
    r = fstool_op(argc, argv, nbuf, rdonly);
    if (fsi.mounted && leak_check(copy) < 0)
        return -1;
    if (want) {
        if (r == -want)
            return 0;
        fprintf(stderr, "error: %s: expected %s, got %s\n", copy, ename(want), r < 0 ? ename(r) : "success");
        return -1;
    }
    if (r < 0) {
        fprintf(stderr, "error: %s: %s\n", copy, ename(r));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int opt, nbuf = 256, rdonly = 0, fd, r, failed = 0;
    const char *script = 0;
    struct stat st;
    while ((opt = getopt(argc, argv, "+b:r")) != -1) {
        if (opt == 'b')
            nbuf = atoi(optarg);
        else if (opt == 'r')
            rdonly = 1;
        else
            return 2;
    }
    if (argc - optind < 2) {
        fprintf(stderr, "usage: fstool [-b NBUF] [-r] IMG (-f SCRIPT | OP ARGS...)\n");
        return 2;
    }
    fd = open(argv[optind], rdonly ? O_RDONLY : O_RDWR);
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "fstool: %s: %s\n", argv[optind], strerror(errno));
        return 2;
    }
    host_set_image(fd, (uint64_t)st.st_size);
    r = fs_mount(0, rdonly ? FS_MNT_RDONLY : 0, nbuf);
    if (r < 0) {
        fprintf(stderr, "fstool: mount failed: %s\n", ename(r));
        return 2;
    }
    if (strcmp(argv[optind + 1], "-f") == 0) {
        FILE *f;
        char line[4096];
        if (optind + 2 >= argc) {
            fprintf(stderr, "usage: fstool IMG -f SCRIPT\n");
            return 2;
        }
        script = argv[optind + 2];
        f = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");
        if (!f) {
            fprintf(stderr, "fstool: %s: %s\n", script, strerror(errno));
            return 2;
        }
        while (fgets(line, sizeof(line), f))
            if (run_line(line, nbuf, rdonly) < 0)
                failed = 1;
        if (f != stdin)
            fclose(f);
    } else {
        char line[4096] = "";
        for (int i = optind + 1; i < argc; i++) {
            strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
            strcat(line, " ");
        }
        if (run_line(line, nbuf, rdonly) < 0)
            failed = 1;
    }
    fflush(stdout);
    if (fsi.mounted) {
        r = fs_umount();
        if (r < 0) {
            fprintf(stderr, "fstool: umount failed: %s\n", ename(r));
            return 2;
        }
    }
    close(fd);
    return failed;
}
