/* ubd.c -- the ubd block driver: units 0..15 (ubda..ubdp) probed with
 * HC_UBD_INFO, I/O with HC_UBD_IO straight between the device and guest RAM.
 * Buffers that are not physically contiguous (anything outside the direct map
 * and the kernel image) are bounced through a contiguous buffer. */
#include "types.h"
#include "layout.h"
#include "mmu.h"
#include "errno.h"
#include "x86.h"
#include "defs.h"

struct ubd {
    int present;
    int ro;
    uint64_t size; /* bytes */
};

static struct ubd ubds[UBD_MAX];

#define MAX_REQ_SECT 2048 /* 1 MiB per hypercall */
#define BOUNCE_PAGES 16
static char *bounce; /* BOUNCE_PAGES contiguous pages */

static int probe(int unit, struct ubd *u)
{
    uint64_t size, flags;
    int64_t r = hcall(HC_UBD_INFO, (uint64_t)unit, 0, 0, 0, 0, &size, &flags);
    u->present = r == 0 && (flags & UBD_F_PRESENT);
    u->ro = u->present && (flags & UBD_F_RO) != 0;
    u->size = u->present ? size : 0;
    return u->present;
}

void format_size(char *buf, size_t cap, uint64_t bytes)
{
    if (bytes && bytes % (1024 * 1024) == 0)
        snprintf(buf, cap, "%lu MiB", bytes >> 20);
    else if (bytes && bytes % 1024 == 0)
        snprintf(buf, cap, "%lu KiB", bytes >> 10);
    else
        snprintf(buf, cap, "%lu bytes", bytes);
}

static void announce(int unit)
{
    char sz[32];
    format_size(sz, sizeof(sz), ubds[unit].size);
    kprintf("ubd%c: %s (%lu sectors)%s\n", 'a' + unit, sz, ubds[unit].size / UBD_SECTOR,
            ubds[unit].ro ? ", read-only" : "");
}

void ubdinit(void)
{
    bounce = kalloc_pages(BOUNCE_PAGES);
    if (!bounce)
        panic("ubd: no memory for the bounce buffer");
    for (int u = 0; u < UBD_MAX; u++)
        if (probe(u, &ubds[u]))
            announce(u);
}

/* IRQ_UBD: a device was added or removed (mconsole config/remove). */
void ubd_intr(void)
{
    for (int u = 0; u < UBD_MAX; u++) {
        struct ubd old = ubds[u];
        probe(u, &ubds[u]);
        if (ubds[u].present && (!old.present || old.size != ubds[u].size || old.ro != ubds[u].ro))
            announce(u);
        else if (!ubds[u].present && old.present)
            kprintf("ubd%c: removed\n", 'a' + u);
    }
}

int ubd_present(int unit)
{
    return unit >= 0 && unit < UBD_MAX && ubds[unit].present;
}

uint64_t ubd_size(int unit)
{
    return ubd_present(unit) ? ubds[unit].size : 0;
}

int ubd_readonly(int unit)
{
    return ubd_present(unit) && ubds[unit].ro;
}

/* "ubdb", "/dev/ubdb" -> 1; -1 if not a ubd name. */
int ubd_unit_from_name(const char *name)
{
    if (strncmp(name, "/dev/", 5) == 0)
        name += 5;
    if (strncmp(name, "ubd", 3) == 0 && name[3] >= 'a' && name[3] < 'a' + UBD_MAX &&
        name[4] == 0)
        return name[3] - 'a';
    if (strncmp(name, "ubd", 3) == 0 && name[3] >= '0' && name[3] <= '9') {
        const char *end;
        uint64_t n = strtou64(name + 3, &end, 10);
        if (*end == 0 && n < UBD_MAX)
            return (int)n;
    }
    return -1;
}

static int contiguous_kernel(const void *buf, uint64_t len)
{
    uint64_t va = (uint64_t)buf;
    if (va >= KERNEL_VBASE)
        return 1;
    return va >= DIRECTMAP_BASE && va + len <= DIRECTMAP_BASE + mem_size() && va + len >= va;
}

static int64_t io(int unit, int op, uint64_t sector, uint64_t nsect, uint64_t pa)
{
    return hcall(HC_UBD_IO, (uint64_t)unit, (uint64_t)op, sector, nsect, pa, 0, 0);
}

int ubd_rw(int unit, uint64_t sector, void *buf, uint32_t nsect, int write)
{
    if (unit < 0 || unit >= UBD_MAX || !ubds[unit].present)
        return -ENODEV;
    int op = write ? UBD_OP_WRITE : UBD_OP_READ;
    char *p = buf;
    if (contiguous_kernel(buf, (uint64_t)nsect * UBD_SECTOR)) {
        while (nsect) {
            uint32_t n = MIN(nsect, MAX_REQ_SECT);
            int64_t r = io(unit, op, sector, n, v2p(p));
            if (r < 0)
                return (int)r;
            sector += n;
            nsect -= n;
            p += (uint64_t)n * UBD_SECTOR;
        }
        return 0;
    }
    while (nsect) {
        uint32_t n = MIN(nsect, BOUNCE_PAGES * PGSIZE / UBD_SECTOR);
        size_t len = (size_t)n * UBD_SECTOR;
        uint64_t f = intr_save(); /* the bounce buffer is shared */
        if (write)
            memcpy(bounce, p, len);
        int64_t r = io(unit, op, sector, n, v2p(bounce));
        if (r == 0 && !write)
            memcpy(p, bounce, len);
        intr_restore(f);
        if (r < 0)
            return (int)r;
        sector += n;
        nsect -= n;
        p += len;
    }
    return 0;
}

int ubd_flush(int unit)
{
    if (!ubd_present(unit))
        return -ENODEV;
    return (int)io(unit, UBD_OP_FLUSH, 0, 0, 0);
}

int ubd_discard(int unit, uint64_t sector, uint64_t nsect, int zeroes)
{
    if (!ubd_present(unit))
        return -ENODEV;
    return (int)io(unit, zeroes ? UBD_OP_WRITE_ZEROES : UBD_OP_DISCARD, sector, nsect, 0);
}

int ubd_open(int unit)
{
    return (int)hcall(HC_UBD_OPEN, (uint64_t)unit, 0, 0, 0, 0, 0, 0);
}

int ubd_close(int unit)
{
    return (int)hcall(HC_UBD_CLOSE, (uint64_t)unit, 0, 0, 0, 0, 0, 0);
}
