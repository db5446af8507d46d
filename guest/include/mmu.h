/* mmu.h -- x86-64 paging and segmentation definitions. */
#ifndef MMU_H
#define MMU_H
#include "layout.h"

#define PGSIZE 4096
#define PGSHIFT 12
#define HUGE_PGSIZE 0x200000
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(uint64_t)(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(uint64_t)(PGSIZE - 1))

/* Page table entry bits. */
#define PTE_P 0x001     /* present */
#define PTE_W 0x002     /* writable */
#define PTE_U 0x004     /* user */
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_A 0x020
#define PTE_D 0x040
#define PTE_PS 0x080    /* 2 MiB page (in a PD entry) */
#define PTE_G 0x100
#define PTE_COW 0x200   /* software: copy-on-write (reserved for later) */
#define PTE_NX 0x8000000000000000
#define PTE_ADDR(p) ((p) & 0x000ffffffffff000)
#define PTE_FLAGS(p) ((p) & ~0x000ffffffffff000)

#define PX(level, va) (((uint64_t)(va) >> (12 + 9 * (level))) & 0x1ff)

/* Address conversion: RAM is reachable at DIRECTMAP_BASE + pa; the kernel image at KERNEL_VBASE + pa. */
#define P2V(pa) ((void *)((uint64_t)(pa) + DIRECTMAP_BASE))
#define V2P_DIRECT(va) ((uint64_t)(va) - DIRECTMAP_BASE)
#define V2P_KERNEL(va) ((uint64_t)(va) - KERNEL_VBASE)

/* Selectors with RPL 3 for user segments. */
#define USER_DS_SEL (GDT_USER_DS | 3)
#define USER_CS_SEL (GDT_USER_CS | 3)

/* Exception vectors. */
#define T_DE 0
#define T_DB 1
#define T_NMI 2
#define T_BP 3
#define T_OF 4
#define T_BR 5
#define T_UD 6
#define T_NM 7
#define T_DF 8
#define T_TS 10
#define T_NP 11
#define T_SS 12
#define T_GP 13
#define T_PF 14
#define T_MF 16
#define T_AC 17
#define T_MC 18
#define T_XM 19
#define T_SYSCALL 0x80  /* trapno recorded in trapframes built by the syscall entry */

#define PF_P 1
#define PF_W 2
#define PF_U 4
#define PF_I 16
#endif
