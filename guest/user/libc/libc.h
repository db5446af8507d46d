/* libc.h -- the whole interface of umlpy's tiny guest libc (docs/userland.md).
 * Static, freestanding, x86-64 Linux syscall ABI only.  One header for all. */
#ifndef UMLPY_LIBC_H
#define UMLPY_LIBC_H

typedef unsigned long size_t;
typedef long ssize_t;
typedef long off_t;
typedef int pid_t;
typedef unsigned int mode_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef long time_t;
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long u64;
typedef __builtin_va_list va_list;
#define va_start(a, b) __builtin_va_start(a, b)
#define va_end(a) __builtin_va_end(a)
#define va_arg(a, t) __builtin_va_arg(a, t)
#define NULL ((void *)0)

/* syscall numbers (x86-64) -- exactly the ones this userland uses */
enum {
	SYS_read = 0, SYS_write = 1, SYS_close = 3, SYS_fstat = 5, SYS_lseek = 8,
	SYS_mmap = 9, SYS_munmap = 11, SYS_brk = 12, SYS_rt_sigaction = 13,
	SYS_rt_sigreturn = 15, SYS_ioctl = 16,
	SYS_dup2 = 33, SYS_nanosleep = 35, SYS_getpid = 39, SYS_fork = 57,
	SYS_execve = 59, SYS_wait4 = 61, SYS_kill = 62,
	SYS_uname = 63, SYS_fcntl = 72, SYS_ftruncate = 77, SYS_getcwd = 79,
	SYS_chdir = 80, SYS_setsid = 112, SYS_statfs = 137,
	SYS_sync = 162, SYS_mount = 165, SYS_reboot = 169, SYS_getdents64 = 217,
	SYS_clock_gettime = 228, SYS_exit_group = 231, SYS_openat = 257,
	SYS_mkdirat = 258, SYS_newfstatat = 262, SYS_unlinkat = 263,
	SYS_renameat = 264, SYS_linkat = 265, SYS_symlinkat = 266,
	SYS_readlinkat = 267, SYS_pipe2 = 293,
};

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define FD_CLOEXEC 1
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#define WNOHANG 1
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOEXEC 8
#define E2BIG 7

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGTERM 15
#define SIGCHLD 17
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIG_DFL ((void (*)(int))0)
#define SIG_IGN ((void (*)(int))1)
#define SA_RESTORER 0x04000000
#define SA_RESTART 0x10000000
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* termios (kernel struct termios, 36 bytes; TCGETS/TCSETS use it) */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TIOCSCTTY 0x540E
#define TIOCGWINSZ 0x5413
#define ICANON 0000002
#define ECHO 0000010
#define ISIG 0000001
#define IEXTEN 0100000
#define VTIME 5
#define VMIN 6
struct termios {
	u32 c_iflag, c_oflag, c_cflag, c_lflag;
	u8 c_line;
	u8 c_cc[19];
};
struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; };

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_HALT 0xCDEF0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDC

struct stat {	/* x86-64 struct stat, 144 bytes */
	u64 st_dev, st_ino, st_nlink;
	u32 st_mode, st_uid, st_gid, __pad0;
	u64 st_rdev;
	long st_size, st_blksize, st_blocks;
	long st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
	long __unused[3];
};
struct timespec { long tv_sec, tv_nsec; };
struct utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };
struct statfs {	/* x86-64 struct statfs, 120 bytes */
	long f_type, f_bsize;
	u64 f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int f_fsid[2];
	long f_namelen, f_frsize, f_flags, f_spare[4];
};
struct dirent64 {
	u64 d_ino;
	long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};
struct sigaction {	/* the kernel's struct (rt_sigaction, sigsetsize 8) */
	void (*sa_handler)(int);
	unsigned long sa_flags;
	void (*sa_restorer)(void);
	unsigned long sa_mask;
};

extern int errno;
extern char **environ;

/* sys.c: raw syscalls; wrappers return -1 and set errno like libc */
long __sc(long n, long a, long b, long c, long d, long e, long f);	/* raw: returns -errno */
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int open(const char *path, int flags, ...);
int close(int fd);
off_t lseek(int fd, off_t off, int whence);
int fstat(int fd, struct stat *st);
int stat(const char *path, struct stat *st);
int lstat(const char *path, struct stat *st);
int dup2(int a, int b);
int fcntl(int fd, int cmd, long arg);
int pipe(int fds[2]);
int ioctl(int fd, unsigned long req, void *arg);
int mkdir(const char *path, mode_t mode);
int rmdir(const char *path);
int unlink(const char *path);
int rename(const char *a, const char *b);
int link(const char *a, const char *b);
int symlink(const char *target, const char *path);
ssize_t readlink(const char *path, char *buf, size_t n);
int chdir(const char *path);
char *getcwd(char *buf, size_t n);
int getdents64(int fd, void *buf, size_t n);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
pid_t waitpid(pid_t pid, int *status, int options);
__attribute__((noreturn)) void _exit(int code);
__attribute__((noreturn)) void exit(int code);
pid_t getpid(void);
pid_t setsid(void);
int kill(pid_t pid, int sig);
int uname(struct utsname *u);
int clock_gettime(int clk, struct timespec *ts);
int nanosleep(const struct timespec *req, struct timespec *rem);
void sync(void);
int reboot(unsigned int cmd);
int mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data);
int statfs(const char *path, struct statfs *st);
int ftruncate(int fd, off_t len);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
void *__brk(void *addr);
int isatty(int fd);
int tcgetattr(int fd, struct termios *t);
int tcsetattr(int fd, int act, const struct termios *t);
#define TCSANOW 0
#define TCSADRAIN 1
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s) ((s) & 0x7f)

/* signal.c */
int sigaction(int sig, const struct sigaction *sa, struct sigaction *old);
void (*signal(int sig, void (*h)(int)))(int);

/* string.c */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *d, const char *s);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);
size_t strlcpy(char *d, const char *s, size_t n);
const char *strerror(int e);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
int atoi(const char *s);
int isdigit(int c);
int isspace(int c);
int isalpha(int c);
int isalnum(int c);
const char *basename_of(const char *p);

/* malloc.c */
void *malloc(size_t n);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);
void free(void *p);

/* stdio.c: buffered fds 1 and 2 (stdout flushed at exit and before fork/exec) */
typedef struct FILE { int fd; int len; char buf[4096]; } FILE;
extern FILE *stdout, *stderr;
int fputs(const char *s, FILE *f);
int fputc(int c, FILE *f);
int fwrite_all(FILE *f, const void *p, size_t n);
int fflush(FILE *f);
int puts(const char *s);
int putchar(int c);
int writeall(int fd, const void *p, size_t n);

/* printf.c: %d %i %u %x %X %o %s %c %p %% with flags - 0 + space, width, .prec, l ll z */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* env.c */
char *getenv(const char *name);
int setenv(const char *name, const char *val, int overwrite);
int unsetenv(const char *name);

/* dir.c: readdir over getdents64 */
typedef struct DIR { int fd; int pos, len; char buf[4096]; } DIR;
DIR *opendir(const char *path);
struct dirent64 *readdir(DIR *d);
int closedir(DIR *d);

/* time helpers */
long monotonic_ms(void);
void civil_from_epoch(long t, int *y, int *mo, int *d, int *h, int *mi, int *s);

/* qsort (insertion/shell sort -- small inputs) */
void qsort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *));

#endif
