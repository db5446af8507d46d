/* trap.h -- the trap frame built by trapasm.S (vectors) and syscall_entry. */
#ifndef TRAP_H
#define TRAP_H
#include "types.h"

struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8; /* pushed by alltraps */
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t trapno;  /* vector, or T_SYSCALL for the syscall instruction */
    uint64_t err;     /* error code (0 when the CPU pushes none) */
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the (emulated) CPU */
};
_Static_assert(sizeof(struct trapframe) == 22 * 8, "trapframe layout");

/* Callee-saved registers saved by swtch(); the return address is on the stack above. */
struct context {
    uint64_t r15, r14, r13, r12, rbx, rbp, rip;
};

/* ksetjmp/klongjmp buffer. */
struct jmpbuf {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
#endif
