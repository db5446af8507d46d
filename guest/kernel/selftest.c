/* selftest.c -- in-kernel self-tests, selected with "selftest" (all) or
 * "selftest=NAME,..." on the command line.  Prints "test NAME: OK",
 * "test NAME: FAILED (reason)" or "test NAME: SKIPPED (reason)", then
 * "selftest: N passed, M failed"; main.c powers off afterwards.
 * docs/guest.md lists the tests and what the host can check afterwards. */
#include "types.h"
#include "layout.h"
#include "mmu.h"
#include "x86.h"
#include "trap.h"
#include "errno.h"
#include "defs.h"

#define FAIL(...)                                \
    do {                                         \
        snprintf(why, cap, __VA_ARGS__);         \
        return -1;                               \
    } while (0)
#define SKIP(...)                                \
    do {                                         \
        snprintf(why, cap, __VA_ARGS__);         \
        return 1;                                \
    } while (0)

/* ---- trap expectations (kernel mode) and ring-3 runs ---- */

static volatile int expect_vec = -1;
static volatile int seen_count;
static volatile uint64_t seen_err, seen_rip, seen_cr2;

static struct jmpbuf ujb;
static volatile int user_active;
static volatile int preempt_ticks_wanted, preempt_ticks;
static struct trapframe user_tf;

#define UCODE 0x400000ULL
#define USTACK 0x7fff0000ULL

static int st_hook(struct trapframe *tf)
{
    if (user_active && (tf->cs & 3) == 3) {
        if (tf->trapno == IRQ_TIMER) {
            clock_intr();
            if (preempt_ticks_wanted && ++preempt_ticks >= preempt_ticks_wanted) {
                user_tf = *tf;
                klongjmp(&ujb, (int)tf->trapno + 1);
            }
            return 1;
        }
        if (tf->trapno < 32 || tf->trapno == T_SYSCALL) {
            user_tf = *tf;
            if (tf->trapno == T_PF)
                user_tf.rbp = rcr2(); /* keep CR2 with the frame */
            klongjmp(&ujb, (int)tf->trapno + 1);
        }
        return 0;
    }
    if ((int)tf->trapno == expect_vec && (tf->cs & 3) == 0) {
        seen_count++;
        seen_err = tf->err;
        seen_rip = tf->rip;
        seen_cr2 = rcr2();
        if (tf->trapno == T_UD)
            tf->rip += 2; /* skip ud2 */
        return 1;
    }
    return 0;
}

/* Run a ring-3 snippet at UCODE with a one-page stack until it traps or makes
 * a syscall; returns the trap number and fills user_tf. */
static int user_run(const uint8_t *code, size_t len, int ticks)
{
    uint8_t *page = kalloc(), *stack = kalloc(), *kst = kalloc_pages(4);
    pte_t *pml4 = uvm_create();
    if (!page || !stack || !kst || !pml4)
        panic("selftest: out of memory");
    memcpy(page, code, len);
    if (map_pages(pml4, UCODE, V2P_DIRECT(page), PGSIZE, PTE_U) < 0 ||
        map_pages(pml4, USTACK, V2P_DIRECT(stack), PGSIZE, PTE_U | PTE_W | PTE_NX) < 0)
        panic("selftest: out of memory");
    uint64_t old_kstack = get_kernel_stack();
    uint64_t top = (uint64_t)kst + 4 * PGSIZE;
    cli();
    set_kernel_stack(top);
    lcr3(V2P_DIRECT(pml4));
    preempt_ticks = 0;
    preempt_ticks_wanted = ticks;
    user_active = 1;
    int v = ksetjmp(&ujb);
    if (v == 0) {
        struct trapframe *tf = (struct trapframe *)(top - sizeof(struct trapframe));
        memset(tf, 0, sizeof(*tf));
        tf->rip = UCODE;
        tf->cs = USER_CS_SEL;
        tf->rflags = FL_IF | 2;
        tf->rsp = USTACK + PGSIZE;
        tf->ss = USER_DS_SEL;
        usermode_enter(tf);
    }
    user_active = 0;
    preempt_ticks_wanted = 0;
    switch_to_kernel_pt();
    set_kernel_stack(old_kstack);
    sti();
    uvm_free(pml4, 1); /* frees page and stack too */
    kfree_pages(kst, 4);
    return v - 1;
}

