/* hcall.c -- the hypercall instruction (docs/machine.md section 2): fill a
 * 64-byte block on the stack and "outl %eax, $HC_PORT" its physical address. */
#include "types.h"
#include "layout.h"
#include "x86.h"
#include "defs.h"

int64_t hcall(uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
              uint64_t a4, uint64_t *r0, uint64_t *r1)
{
    struct hcall h;
    h.op = op;
    h.ret = 0;
    h.a0 = a0;
    h.a1 = a1;
    h.a2 = a2;
    h.a3 = a3;
    h.a4 = a4;
    h.r0 = h.r1 = 0;
    outl(HC_PORT, (uint32_t)v2p(&h));
    if (r0)
        *r0 = h.r0;
    if (r1)
        *r1 = h.r1;
    return h.ret;
}

/* One byte to the host's stderr (early debugging). */
void debug_putc(char c)
{
    outb(DEBUG_PORT, (uint8_t)c);
}

void power(int how)
{
    console_flush();
    hcall(HC_POWER, (uint64_t)how, 0, 0, 0, 0, 0, 0);
    for (;;)
        __asm__ volatile("cli; hlt");
}
