/*
 * layout.h -- the single memory map and the host<->guest ABI of the umlpy
 * machine (docs/machine.md).  Every constant here has the same name and value
 * in umlpy/machine/layout.py; tests/test_layout_sync.py keeps them equal.
 * Plain "#define NAME value" lines only (no suffixes) so that C, assembler and
 * the linker script (run through cpp) can all include this file.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

/* Physical memory map (docs/machine.md section 1). */
#define BOOTINFO_PA 0x1000
#define CMDLINE_PA 0x2000
#define CMDLINE_MAX 4095
#define BOOT_PT_PA 0x10000
#define BOOT_PT_SIZE 0x10000
#define KERNEL_PA 0x100000

/* Virtual memory map. */
#define KERNEL_VBASE 0xffffffff80000000
#define DIRECTMAP_BASE 0xffff800000000000
#define USER_TOP 0x0000800000000000

#define BOOTINFO_MAGIC 0x31494250594c4d55
#define DEFAULT_HZ 100
#define DEFAULT_MEM 0x4000000

/* I/O ports. */
#define HC_PORT 0xE0
#define DEBUG_PORT 0xE9
#define HCALL_SIZE 64

/* Hypercall operations (docs/machine.md section 2). */
#define HC_CONSOLE_WRITE 1
#define HC_CONSOLE_READ 2
#define HC_CLOCK 3
#define HC_TIMER 4
#define HC_POWER 5
#define HC_PANIC 6
#define HC_UBD_INFO 7
#define HC_UBD_IO 8
#define HC_UBD_OPEN 9
#define HC_UBD_CLOSE 10
#define HC_MGMT_GET 11
#define HC_MGMT_REPLY 12

/* HC_POWER a0 */
#define POWER_OFF 0
#define POWER_REBOOT 1
#define POWER_HALT 2

/* HC_UBD_IO a1 */
#define UBD_OP_READ 0
#define UBD_OP_WRITE 1
#define UBD_OP_FLUSH 2
#define UBD_OP_DISCARD 3
#define UBD_OP_WRITE_ZEROES 4

/* HC_UBD_INFO r1 */
#define UBD_F_PRESENT 1
#define UBD_F_RO 2
#define UBD_MAX 16
#define UBD_SECTOR 512

/* HC_MGMT_GET r1: request kinds */
#define MGMT_SYSRQ 1
#define MGMT_PROC 2
#define MGMT_STACK 3
#define MGMT_CAD 4
#define MGMT_LOG 5
#define MGMT_VERSION 6

/* HC_MGMT_REPLY a3: flags */
#define MGMT_F_FINAL 1
#define MGMT_F_ERROR 2

/* External interrupt vectors (docs/machine.md section 3). */
#define IRQ_TIMER 32
#define IRQ_CONSOLE 33
#define IRQ_MGMT 34
#define IRQ_UBD 35

/* GDT selectors (docs/machine.md section 3, Linux layout). */
#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_USER_CS32 0x18
#define GDT_USER_DS 0x20
#define GDT_USER_CS 0x28
#define GDT_TSS 0x30

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Boot information block at BOOTINFO_PA, written by the host (little-endian). */
struct bootinfo {
    uint64_t magic;            /* BOOTINFO_MAGIC ("UMLPYBI1") */
    uint64_t mem_size;         /* bytes of guest RAM */
    uint64_t kernel_end_pa;    /* first free physical byte after the image, page aligned */
    uint64_t cmdline_pa;       /* CMDLINE_PA */
    uint32_t cmdline_len;      /* bytes of the command line, without the NUL */
    uint32_t hz;               /* suggested timer frequency (100) */
    uint64_t boot_realtime_ns; /* host CLOCK_REALTIME when the VM was started */
};

/* Hypercall request block: 64 bytes, 64-byte aligned, physical address < 4 GiB.
 * The guest does "outl %eax, $HC_PORT" with EAX = its physical address. */
struct hcall {
    uint32_t op;               /* HC_* */
    int32_t ret;               /* out: >= 0 success value, < 0 = -errno */
    uint64_t a0, a1, a2, a3, a4; /* in: arguments */
    uint64_t r0, r1;           /* out: extra results */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct hcall) == 64, "struct hcall is 64 bytes");
_Static_assert(sizeof(struct bootinfo) == 48, "struct bootinfo is 48 bytes");
#endif

#endif /* LAYOUT_H */
