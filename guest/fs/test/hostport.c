/*
 * hostport.c - fsport.h for the host test harness: libc allocation and
 * printing, and ubd_rw() over pread/pwrite on one image file (unit 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "../fsport.h"
#include "hostport.h"

static int img_fd = -1;
static uint64_t img_sectors;
uint64_t host_reads, host_writes;

void host_set_image(int fd, uint64_t size)
{
    img_fd = fd;
    img_sectors = size / 512;
}

void *kmalloc(size_t n) { return malloc(n); }
void kfree(void *p) { free(p); }

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "panic: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

int ubd_rw(int unit, uint64_t sector, void *buf, uint32_t nsect, int write)
{
    size_t len = (size_t)nsect * 512, done = 0;
    if (unit != 0 || img_fd < 0)
        return -ENODEV;
    if (sector + nsect > img_sectors)
        return -EINVAL;
    while (done < len) {
        ssize_t r = write ? pwrite(img_fd, (char *)buf + done, len - done, (off_t)(sector * 512 + done))
                          : pread(img_fd, (char *)buf + done, len - done, (off_t)(sector * 512 + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return -EIO;
        done += (size_t)r;
    }
    if (write)
        host_writes++;
    else
        host_reads++;
    return 0;
}

uint64_t clock_realtime_sec(void)
{
    const char *t = getenv("FSTOOL_TIME");
    if (t)
        return strtoull(t, 0, 10);
    return (uint64_t)time(0);
}
