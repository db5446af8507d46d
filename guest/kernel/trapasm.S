/* trapasm.S -- the 256 IDT entry stubs, the common trap path and the
 * syscall entry.  Every stub is 16 bytes: IDT gate n points at vectors + 16*n.
 * The frame layout is struct trapframe (include/trap.h). */
#include "layout.h"
#include "mmu.h"

    .text
    .balign 16
    .globl vectors
vectors:
    .set vec, 0
    .rept 256
    .balign 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    jmp alltraps
    .set vec, vec + 1
    .endr

    .balign 16
    .globl alltraps
alltraps:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    mov %rsp, %rdi
    call trap
    .globl trapret
trapret:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp                   /* trapno, err */
    iretq

/* syscall from ring 3: RCX = user RIP, R11 = user RFLAGS, IF masked by FMASK.
 * Build a trapframe on the current kernel stack (cpu_kstack_top) and take the
 * common path; the return is iretq through trapret. */
    .balign 16
    .globl syscall_entry
syscall_entry:
    mov %rsp, cpu_user_rsp(%rip)
    mov cpu_kstack_top(%rip), %rsp
    pushq $USER_DS_SEL
    pushq cpu_user_rsp(%rip)
    push %r11
    pushq $USER_CS_SEL
    push %rcx
    pushq $0
    pushq $T_SYSCALL
    jmp alltraps

/* void usermode_enter(struct trapframe *tf): start (or resume) a frame. */
    .globl usermode_enter
usermode_enter:
    mov %rdi, %rsp
    jmp trapret

    .section .note.GNU-stack, "", @progbits
