/* console.c -- kernel console: kprintf/panic through HC_CONSOLE_WRITE, buffered
 * per line; console input (IRQ_CONSOLE -> HC_CONSOLE_READ) into a ring buffer;
 * capture of console output for mconsole sysrq/stack replies. */
#include "types.h"
#include "layout.h"
#include "x86.h"
#include "defs.h"

static char linebuf[512];
static size_t linelen;

static char *capbuf;
static size_t capcap, caplen;

#define INBUF 4096
static char inbuf[INBUF];
static uint32_t in_r, in_w;
static int in_eof;

/* Write bytes (physically contiguous kernel memory) straight to con0. */
static void console_write_raw(const char *s, size_t n)
{
    while (n) {
        int64_t r = hcall(HC_CONSOLE_WRITE, 0, v2p(s), n, 0, 0, 0, 0);
        if (r <= 0)
            return;
        s += r;
        n -= (size_t)r;
    }
}

void console_flush(void)
{
    uint64_t f = intr_save();
    if (linelen)
        console_write_raw(linebuf, linelen);
    linelen = 0;
    intr_restore(f);
}

/* Output from the tty layer: flushes pending kernel text first, then writes
 * through a bounce buffer (the source may be any kernel address). */
void console_write(const char *s, size_t n)
{
    uint64_t f = intr_save();
    if (linelen)
        console_write_raw(linebuf, linelen);
    linelen = 0;
    while (n) {
        size_t c = MIN(n, sizeof(linebuf));
        memcpy(linebuf, s, c);
        console_write_raw(linebuf, c);
        s += c;
        n -= c;
    }
    intr_restore(f);
}

static void kputs_locked(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        linebuf[linelen++] = s[i];
        if (s[i] == '\n' || linelen == sizeof(linebuf)) {
            console_write_raw(linebuf, linelen);
            linelen = 0;
        }
    }
    if (capbuf) {
        size_t c = MIN(n, capcap - caplen);
        memcpy(capbuf + caplen, s, c);
        caplen += c;
    }
}

void vkprintf(const char *fmt, va_list ap)
{
    char tmp[1024];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    if (n > (int)sizeof(tmp) - 1)
        n = sizeof(tmp) - 1;
    uint64_t f = intr_save();
    kputs_locked(tmp, (size_t)n);
    intr_restore(f);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
}

/* Append a copy of all kernel console output to buf until capture_stop(). */
void console_capture_start(char *buf, size_t cap)
{
    uint64_t f = intr_save();
    capbuf = buf;
    capcap = cap;
    caplen = 0;
    intr_restore(f);
}

size_t console_capture_stop(void)
{
    uint64_t f = intr_save();
    size_t n = caplen;
    capbuf = 0;
    intr_restore(f);
    return n;
}

static void backtrace(uint64_t rbp)
{
    kprintf("Call Trace:\n");
    for (int i = 0; i < 16 && rbp >= DIRECTMAP_BASE && (rbp & 7) == 0; i++) {
        if (v2p((void *)rbp) == (uint64_t)-1 || v2p((void *)(rbp + 8)) == (uint64_t)-1)
            break;
        uint64_t *fp = (uint64_t *)rbp;
        if (fp[1] < KERNEL_VBASE)
            break;
        kprintf(" [<%016lx>]\n", fp[1]);
        rbp = fp[0];
        if (!rbp)
            break;
    }
}

void panic(const char *fmt, ...)
{
    static char msg[512];
    static int panicking;
    cli();
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!panicking) {
        panicking = 1;
        kprintf("Kernel panic - not syncing: %s\n", msg);
        backtrace((uint64_t)__builtin_frame_address(0));
    }
    console_flush();
    hcall(HC_PANIC, v2p(msg), strlen(msg), 0, 0, 0, 0, 0);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* IRQ_CONSOLE: drain host input into the ring; hand it to the tty layer. */
void console_intr(void)
{
    static char tmp[256];
    for (;;) {
        uint64_t eof = 0;
        int64_t n = hcall(HC_CONSOLE_READ, 0, v2p(tmp), sizeof(tmp), 0, 0, &eof, 0);
        if (eof)
            in_eof = 1;
        if (n <= 0)
            break;
        for (int64_t i = 0; i < n; i++)
            tty_input(tmp[i]);
    }
    if (in_eof)
        tty_input_eof();
}

/* Raw byte queue used by the tty layer. */
int console_queue_put(char c)
{
    if (in_w - in_r >= INBUF)
        return -1;
    inbuf[in_w++ % INBUF] = c;
    return 0;
}

int console_queue_get(void)
{
    if (in_r == in_w)
        return -1;
    return (unsigned char)inbuf[in_r++ % INBUF];
}

int console_input_eof(void)
{
    return in_eof;
}
