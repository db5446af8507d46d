/* main.c -- kmain: boot sequence and boot log (docs/guest.md "Boot log"),
 * the kernel command line. */
#include "types.h"
#include "layout.h"
#include "mmu.h"
#include "x86.h"
#include "version.h"
#include "defs.h"

extern char __text_start[], __etext[], __erodata[], __end[];

static char cmdline_buf[CMDLINE_MAX + 1];
static uint64_t idle_total_ns;
static char nodename[65] = UTS_NODENAME_DEFAULT;

const char *cmdline(void)
{
    return cmdline_buf;
}

const char *hostname(void)
{
    return nodename;
}

void set_hostname(const char *name, size_t len)
{
    if (len > sizeof(nodename) - 1)
        len = sizeof(nodename) - 1;
    memcpy(nodename, name, len);
    nodename[len] = 0;
}

/* Look up "key" or "key=value" among the command-line words.  Returns 1 and
 * copies the value ("" for a bare key) when present; the last one wins. */
int cmdline_param(const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key);
    int found = 0;
    const char *p = cmdline_buf;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t wlen = (size_t)(p - w);
        if (wlen >= klen && strncmp(w, key, klen) == 0 && (wlen == klen || w[klen] == '=')) {
            found = 1;
            if (out && cap) {
                size_t vlen = wlen == klen ? 0 : wlen - klen - 1;
                if (vlen > cap - 1)
                    vlen = cap - 1;
                memcpy(out, w + klen + (wlen == klen ? 0 : 1), vlen);
                out[vlen] = 0;
            }
        }
    }
    return found;
}

/* Wait for an interrupt with interrupts enabled; accounts idle time. */
void idle_wait(void)
{
    uint64_t t0 = clock_monotonic_ns();
    sti_hlt();
    idle_total_ns += clock_monotonic_ns() - t0;
}

uint64_t idle_ns(void)
{
    return idle_total_ns;
}

void ctrl_alt_del(void)
{
    if (proc_cad_to_init())
        return;
    kprintf("reboot: Restarting system\n");
    power(POWER_REBOOT);
}

void kmain(uint64_t bootinfo_pa)
{
    struct bootinfo *bi = P2V(bootinfo_pa);
    if (bi->magic != BOOTINFO_MAGIC) {
        static const char msg[] = "bad bootinfo magic";
        hcall(HC_PANIC, v2p(msg), sizeof(msg) - 1, 0, 0, 0, 0, 0);
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    uint32_t clen = MIN(bi->cmdline_len, CMDLINE_MAX);
    memcpy(cmdline_buf, P2V(bi->cmdline_pa), clen);
    cmdline_buf[clen] = 0;
    cmdline_buf[strnlen(cmdline_buf, clen)] = 0;

    seginit();
    idtinit();
    uint64_t kend = V2P_KERNEL(__end);
    if (bi->kernel_end_pa > kend)
        kend = bi->kernel_end_pa;
    kinit(kend, bi->mem_size);
    kvminit(bi->mem_size);

    kprintf("%s version %s (umlpy kernel %s) %s\n", UTS_SYSNAME, UTS_RELEASE,
            UMLPY_KERNEL_VERSION, UTS_VERSION);
    kprintf("Command line: %s\n", cmdline_buf);
    char sz[32];
    format_size(sz, sizeof(sz), bi->mem_size);
    uint64_t text = (uint64_t)(__etext - __text_start), ro = (uint64_t)(__erodata - __etext),
             rw = (uint64_t)(__end - __erodata);
    kprintf("Memory: %s RAM, %luK available (%luK kernel code, %luK rodata, %luK rwdata)\n", sz,
            kalloc_free_pages() * 4, text / 1024, ro / 1024, rw / 1024);
    clockinit(bi->hz);
    kprintf("clock: %u Hz timer\n", clock_hz());
    ubdinit();
    procinit();
    sti();
    kprintf("umlpy: kernel ready\n");

    char sel[256];
    if (cmdline_param("selftest", sel, sizeof(sel))) {
        selftest_run(sel);
        power(POWER_OFF);
    }
    start_init();
    scheduler();
}