static uint64_t fault_va, fault_page_pa;
static volatile int faults;

static int pf_hook(uint64_t addr, uint64_t err)
{
    if (PGROUNDDOWN(addr) != fault_va)
        return -1;
    faults++;
    seen_err = err;
    seen_cr2 = addr;
    kvm_map(fault_va, fault_page_pa, PTE_W | PTE_NX);
    return 0;
}

static int t_traps(char *why, size_t cap)
{
    /* int3 */
    expect_vec = T_BP;
    seen_count = 0;
    __asm__ volatile("int3" ::: "memory");
    if (seen_count != 1)
        FAIL("int3 not delivered (%d)", seen_count);
    /* #UD */
    expect_vec = T_UD;
    seen_count = 0;
    __asm__ volatile("ud2" ::: "memory");
    if (seen_count != 1)
        FAIL("#UD not delivered (%d)", seen_count);
    /* #PF on an unmapped kernel page, handled by mapping it */
    uint64_t va = vmap_base() + 16 * PGSIZE;
    uint8_t *backing = kalloc();
    expect_vec = -1;
    fault_va = va;
    fault_page_pa = V2P_DIRECT(backing);
    faults = 0;
    kernel_fault_hook = pf_hook;
    barrier();
    *(volatile uint64_t *)(va + 24) = 0x5eedf00dULL;
    barrier();
    kernel_fault_hook = 0;
    uint64_t alias = *(volatile uint64_t *)(backing + 24);
    kvm_unmap(va);
    kfree_page(backing);
    if (faults != 1)
        FAIL("#PF handler ran %d times", faults);
    if (seen_cr2 != va + 24 || !(seen_err & PF_W) || (seen_err & PF_U))
        FAIL("#PF cr2 %lx err %lx", seen_cr2, seen_err);
    if (alias != 0x5eedf00dULL)
        FAIL("#PF store not in the mapped page");
    /* a second exception after the first ones must not become #DF */
    expect_vec = T_BP;
    seen_count = 0;
    __asm__ volatile("int3" ::: "memory");
    __asm__ volatile("int3" ::: "memory");
    expect_vec = -1;
    if (seen_count != 2)
        FAIL("repeated int3 gave %d", seen_count);
    return 0;
}

static int t_user(char *why, size_t cap)
{
    /* mov $42,%eax; syscall; ud2 */
    static const uint8_t sc[] = {0xb8, 0x2a, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b};
    int v = user_run(sc, sizeof(sc), 0);
    if (v != T_SYSCALL)
        FAIL("syscall: trap %d (%s) at %lx", v, trapname(v), user_tf.rip);
    if (user_tf.rax != 42 || user_tf.rip != UCODE + 7 || user_tf.rcx != UCODE + 7 ||
        !(user_tf.r11 & FL_IF) || user_tf.cs != USER_CS_SEL)
        FAIL("syscall frame rax %lx rip %lx rcx %lx r11 %lx", user_tf.rax, user_tf.rip,
             user_tf.rcx, user_tf.r11);
    /* mov %cr3,%rax -> #GP(0) */
    static const uint8_t priv[] = {0x0f, 0x20, 0xd8, 0xeb, 0xfe};
    v = user_run(priv, sizeof(priv), 0);
    if (v != T_GP || user_tf.rip != UCODE || (user_tf.cs & 3) != 3)
        FAIL("mov cr3 in ring 3: trap %d rip %lx", v, user_tf.rip);
    /* hlt -> #GP */
    static const uint8_t hlt[] = {0xf4, 0xeb, 0xfe};
    v = user_run(hlt, sizeof(hlt), 0);
    if (v != T_GP || user_tf.rip != UCODE)
        FAIL("hlt in ring 3: trap %d rip %lx", v, user_tf.rip);
    /* out to the hypercall port from ring 3 -> #GP */
    static const uint8_t hc[] = {0xe7, HC_PORT, 0xeb, 0xfe};
    v = user_run(hc, sizeof(hc), 0);
    if (v != T_GP || user_tf.rip != UCODE)
        FAIL("hypercall from ring 3: trap %d rip %lx", v, user_tf.rip);
    /* mov 0x1000,%rax -> #PF, err U|!P, cr2 0x1000 */
    static const uint8_t pf[] = {0x48, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xfe};
    v = user_run(pf, sizeof(pf), 0);
    if (v != T_PF || user_tf.rip != UCODE || user_tf.rbp != 0x1000 ||
        (user_tf.err & (PF_U | PF_P | PF_W)) != PF_U)
        FAIL("user #PF: trap %d rip %lx cr2 %lx err %lx", v, user_tf.rip, user_tf.rbp,
             user_tf.err);
    /* ud2 -> #UD */
    static const uint8_t ud[] = {0x0f, 0x0b};
    v = user_run(ud, sizeof(ud), 0);
    if (v != T_UD || user_tf.rip != UCODE)
        FAIL("user ud2: trap %d rip %lx", v, user_tf.rip);
    return 0;
}

