/* trap.c -- the IDT and trap dispatch.  The host delivers exceptions and
 * external interrupts through these gates (docs/machine.md section 3). */
#include "types.h"
#include "layout.h"
#include "x86.h"
#include "mmu.h"
#include "trap.h"
#include "defs.h"

struct gate {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;   /* P | DPL | 0xE (interrupt gate) */
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t reserved;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));

/* First look at every trap (used by the self-tests); returns 1 when handled. */
int (*trap_hook)(struct trapframe *tf);

static const char *const trapnames[] = {
    "divide error", "debug", "NMI", "int3", "overflow", "bounds", "invalid opcode",
    "device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
    "segment not present", "stack segment", "general protection", "page fault", "reserved",
    "x87 FPU error", "alignment check", "machine check", "SIMD exception",
};

const char *trapname(uint64_t v)
{
    if (v < ARRAY_SIZE(trapnames))
        return trapnames[v];
    if (v == T_SYSCALL)
        return "syscall";
    if (v >= 32)
        return "interrupt";
    return "reserved";
}

static void setgate(int n, uint64_t fn, int dpl, int ist)
{
    idt[n].off_lo = fn & 0xffff;
    idt[n].sel = GDT_KERNEL_CS;
    idt[n].ist = (uint8_t)ist;
    idt[n].type = (uint8_t)(0x8e | (dpl << 5));
    idt[n].off_mid = (fn >> 16) & 0xffff;
    idt[n].off_hi = (uint32_t)(fn >> 32);
    idt[n].reserved = 0;
}

void idtinit(void)
{
    for (int i = 0; i < 256; i++)
        setgate(i, (uint64_t)vectors + 16 * i, 0, 0);
    setgate(T_BP, (uint64_t)vectors + 16 * T_BP, 3, 0);
    setgate(T_DF, (uint64_t)vectors + 16 * T_DF, 0, 1);
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) d = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(d));
}

void dump_trapframe(struct trapframe *tf)
{
    kprintf("RIP: %04lx:%016lx RFLAGS: %08lx\n", tf->cs, tf->rip, tf->rflags);
    kprintf("RSP: %04lx:%016lx ERR: %lx CR2: %016lx\n", tf->ss, tf->rsp, tf->err, rcr2());
    kprintf("RAX: %016lx RBX: %016lx RCX: %016lx\n", tf->rax, tf->rbx, tf->rcx);
    kprintf("RDX: %016lx RSI: %016lx RDI: %016lx\n", tf->rdx, tf->rsi, tf->rdi);
    kprintf("RBP: %016lx R8:  %016lx R9:  %016lx\n", tf->rbp, tf->r8, tf->r9);
    kprintf("R10: %016lx R11: %016lx R12: %016lx\n", tf->r10, tf->r11, tf->r12);
    kprintf("R13: %016lx R14: %016lx R15: %016lx\n", tf->r13, tf->r14, tf->r15);
}

void trap(struct trapframe *tf)
{
    if (trap_hook && trap_hook(tf))
        return;

    switch (tf->trapno) {
    case IRQ_TIMER:
        clock_intr();
        if ((tf->cs & 3) == 3)
            proc_preempt(tf);
        else
            proc_kernel_tick();
        return;
    case IRQ_CONSOLE:
        console_intr();
        return;
    case IRQ_MGMT:
        mgmt_intr();
        return;
    case IRQ_UBD:
        ubd_intr();
        return;
    case T_SYSCALL:
        syscall(tf);
        return;
    case T_PF:
        if (vm_fault(tf, rcr2()) == 0)
            return;
        break;
    default:
        break;
    }

    if ((tf->cs & 3) == 3 && tf->trapno < 32) {
        proc_user_fault(tf);
        return;
    }
    if (tf->trapno >= 32 && tf->trapno < 48)
        return; /* spurious external interrupt: ignore */
    dump_trapframe(tf);
    panic("unexpected trap %lu (%s) err %lx rip %lx cr2 %lx", tf->trapno,
          trapname(tf->trapno), tf->err, tf->rip, rcr2());
}
