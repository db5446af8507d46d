/*
 * fsport.h - the only interface guest/fs uses from its environment.
 *
 * Kernel build (no FS_HOSTTEST): declares the functions the guest kernel
 * provides (H3b's promise, brief H6).  Host test build (-DFS_HOSTTEST): the
 * same names, implemented over libc and pread/pwrite on an image file by
 * guest/fs/test/hostport.c.  Nothing here allocates locks: the kernel is
 * single-CPU and non-preemptive in kernel mode and disk I/O is synchronous.
 */
#ifndef FS_FSPORT_H
#define FS_FSPORT_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#ifdef FS_HOSTTEST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *dst, const char *src, size_t n);
#endif

void *kmalloc(size_t n);
void kfree(void *p);
void kprintf(const char *fmt, ...);
void panic(const char *fmt, ...) __attribute__((noreturn));
/* 512-byte sectors; returns 0 or -errno. */
int ubd_rw(int unit, uint64_t sector, void *buf, uint32_t nsect, int write);
uint64_t clock_realtime_sec(void);

#endif
