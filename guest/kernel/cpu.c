/* cpu.c -- the GDT (docs/machine.md section 3 layout), the 64-bit TSS (RSP0,
 * IST1 for double faults) and the SYSCALL MSRs. */
#include "types.h"
#include "layout.h"
#include "x86.h"
#include "mmu.h"
#include "defs.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp0;          /* stack for entries from ring 3 */
    uint64_t rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];        /* ist[0] = IST1: double fault stack */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;    /* past the limit: no I/O bitmap */
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS");

static uint64_t gdt[8] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static char df_stack[8192] __attribute__((aligned(16)));

/* Used by syscall_entry (trapasm.S). */
uint64_t cpu_kstack_top;
uint64_t cpu_user_rsp;

struct dtr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

void seginit(void)
{
    gdt[0] = 0;
    gdt[GDT_KERNEL_CS >> 3] = 0x00af9a000000ffffULL; /* code64, DPL0 */
    gdt[GDT_KERNEL_DS >> 3] = 0x00cf92000000ffffULL; /* data, DPL0 */
    gdt[GDT_USER_CS32 >> 3] = 0x00cffa000000ffffULL; /* code32, DPL3 */
    gdt[GDT_USER_DS >> 3] = 0x00cff2000000ffffULL;   /* data, DPL3 */
    gdt[GDT_USER_CS >> 3] = 0x00affa000000ffffULL;   /* code64, DPL3 */
    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    gdt[GDT_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                        (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[(GDT_TSS >> 3) + 1] = base >> 32;

    tss.iomap_base = sizeof(tss);
    tss.ist[0] = (uint64_t)(df_stack + sizeof(df_stack));
    tss.rsp0 = (uint64_t)boot_stack_top;
    cpu_kstack_top = tss.rsp0;

    struct dtr d = {sizeof(gdt) - 1, (uint64_t)gdt};
    __asm__ volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "movl %2, %%eax\n"
        "movl %%eax, %%ds\n"
        "movl %%eax, %%es\n"
        "movl %%eax, %%ss\n"
        "xorl %%eax, %%eax\n"
        "movl %%eax, %%fs\n"
        "movl %%eax, %%gs\n"
        "movw %3, %%ax\n"
        "ltr %%ax\n"
        :
        : "m"(d), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS), "i"(GDT_TSS)
        : "rax", "memory");

    /* SYSCALL: CS = STAR[47:32], SYSRET: CS = STAR[63:48] + 16, SS = +8. */
    wrmsr(MSR_STAR, ((uint64_t)GDT_USER_CS32 << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_FMASK, FL_IF | FL_TF | FL_DF | FL_AC);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE */
}

/* Stack used for the next entry from ring 3 (interrupts and syscall). */
void set_kernel_stack(uint64_t top)
{
    tss.rsp0 = top;
    cpu_kstack_top = top;
}

uint64_t get_kernel_stack(void)
{
    return tss.rsp0;
}
