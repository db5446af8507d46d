/* signal.c -- rt_sigaction with our own restorer (crt.S __restore_rt);
 * sigset_t is the kernel's 8-byte mask. */
#include "libc.h"

void __restore_rt(void);

int sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	struct sigaction k;
	long r;
	if (sa) {
		k = *sa;
		k.sa_flags |= SA_RESTORER;
		k.sa_restorer = __restore_rt;
	}
	r = __sc(SYS_rt_sigaction, sig, sa ? (long)&k : 0, (long)old, 8, 0, 0);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

void (*signal(int sig, void (*h)(int)))(int)
{
	struct sigaction sa = { h, SA_RESTART, NULL, 0 }, old;
	if (sigaction(sig, &sa, &old) < 0)
		return (void (*)(int)) - 1;
	return old.sa_handler;
}
