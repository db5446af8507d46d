/* procfs.c -- text of the kernel's /proc files, shared by mconsole "proc"
 * and (later) the guest's /proc. */
#include "types.h"
#include "version.h"
#include "errno.h"
#include "defs.h"

static int f_version(char *b, size_t cap)
{
    return snprintf(b, cap, "%s version %s (umlpy kernel %s) %s\n", UTS_SYSNAME, UTS_RELEASE,
                    UMLPY_KERNEL_VERSION, UTS_VERSION);
}

static int f_meminfo(char *b, size_t cap)
{
    uint64_t total = kalloc_total_pages() * 4, freek = kalloc_free_pages() * 4;
    return snprintf(b, cap,
                    "MemTotal:       %8lu kB\n"
                    "MemFree:        %8lu kB\n"
                    "MemAvailable:   %8lu kB\n"
                    "Buffers:        %8lu kB\n"
                    "Cached:         %8lu kB\n"
                    "SwapTotal:      %8lu kB\n"
                    "SwapFree:       %8lu kB\n",
                    total, freek, freek, 0UL, 0UL, 0UL, 0UL);
}

static int f_cmdline(char *b, size_t cap)
{
    return snprintf(b, cap, "%s\n", cmdline());
}

static int f_uptime(char *b, size_t cap)
{
    uint64_t ns = clock_monotonic_ns();
    uint64_t idle = idle_ns();
    return snprintf(b, cap, "%lu.%02lu %lu.%02lu\n", ns / 1000000000, (ns / 10000000) % 100,
                    idle / 1000000000, (idle / 10000000) % 100);
}

static int f_loadavg(char *b, size_t cap)
{
    return snprintf(b, cap, "0.00 0.00 0.00 1/%d %d\n", proc_count(), proc_last_pid());
}

struct procfile {
    const char *name;
    int (*fn)(char *, size_t);
};

static const struct procfile files[] = {
    {"version", f_version}, {"meminfo", f_meminfo}, {"cmdline", f_cmdline},
    {"uptime", f_uptime},   {"loadavg", f_loadavg},
};

/* Fill buf with /proc/<path>; returns the length or -ENOENT/-EISDIR. */
int procfs_read(const char *path, char *buf, size_t cap)
{
    while (*path == '/')
        path++;
    if (*path == 0)
        return -EISDIR;
    for (size_t i = 0; i < ARRAY_SIZE(files); i++)
        if (strcmp(path, files[i].name) == 0) {
            int n = files[i].fn(buf, cap);
            return n < (int)cap ? n : (int)cap - 1;
        }
    return procfs_read_extra(path, buf, cap);
}

/* Names for directory listings. */
const char *procfs_name(int i)
{
    return i >= 0 && i < (int)ARRAY_SIZE(files) ? files[i].name : 0;
}
