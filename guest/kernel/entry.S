/* entry.S -- kernel entry point (docs/machine.md section 1 boot state):
 * RDI = physical address of struct bootinfo, RSP = 0, IF = 0, host page tables. */
#include "layout.h"

    .section .text.entry, "ax"
    .globl _start
_start:
    cli
    cld
    mov %rdi, %r12                  /* bootinfo physical address */
    lea __bss_start(%rip), %rdi     /* zero .bss (the host leaves it zero; be sure) */
    lea __bss_end(%rip), %rcx
    sub %rdi, %rcx
    shr $3, %rcx
    xor %eax, %eax
    rep stosq
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    mov %r12, %rdi
    call kmain
1:  hlt
    jmp 1b

    .bss
    .balign 4096
    .globl boot_stack, boot_stack_top
boot_stack:
    .space 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
