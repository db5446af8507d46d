/* vm.c -- the kernel's own 4-level page tables: kernel text RX, rodata R NX,
 * data/bss RW NX (4 KiB pages), and a direct map of all RAM at DIRECTMAP_BASE
 * (RW NX, 2 MiB pages).  NX on data matters: unicorn runs stores to executable
 * pages ~9x slower (unicorn-notes section 5.2). */
#include "types.h"
#include "layout.h"
#include "mmu.h"
#include "x86.h"
#include "trap.h"
#include "defs.h"

extern char __text_start[], __etext[], __erodata[], __end[];

pte_t *kpml4;               /* kernel page table (upper half shared by all) */
static uint64_t ram_size;

/* PML4 slots of the kernel half that are pre-populated so that every address
 * space shares them: direct map, vmap window, kernel image. */
#define VMAP_BASE 0xffffc00000000000

/* Walk to the PTE for va at the 4 KiB level (level 0) or the 2 MiB level (1). */
static pte_t *walk_level(pte_t *pml4, uint64_t va, int alloc, int stop)
{
    pte_t *pt = pml4;
    for (int level = 3; level > stop; level--) {
        pte_t *e = &pt[PX(level, va)];
        if (*e & PTE_P) {
            if (*e & PTE_PS)
                return 0;
            pt = P2V(PTE_ADDR(*e));
        } else {
            if (!alloc)
                return 0;
            pte_t *n = kalloc();
            if (!n)
                return 0;
            /* intermediate levels are permissive; the leaf decides */
            *e = V2P_DIRECT(n) | PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);
            pt = n;
        }
    }
    return &pt[PX(stop, va)];
}

pte_t *walk(pte_t *pml4, uint64_t va, int alloc)
{
    return walk_level(pml4, va, alloc, 0);
}

int map_pages(pte_t *pml4, uint64_t va, uint64_t pa, uint64_t size, uint64_t perm)
{
    for (uint64_t off = 0; off < size; off += PGSIZE) {
        pte_t *e = walk(pml4, va + off, 1);
        if (!e)
            return -1;
        *e = (pa + off) | perm | PTE_P;
    }
    return 0;
}

/* Physical address of a kernel or current-user virtual address; -1 if unmapped. */
uint64_t v2p(const void *p)
{
    uint64_t va = (uint64_t)p;
    if (va >= KERNEL_VBASE)
        return va - KERNEL_VBASE;
    if (va >= DIRECTMAP_BASE && va < DIRECTMAP_BASE + (ram_size ? ram_size : 0x40000000))
        return va - DIRECTMAP_BASE;
    pte_t *pml4 = P2V(rcr3() & ~0xfffULL);
    pte_t *pt = pml4;
    for (int level = 3; level >= 0; level--) {
        pte_t e = pt[PX(level, va)];
        if (!(e & PTE_P))
            return (uint64_t)-1;
        if (level == 1 && (e & PTE_PS))
            return PTE_ADDR(e) + (va & (HUGE_PGSIZE - 1));
        if (level == 0)
            return PTE_ADDR(e) + (va & (PGSIZE - 1));
        pt = P2V(PTE_ADDR(e));
    }
    return (uint64_t)-1;
}

uint64_t mem_size(void)
{
    return ram_size;
}

void kvminit(uint64_t mem)
{
    ram_size = mem & ~(uint64_t)(PGSIZE - 1);
    kpml4 = kalloc();
    if (!kpml4)
        panic("kvminit: out of memory");
    /* direct map */
    uint64_t pa = 0;
    for (; pa + HUGE_PGSIZE <= ram_size; pa += HUGE_PGSIZE) {
        pte_t *e = walk_level(kpml4, DIRECTMAP_BASE + pa, 1, 1);
        if (!e)
            panic("kvminit: out of memory");
        *e = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
    }
    if (pa < ram_size && map_pages(kpml4, DIRECTMAP_BASE + pa, pa, ram_size - pa,
                                   PTE_W | PTE_G | PTE_NX) < 0)
        panic("kvminit: out of memory");
    /* kernel image */
    uint64_t t = (uint64_t)__text_start, et = (uint64_t)__etext, er = (uint64_t)__erodata,
             e = (uint64_t)__end;
    if (map_pages(kpml4, t, V2P_KERNEL(t), et - t, PTE_G) < 0 ||
        map_pages(kpml4, et, V2P_KERNEL(et), er - et, PTE_G | PTE_NX) < 0 ||
        map_pages(kpml4, er, V2P_KERNEL(er), e - er, PTE_W | PTE_G | PTE_NX) < 0)
        panic("kvminit: out of memory");
    /* make sure the vmap slot exists so that all address spaces share it */
    if (!walk_level(kpml4, VMAP_BASE, 1, 2))
        panic("kvminit: out of memory");
    lcr3(V2P_DIRECT(kpml4));
}

/* Kernel virtual window for tests and non-contiguous mappings. */
uint64_t vmap_base(void)
{
    return VMAP_BASE;
}

void kvm_map(uint64_t va, uint64_t pa, uint64_t perm)
{
    pte_t *e = walk(kpml4, va, 1);
    if (!e)
        panic("kvm_map: out of memory");
    *e = pa | perm | PTE_P;
    invlpg(va);
}

void kvm_unmap(uint64_t va)
{
    pte_t *e = walk(kpml4, va, 0);
    if (e) {
        *e = 0;
        invlpg(va);
    }
}

/* A new address space: empty lower half, kernel half shared with kpml4. */
pte_t *uvm_create(void)
{
    pte_t *p = kalloc();
    if (p)
        memcpy(p + 256, kpml4 + 256, 256 * sizeof(pte_t));
    return p;
}

static void freewalk(pte_t *pt, int level, int free_leaves)
{
    for (int i = 0; i < 512; i++) {
        pte_t e = pt[i];
        if (!(e & PTE_P))
            continue;
        if (level > 0)
            freewalk(P2V(PTE_ADDR(e)), level - 1, free_leaves);
        else if (free_leaves)
            kfree_page(P2V(PTE_ADDR(e)));
    }
    kfree_page(pt);
}

/* Free the lower half of an address space (tables, and the mapped pages when
 * free_leaves), then the PML4 itself. */
void uvm_free(pte_t *pml4, int free_leaves)
{
    for (int i = 0; i < 256; i++)
        if (pml4[i] & PTE_P)
            freewalk(P2V(PTE_ADDR(pml4[i])), 2, free_leaves);
    kfree_page(pml4);
}

void switch_to_kernel_pt(void)
{
    lcr3(V2P_DIRECT(kpml4));
}

/* Page fault entry from trap(): 0 when handled.  Kernel-half faults are only
 * resolved through the demand hook (used by the self-tests); user faults go to
 * the process's address space. */
int (*kernel_fault_hook)(uint64_t addr, uint64_t err);

int vm_fault(struct trapframe *tf, uint64_t addr)
{
    if (addr >= USER_TOP) {
        if (kernel_fault_hook && kernel_fault_hook(addr, tf->err) == 0)
            return 0;
        return -1;
    }
    return uvm_fault(tf, addr);
}
