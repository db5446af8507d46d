/* mgmt.c -- management requests from the host's mconsole (IRQ_MGMT ->
 * HC_MGMT_GET, answered with HC_MGMT_REPLY): sysrq, proc, stack, cad, log,
 * version (uml-reference section 6.4 for the replies UML gives). */
#include "types.h"
#include "layout.h"
#include "version.h"
#include "errno.h"
#include "defs.h"

#define CAPTURE_MAX 32768
#define CHUNK 4096

void (*fs_sync_hook)(void);
void (*fs_remount_ro_hook)(void);

static void reply(uint64_t id, const char *text, size_t len, uint64_t flags)
{
    /* non-final chunks first, then the final one carrying the flags */
    while (len > CHUNK) {
        hcall(HC_MGMT_REPLY, id, v2p(text), CHUNK, 0, 0, 0, 0);
        text += CHUNK;
        len -= CHUNK;
    }
    hcall(HC_MGMT_REPLY, id, v2p(text), len, flags | MGMT_F_FINAL, 0, 0, 0);
}

static void reply_str(uint64_t id, const char *s, uint64_t flags)
{
    reply(id, s, strlen(s), flags);
}

static void sysrq_help(void)
{
    kprintf("sysrq: HELP : reboot(b) show-help(h) show-memory-usage(m) poweroff(o) sync(s) "
            "show-task-states(t) unmount(u)\n");
}

void sysrq_meminfo(void)
{
    uint64_t total = kalloc_total_pages(), freep = kalloc_free_pages();
    kprintf("Mem-Info:\n");
    kprintf("%lu pages RAM\n", total);
    kprintf("%lu pages free\n", freep);
    kprintf("%lu pages reserved\n", kalloc_reserved_pages());
    kprintf("%lu kB in kmalloc (%lu blocks)\n", kmalloc_inuse_bytes() / 1024,
            kmalloc_inuse_blocks());
}

/* Run one SysRq key; returns 0, or 'b'/'o' when a power action must follow
 * the reply. */
int sysrq(char key)
{
    switch (key) {
    case 'b':
        return 'b';
    case 'o':
        return 'o';
    case 'h':
        sysrq_help();
        return 0;
    case 'm':
        kprintf("sysrq: Show Memory\n");
        sysrq_meminfo();
        return 0;
    case 's':
        kprintf("sysrq: Emergency Sync\n");
        if (fs_sync_hook)
            fs_sync_hook();
        kprintf("Emergency Sync complete\n");
        return 0;
    case 'u':
        kprintf("sysrq: Emergency Remount R/O\n");
        if (fs_remount_ro_hook)
            fs_remount_ro_hook();
        kprintf("Emergency Remount complete\n");
        return 0;
    case 't':
        kprintf("sysrq: Show State\n");
        proc_dump();
        return 0;
    default:
        sysrq_help();
        return 0;
    }
}

static void power_action(int what)
{
    if (what == 'b') {
        kprintf("sysrq: Resetting\n");
        power(POWER_REBOOT);
    } else if (what == 'o') {
        kprintf("sysrq: Power Off\n");
        power(POWER_OFF);
    }
}

void uname_line(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s %s %s %s %s", UTS_SYSNAME, hostname(), UTS_RELEASE, UTS_VERSION,
             UTS_MACHINE);
}

static void handle(uint64_t id, uint64_t kind, char *arg, size_t arglen)
{
    static char text[CAPTURE_MAX];
    switch (kind) {
    case MGMT_SYSRQ: {
        while (*arg == ' ')
            arg++;
        console_capture_start(text, sizeof(text));
        int after = sysrq(*arg ? *arg : 'h');
        size_t n = console_capture_stop();
        if (after) {
            reply(id, "", 0, 0);
            power_action(after);
        }
        reply(id, text, n, 0);
        return;
    }
    case MGMT_PROC: {
        while (*arg == ' ')
            arg++;
        int n = procfs_read(arg, text, sizeof(text));
        if (n == -EISDIR || n == -EINVAL)
            reply_str(id, "Read of file failed", MGMT_F_ERROR);
        else if (n < 0)
            reply_str(id, "Failed to open file", MGMT_F_ERROR);
        else
            reply(id, text, (size_t)n, 0);
        return;
    }
    case MGMT_STACK: {
        while (*arg == ' ')
            arg++;
        const char *end;
        uint64_t pid = strtou64(arg, &end, 10);
        if (end == arg || (*end && *end != ' ')) {
            reply_str(id, "Please specify a pid", MGMT_F_ERROR);
            return;
        }
        console_capture_start(text, sizeof(text));
        int r = pid ? proc_stack((int)pid) : -ESRCH;
        size_t n = console_capture_stop();
        if (r < 0)
            reply_str(id, "Couldn't find that pid", MGMT_F_ERROR);
        else
            reply(id, text, n, 0);
        return;
    }
    case MGMT_CAD:
        reply(id, "", 0, 0);
        ctrl_alt_del();
        return;
    case MGMT_LOG:
        kprintf("%.*s%s", (int)arglen, arg, arglen && arg[arglen - 1] == '\n' ? "" : "\n");
        reply(id, "", 0, 0);
        return;
    case MGMT_VERSION:
        uname_line(text, sizeof(text));
        reply_str(id, text, 0);
        return;
    default:
        reply_str(id, "Unknown request", MGMT_F_ERROR);
    }
}

void mgmt_intr(void)
{
    static char req[4096];
    for (int i = 0; i < 64; i++) {
        uint64_t id = 0, kind = 0;
        int64_t n = hcall(HC_MGMT_GET, v2p(req), sizeof(req) - 1, 0, 0, 0, &id, &kind);
        if (n < 0 || (n == 0 && kind == 0))
            return;
        if (n > (int64_t)sizeof(req) - 1)
            n = sizeof(req) - 1;
        req[n] = 0;
        handle(id, kind, req, (size_t)n);
    }
}
