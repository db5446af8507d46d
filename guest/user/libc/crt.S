/* crt.S -- process entry, raw syscall, signal restorer (docs/userland.md). */
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	mov %rsp, %rdi		/* argc, argv..., 0, envp..., 0, auxv */
	and $-16, %rsp
	call __libc_start	/* never returns */
	hlt

	/* long __sc(long n, long a, long b, long c, long d, long e, long f) */
	.globl __sc
__sc:
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	syscall
	ret

	/* sa_restorer for every handler: rt_sigreturn(2) */
	.globl __restore_rt
__restore_rt:
	mov $15, %eax
	syscall
	hlt
	.section .note.GNU-stack,"",@progbits
