/* defs.h -- every function shared between kernel files, grouped by the file
 * that defines it (xv6 style). */
#ifndef DEFS_H
#define DEFS_H
#include "types.h"

struct trapframe;
struct context;
struct jmpbuf;

/* entry.S */
extern char boot_stack[], boot_stack_top[];

/* trapasm.S */
extern char vectors[];
void alltraps(void);
void trapret(void);
void syscall_entry(void);
void usermode_enter(struct trapframe *tf) __attribute__((noreturn));

/* swtch.S */
void swtch(struct context **old, struct context *new);
int ksetjmp(struct jmpbuf *jb) __attribute__((returns_twice));
void klongjmp(struct jmpbuf *jb, int v) __attribute__((noreturn));

/* clock.c */
void clockinit(uint32_t hz);
void timer_stop(void);
void clock_intr(void);
uint64_t clock_ticks(void);
uint32_t clock_hz(void);
uint64_t clock_monotonic_ns(void);
uint64_t clock_realtime_ns(void);
uint64_t clock_realtime_sec(void);

/* console.c */
void console_flush(void);
void console_write(const char *s, size_t n);
void vkprintf(const char *fmt, va_list ap);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void console_capture_start(char *buf, size_t cap);
size_t console_capture_stop(void);
void console_intr(void);
int console_queue_put(char c);
int console_queue_get(void);
int console_input_eof(void);

/* cpu.c */
extern uint64_t cpu_kstack_top, cpu_user_rsp;
void seginit(void);
void set_kernel_stack(uint64_t top);
uint64_t get_kernel_stack(void);

/* hcall.c */
int64_t hcall(uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
              uint64_t *r0, uint64_t *r1);
void debug_putc(char c);
void power(int how) __attribute__((noreturn));

/* kalloc.c */
void kinit(uint64_t free_pa, uint64_t mem_size);
void *kalloc(void);
void *kalloc_pages(size_t n);
void kfree_page(void *va);
void kfree_pages(void *va, size_t n);
uint64_t kalloc_free_pages(void);
uint64_t kalloc_total_pages(void);
uint64_t kalloc_reserved_pages(void);

/* kmalloc.c */
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void kfree(void *p);
uint64_t kmalloc_inuse_bytes(void);
uint64_t kmalloc_inuse_blocks(void);

/* main.c */
const char *cmdline(void);
int cmdline_param(const char *key, char *out, size_t cap);
const char *hostname(void);
void set_hostname(const char *name, size_t len);
void idle_wait(void);
uint64_t idle_ns(void);
void ctrl_alt_del(void);
void kmain(uint64_t bootinfo_pa);

/* mgmt.c */
extern void (*fs_sync_hook)(void);
extern void (*fs_remount_ro_hook)(void);
int sysrq(char key);
void sysrq_meminfo(void);
void uname_line(char *buf, size_t cap);
void mgmt_intr(void);

/* printf.c */
int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* proc.c */
void procinit(void);
void proc_preempt(struct trapframe *tf);
void proc_kernel_tick(void);
void proc_user_fault(struct trapframe *tf);
int uvm_fault(struct trapframe *tf, uint64_t addr);
void proc_dump(void);
int proc_stack(int pid);
int proc_count(void);
int proc_last_pid(void);
int proc_cad_to_init(void);
int procfs_read_extra(const char *path, char *buf, size_t cap);
void start_init(void);
void scheduler(void) __attribute__((noreturn));

/* procfs.c */
int procfs_read(const char *path, char *buf, size_t cap);
const char *procfs_name(int i);

/* selftest.c */
void selftest_run(const char *names);

/* string.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *dst, const char *src, size_t n);
size_t strlcpy(char *dst, const char *src, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
uint64_t strtou64(const char *s, const char **end, int base);

/* syscall.c */
void syscall(struct trapframe *tf);

/* trap.c */
extern int (*trap_hook)(struct trapframe *tf);
void idtinit(void);
void trap(struct trapframe *tf);
const char *trapname(uint64_t v);
void dump_trapframe(struct trapframe *tf);

/* tty.c */
void tty_input(char c);
void tty_input_eof(void);

/* ubd.c */
void ubdinit(void);
void ubd_intr(void);
void format_size(char *buf, size_t cap, uint64_t bytes);
int ubd_present(int unit);
uint64_t ubd_size(int unit);
int ubd_readonly(int unit);
int ubd_unit_from_name(const char *name);
int ubd_rw(int unit, uint64_t sector, void *buf, uint32_t nsect, int write);
int ubd_flush(int unit);
int ubd_discard(int unit, uint64_t sector, uint64_t nsect, int zeroes);
int ubd_open(int unit);
int ubd_close(int unit);

/* vm.c */
extern pte_t *kpml4;
extern int (*kernel_fault_hook)(uint64_t addr, uint64_t err);
pte_t *walk(pte_t *pml4, uint64_t va, int alloc);
int map_pages(pte_t *pml4, uint64_t va, uint64_t pa, uint64_t size, uint64_t perm);
uint64_t v2p(const void *va);
uint64_t mem_size(void);
void kvminit(uint64_t mem);
uint64_t vmap_base(void);
void kvm_map(uint64_t va, uint64_t pa, uint64_t perm);
void kvm_unmap(uint64_t va);
int vm_fault(struct trapframe *tf, uint64_t addr);
pte_t *uvm_create(void);
void uvm_free(pte_t *pml4, int free_leaves);
void switch_to_kernel_pt(void);
#endif
