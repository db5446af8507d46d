/* proc.c -- processes (issue-3 placeholder: no user processes yet). */
#include "types.h"
#include "trap.h"
#include "errno.h"
#include "defs.h"

void procinit(void) {}
void proc_preempt(struct trapframe *tf) { (void)tf; }
void proc_kernel_tick(void) {}
void proc_user_fault(struct trapframe *tf)
{
    dump_trapframe(tf);
    panic("user fault %lu (%s) without a process", tf->trapno, trapname(tf->trapno));
}
int uvm_fault(struct trapframe *tf, uint64_t addr) { (void)tf; (void)addr; return -1; }
void proc_dump(void) { kprintf("  PID  STATE  NAME\n"); }
int proc_stack(int pid) { (void)pid; return -ESRCH; }
int proc_count(void) { return 0; }
int proc_last_pid(void) { return 0; }
int proc_cad_to_init(void) { return 0; }
int procfs_read_extra(const char *path, char *buf, size_t cap) { (void)path; (void)buf; (void)cap; return -ENOENT; }
void start_init(void) {}
void scheduler(void)
{
    for (;;)
        idle_wait();
}
void syscall(struct trapframe *tf) { tf->rax = (uint64_t)-ENOSYS; }