static int wait_ticks(uint64_t n, int halt, uint64_t timeout_ns)
{
    uint64_t t0 = clock_ticks(), d = clock_monotonic_ns() + timeout_ns;
    while (clock_ticks() < t0 + n) {
        if (halt)
            idle_wait();
        else if (clock_monotonic_ns() > d)
            return -1;
        if (halt && clock_monotonic_ns() > d)
            return -1;
    }
    return 0;
}

static int t_timer(char *why, size_t cap)
{
    uint32_t hz = clock_hz();
    uint64_t period = 1000000000ULL / hz;
    /* spinning with interrupts on */
    uint64_t t0 = clock_monotonic_ns();
    if (wait_ticks(3, 0, 2000000000ULL) < 0)
        FAIL("no ticks while spinning (ticks %lu)", clock_ticks());
    /* halted */
    if (wait_ticks(1, 1, 2000000000ULL) < 0)
        FAIL("no ticks while halted");
    t0 = clock_monotonic_ns();
    if (wait_ticks(10, 1, 3000000000ULL) < 0)
        FAIL("no ticks while halted");
    uint64_t el = clock_monotonic_ns() - t0;
    if (el < 9 * period || el > 30 * period)
        FAIL("10 ticks took %lu us at %u Hz", el / 1000, hz);
    /* a tight loop (interrupts on, no exits) must see ticks: counts 1..N */
    volatile uint64_t spins = 0;
    uint64_t start = clock_ticks();
    while (clock_ticks() < start + 2 && spins < 4000000000ULL)
        spins++;
    if (clock_ticks() < start + 2)
        FAIL("tight loop not interrupted");
    /* preemption of a ring-3 busy loop: jmp . */
    static const uint8_t loop[] = {0xeb, 0xfe};
    int v = user_run(loop, sizeof(loop), 3);
    if (v != IRQ_TIMER || user_tf.rip != UCODE || preempt_ticks != 3)
        FAIL("ring-3 busy loop: trap %d rip %lx ticks %d", v, user_tf.rip, preempt_ticks);
    return 0;
}

static int t_clock(char *why, size_t cap)
{
    uint64_t prev = clock_monotonic_ns();
    for (int i = 0; i < 1000; i++) {
        uint64_t now = clock_monotonic_ns();
        if (now < prev)
            FAIL("monotonic went back: %lu -> %lu", prev, now);
        prev = now;
    }
    uint64_t rt = clock_realtime_sec();
    if (rt < 1577836800ULL) /* 2020-01-01 */
        FAIL("realtime %lu is before 2020", rt);
    uint64_t a = clock_monotonic_ns();
    wait_ticks(2, 1, 2000000000ULL);
    uint64_t b = clock_monotonic_ns();
    if (b - a < 1000000000ULL / clock_hz())
        FAIL("monotonic advanced only %lu ns over 2 ticks", b - a);
    return 0;
}

