/* sys.c -- syscall wrappers (errno on failure), process start and exit.
 * The exact syscall list is in docs/userland.md; keep them in sync. */
#include "libc.h"

int errno;
char **environ;

static long ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
#define S0(n) ret(__sc(n, 0, 0, 0, 0, 0, 0))
#define S1(n, a) ret(__sc(n, (long)(a), 0, 0, 0, 0, 0))
#define S2(n, a, b) ret(__sc(n, (long)(a), (long)(b), 0, 0, 0, 0))
#define S3(n, a, b, c) ret(__sc(n, (long)(a), (long)(b), (long)(c), 0, 0, 0))
#define S4(n, a, b, c, d) ret(__sc(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0))
#define S5(n, a, b, c, d, e) ret(__sc(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0))

ssize_t read(int fd, void *buf, size_t n)
{
	long r;
	do
		r = S3(SYS_read, fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}
ssize_t write(int fd, const void *buf, size_t n) { return S3(SYS_write, fd, buf, n); }
int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode;
	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	return S4(SYS_openat, AT_FDCWD, path, flags, (flags & O_CREAT) ? mode : 0);
}
int close(int fd) { return S1(SYS_close, fd); }
off_t lseek(int fd, off_t off, int whence) { return S3(SYS_lseek, fd, off, whence); }
int fstat(int fd, struct stat *st) { return S2(SYS_fstat, fd, st); }
int stat(const char *p, struct stat *st) { return S4(SYS_newfstatat, AT_FDCWD, p, st, 0); }
int lstat(const char *p, struct stat *st)
{
	return S4(SYS_newfstatat, AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW);
}
int dup2(int a, int b) { return S2(SYS_dup2, a, b); }
int fcntl(int fd, int cmd, long arg) { return S3(SYS_fcntl, fd, cmd, arg); }
int pipe(int fds[2]) { return S2(SYS_pipe2, fds, 0); }
int ioctl(int fd, unsigned long req, void *arg) { return S3(SYS_ioctl, fd, req, arg); }
int mkdir(const char *p, mode_t m) { return S3(SYS_mkdirat, AT_FDCWD, p, m); }
int rmdir(const char *p) { return S3(SYS_unlinkat, AT_FDCWD, p, AT_REMOVEDIR); }
int unlink(const char *p) { return S3(SYS_unlinkat, AT_FDCWD, p, 0); }
int rename(const char *a, const char *b) { return S4(SYS_renameat, AT_FDCWD, a, AT_FDCWD, b); }
int link(const char *a, const char *b) { return S5(SYS_linkat, AT_FDCWD, a, AT_FDCWD, b, 0); }
int symlink(const char *t, const char *p) { return S3(SYS_symlinkat, t, AT_FDCWD, p); }
ssize_t readlink(const char *p, char *buf, size_t n) { return S4(SYS_readlinkat, AT_FDCWD, p, buf, n); }
int chdir(const char *p) { return S1(SYS_chdir, p); }
char *getcwd(char *buf, size_t n) { return S2(SYS_getcwd, buf, n) < 0 ? NULL : buf; }
int getdents64(int fd, void *buf, size_t n) { return S3(SYS_getdents64, fd, buf, n); }
pid_t fork(void)
{
	fflush(stdout);
	fflush(stderr);
	return S0(SYS_fork);
}
int execve(const char *p, char *const argv[], char *const envp[])
{
	fflush(stdout);
	fflush(stderr);
	return S3(SYS_execve, p, argv, envp);
}
pid_t waitpid(pid_t pid, int *status, int options)
{
	return S4(SYS_wait4, pid, status, options, 0);
}
void _exit(int code)
{
	for (;;)
		__sc(SYS_exit_group, code, 0, 0, 0, 0, 0);
}
void exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}
pid_t getpid(void) { return S0(SYS_getpid); }
pid_t setsid(void) { return S0(SYS_setsid); }
int kill(pid_t pid, int sig) { return S2(SYS_kill, pid, sig); }
int uname(struct utsname *u) { return S1(SYS_uname, u); }
int clock_gettime(int clk, struct timespec *ts) { return S2(SYS_clock_gettime, clk, ts); }
int nanosleep(const struct timespec *a, struct timespec *b) { return S2(SYS_nanosleep, a, b); }
void sync(void) { __sc(SYS_sync, 0, 0, 0, 0, 0, 0); }
int reboot(unsigned int cmd)
{
	return S4(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, 0);
}
int mount(const char *s, const char *d, const char *t, unsigned long f, const void *data)
{
	return S5(SYS_mount, s, d, t, f, data);
}
int statfs(const char *p, struct statfs *st) { return S2(SYS_statfs, p, st); }
int ftruncate(int fd, off_t len) { return S2(SYS_ftruncate, fd, len); }
void *mmap(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
	long r = __sc(SYS_mmap, (long)a, n, prot, flags, fd, off);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return MAP_FAILED;
	}
	return (void *)r;
}
int munmap(void *a, size_t n) { return S2(SYS_munmap, a, n); }
void *__brk(void *a) { return (void *)__sc(SYS_brk, (long)a, 0, 0, 0, 0, 0); }
int tcgetattr(int fd, struct termios *t) { return ioctl(fd, TCGETS, t); }
int tcsetattr(int fd, int act, const struct termios *t)
{
	return ioctl(fd, act == TCSADRAIN ? TCSETSW : TCSETS, (void *)t);
}
int isatty(int fd)
{
	struct termios t;
	return tcgetattr(fd, &t) == 0;
}

long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv);

__attribute__((noreturn, used)) void __libc_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	environ = argv + argc + 1;
	exit(main(argc, argv));
}