static int t_kalloc(char *why, size_t cap)
{
    enum { N = 64 };
    static uint8_t *pages[N];
    uint64_t before = kalloc_free_pages();
    for (int i = 0; i < N; i++) {
        pages[i] = kalloc();
        if (!pages[i] || ((uint64_t)pages[i] & (PGSIZE - 1)))
            FAIL("kalloc %d gave %p", i, pages[i]);
        for (int j = 0; j < PGSIZE; j += 512)
            if (pages[i][j])
                FAIL("page %d not zeroed", i);
        memset(pages[i], i + 1, PGSIZE);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < PGSIZE; j += 64)
            if (pages[i][j] != i + 1)
                FAIL("page %d overlaps another", i);
    if (kalloc_free_pages() != before - N)
        FAIL("free count %lu, expected %lu", kalloc_free_pages(), before - N);
    for (int i = 0; i < N; i += 2)
        kfree_page(pages[i]);
    uint8_t *run = kalloc_pages(16);
    if (!run)
        FAIL("no 16-page run");
    for (int i = 1; i < 16; i++)
        if (v2p(run + i * PGSIZE) != v2p(run) + (uint64_t)i * PGSIZE)
            FAIL("run not contiguous");
    kfree_pages(run, 16);
    for (int i = 1; i < N; i += 2)
        kfree_page(pages[i]);
    if (kalloc_free_pages() != before)
        FAIL("leak: %lu free, expected %lu", kalloc_free_pages(), before);
    return 0;
}

static int t_kmalloc(char *why, size_t cap)
{
    enum { N = 200 };
    static uint8_t *p[N];
    static size_t sz[N];
    uint64_t before = kmalloc_inuse_bytes(), pages = kalloc_free_pages();
    uint64_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        sz[i] = 1 + (seed >> 33) % (i % 10 == 0 ? 20000 : 1500);
        p[i] = kmalloc(sz[i]);
        if (!p[i] || ((uint64_t)p[i] & 15))
            FAIL("kmalloc(%lu) gave %p", sz[i], p[i]);
        memset(p[i], (uint8_t)i, sz[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t j = 0; j < sz[i]; j += 7)
            if (p[i][j] != (uint8_t)i)
                FAIL("block %d (%lu bytes) corrupted", i, sz[i]);
    for (int i = 0; i < N; i++)
        kfree(p[i]);
    if (kmalloc_inuse_bytes() != before)
        FAIL("leak: %lu bytes in use, expected %lu", kmalloc_inuse_bytes(), before);
    if (kalloc_free_pages() + 64 < pages)
        FAIL("large blocks not returned");
    return 0;
}

/* Patterns written by the ubd test (docs/guest.md: the host checks them). */
static void pattern(uint8_t *buf, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = (uint8_t)(seed >> 16);
    }
}

static int t_ubd(char *why, size_t cap)
{
    const int u = 1;
    if (!ubd_present(u))
        SKIP("no ubdb");
    if (ubd_readonly(u))
        SKIP("ubdb is read-only");
    uint64_t nsect = ubd_size(u) / UBD_SECTOR;
    if (nsect < 64)
        SKIP("ubdb smaller than 32 KiB");
    int r = ubd_open(u);
    if (r < 0)
        FAIL("open: %d", r);
    uint8_t *a = kmalloc(5 * PGSIZE), *b = kmalloc(5 * PGSIZE);
    /* first and last sector */
    memcpy(a, "umlpy selftest: first sector\n", 29);
    pattern(a + 29, UBD_SECTOR - 29, 1);
    if ((r = ubd_rw(u, 0, a, 1, 1)) < 0)
        FAIL("write sector 0: %d", r);
    memcpy(a + UBD_SECTOR, "umlpy selftest: last sector\n", 28);
    pattern(a + UBD_SECTOR + 28, UBD_SECTOR - 28, 2);
    if ((r = ubd_rw(u, nsect - 1, a + UBD_SECTOR, 1, 1)) < 0)
        FAIL("write last sector: %d", r);
    memset(b, 0, 2 * UBD_SECTOR);
    if ((r = ubd_rw(u, 0, b, 1, 0)) < 0 || (r = ubd_rw(u, nsect - 1, b + UBD_SECTOR, 1, 0)) < 0)
        FAIL("read back: %d", r);
    if (memcmp(a, b, 2 * UBD_SECTOR))
        FAIL("first/last sector read back differs");
    /* mixed partial pages: 13 sectors from an odd offset into another odd offset */
    pattern(a + 1000, 13 * UBD_SECTOR, 3);
    if ((r = ubd_rw(u, 7, a + 1000, 13, 1)) < 0)
        FAIL("write 13 sectors at 7: %d", r);
    memset(b, 0, 5 * PGSIZE);
    if ((r = ubd_rw(u, 7, b + 3000, 13, 0)) < 0)
        FAIL("read 13 sectors at 7: %d", r);
    if (memcmp(a + 1000, b + 3000, 13 * UBD_SECTOR))
        FAIL("13-sector read back differs");
    /* a buffer that is not physically contiguous: two pages in swapped order */
    uint8_t *p0 = kalloc(), *p1 = kalloc();
    uint64_t va = vmap_base() + 64 * PGSIZE;
    kvm_map(va, V2P_DIRECT(p1), PTE_W | PTE_NX);
    kvm_map(va + PGSIZE, V2P_DIRECT(p0), PTE_W | PTE_NX);
    uint8_t *w = (uint8_t *)va;
    memset(b, 0, PGSIZE + 2048);
    if ((r = ubd_rw(u, 7, w + 2048, 5, 0)) < 0)
        FAIL("read into a split buffer: %d", r);
    int same = memcmp(w + 2048, a + 1000, 5 * UBD_SECTOR) == 0;
    kvm_unmap(va);
    kvm_unmap(va + PGSIZE);
    kfree_page(p0);
    kfree_page(p1);
    if (!same)
        FAIL("split-buffer read differs");
    /* out of range and bad requests */
    int64_t e1 = hcall(HC_UBD_IO, u, UBD_OP_READ, nsect, 1, v2p(b), 0, 0);
    int64_t e2 = hcall(HC_UBD_IO, u, UBD_OP_READ, nsect - 1, 2, v2p(b), 0, 0);
    int64_t e3 = hcall(HC_UBD_IO, u, UBD_OP_WRITE, ~0ULL, 1, v2p(b), 0, 0);
    if (e1 != -EINVAL || e2 != -EINVAL || e3 != -EINVAL)
        FAIL("out-of-range requests gave %ld %ld %ld", e1, e2, e3);
    if ((r = ubd_rw(u, nsect, b, 1, 0)) != -EINVAL)
        FAIL("ubd_rw past the end gave %d", r);
    if ((r = ubd_flush(u)) < 0)
        FAIL("flush: %d", r);
    kfree(a);
    kfree(b);
    ubd_close(u);
    return 0;
}

static int t_hcall(char *why, size_t cap)
{
    uint64_t mem = mem_size();
    int64_t r = hcall(HC_CONSOLE_WRITE, 0, mem, 16, 0, 0, 0, 0);
    if (r != -EINVAL)
        FAIL("console write from past RAM gave %ld", r);
    r = hcall(HC_CONSOLE_WRITE, 0, mem - 8, 16, 0, 0, 0, 0);
    if (r != -EINVAL)
        FAIL("console write across the end of RAM gave %ld", r);
    r = hcall(HC_CONSOLE_WRITE, 0, ~0ULL - 4, 16, 0, 0, 0, 0);
    if (r != -EINVAL)
        FAIL("console write with a wrapping address gave %ld", r);
    r = hcall(HC_CONSOLE_READ, 0, mem + PGSIZE, 64, 0, 0, 0, 0);
    if (r != -EINVAL)
        FAIL("console read into past RAM gave %ld", r);
    r = hcall(HC_MGMT_REPLY, 0, mem, 8, MGMT_F_FINAL, 0, 0, 0);
    if (r >= 0 && r != 0)
        FAIL("mgmt reply gave %ld", r);
    for (int u = 0; u < UBD_MAX; u++)
        if (ubd_present(u)) {
            r = hcall(HC_UBD_IO, u, UBD_OP_READ, 0, 1, mem, 0, 0);
            if (r != -EINVAL)
                FAIL("ubd read into past RAM gave %ld", r);
            r = hcall(HC_UBD_IO, u, 99, 0, 1, 0x100000, 0, 0);
            if (r >= 0)
                FAIL("ubd op 99 gave %ld", r);
            break;
        }
    r = hcall(HC_UBD_INFO, 99, 0, 0, 0, 0, 0, 0);
    if (r >= 0)
        FAIL("ubd info for unit 99 gave %ld", r);
    r = hcall(999, 0, 0, 0, 0, 0, 0, 0);
    if (r >= 0)
        FAIL("unknown hypercall gave %ld", r);
    return 0;
}

static void mbps(char *out, size_t cap, uint64_t bytes, uint64_t ns)
{
    uint64_t x10 = ns ? bytes * 10000 / (ns / 1000 ? ns / 1000 : 1) : 0; /* MB/s * 10 */
    snprintf(out, cap, "%lu.%lu MB/s", x10 / 10, x10 % 10);
}

static int t_ubdbench(char *why, size_t cap)
{
    int u = ubd_present(1) ? 1 : 0;
    if (!ubd_present(u))
        SKIP("no ubd device");
    uint64_t size = ubd_size(u);
    if (size > 64ULL << 20)
        size = 64ULL << 20;
    size &= ~(uint64_t)(UBD_SECTOR - 1);
    const uint32_t chunk = 1 << 20;
    uint8_t *buf = kalloc_pages(chunk / PGSIZE);
    if (!buf)
        FAIL("no memory for a 1 MiB buffer");
    char s[32];
    uint64_t t0 = clock_monotonic_ns();
    for (uint64_t off = 0; off < size; off += chunk) {
        uint32_t n = (uint32_t)MIN((uint64_t)chunk, size - off) / UBD_SECTOR;
        int r = ubd_rw(u, off / UBD_SECTOR, buf, n, 0);
        if (r < 0)
            FAIL("read at %lu: %d", off, r);
    }
    uint64_t t1 = clock_monotonic_ns();
    mbps(s, sizeof(s), size, t1 - t0);
    kprintf("ubdbench: ubd%c read %lu KiB in %lu us: %s\n", 'a' + u, size / 1024,
            (t1 - t0) / 1000, s);
    if (!ubd_readonly(u)) {
        pattern(buf, chunk, 7);
        t0 = clock_monotonic_ns();
        for (uint64_t off = 0; off < size; off += chunk) {
            uint32_t n = (uint32_t)MIN((uint64_t)chunk, size - off) / UBD_SECTOR;
            int r = ubd_rw(u, off / UBD_SECTOR, buf, n, 1);
            if (r < 0)
                FAIL("write at %lu: %d", off, r);
        }
        ubd_flush(u);
        t1 = clock_monotonic_ns();
        mbps(s, sizeof(s), size, t1 - t0);
        kprintf("ubdbench: ubd%c write %lu KiB in %lu us: %s\n", 'a' + u, size / 1024,
                (t1 - t0) / 1000, s);
    }
    kfree_pages(buf, chunk / PGSIZE);
    return 0;
}

struct selftest {
    const char *name;
    int (*fn)(char *why, size_t cap);
    int in_all; /* run by a bare "selftest" */
};

static const struct selftest tests[] = {
    {"traps", t_traps, 1},   {"user", t_user, 1},     {"timer", t_timer, 1},
    {"clock", t_clock, 1},   {"kalloc", t_kalloc, 1}, {"kmalloc", t_kmalloc, 1},
    {"ubd", t_ubd, 1},       {"hcall", t_hcall, 1},   {"ubdbench", t_ubdbench, 0},
};

static int selected(const char *names, const char *name, int in_all)
{
    if (!*names)
        return in_all;
    size_t n = strlen(name);
    for (const char *p = names; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        if (len == 3 && strncmp(p, "all", 3) == 0 && in_all)
            return 1;
        p += len + (e ? 1 : 0);
    }
    return 0;
}

void selftest_run(const char *names)
{
    int passed = 0, failed = 0;
    char why[160];
    trap_hook = st_hook;
    for (const char *p = names; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int known = len == 3 && strncmp(p, "all", 3) == 0;
        for (size_t i = 0; i < ARRAY_SIZE(tests); i++)
            if (strlen(tests[i].name) == len && strncmp(p, tests[i].name, len) == 0)
                known = 1;
        if (!known) {
            kprintf("test %.*s: FAILED (no such test)\n", (int)len, p);
            failed++;
        }
        p += len + (e ? 1 : 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        if (!selected(names, tests[i].name, tests[i].in_all))
            continue;
        why[0] = 0;
        int r = tests[i].fn(why, sizeof(why));
        expect_vec = -1;
        if (r == 0) {
            kprintf("test %s: OK\n", tests[i].name);
            passed++;
        } else if (r > 0) {
            kprintf("test %s: SKIPPED (%s)\n", tests[i].name, why);
        } else {
            kprintf("test %s: FAILED (%s)\n", tests[i].name, why);
            failed++;
        }
    }
    trap_hook = 0;
    kprintf("selftest: %d passed, %d failed\n", passed, failed);
}
