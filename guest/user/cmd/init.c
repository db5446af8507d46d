/* init.c -- /sbin/init: console fds, mount proc, /etc/rc, a shell on the
 * console, reaping, clean power-off.  docs/userland.md "init". */
#include "cmds.h"

static volatile int want;	/* reboot(2) command requested by a signal */

static void on_signal(int sig)
{
	want = sig == SIGUSR1 ? (int)LINUX_REBOOT_CMD_HALT
	       : sig == SIGTERM ? (int)LINUX_REBOOT_CMD_RESTART
				: (int)LINUX_REBOOT_CMD_POWER_OFF;
}

static void __attribute__((noreturn)) shutdown(unsigned int cmd)
{
	const char *what = cmd == LINUX_REBOOT_CMD_HALT ? "halt"
			   : cmd == LINUX_REBOOT_CMD_RESTART ? "reboot" : "power off";
	dprintf(2, "init: sync, %s\n", what);
	sync();
	reboot(cmd);
	dprintf(2, "init: reboot: %s\n", strerror(errno));
	for (;;) {	/* pid 1 must not exit */
		struct timespec ts = { 3600, 0 };
		nanosleep(&ts, NULL);
	}
}

static pid_t spawn(char **argv, int session)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (int s = 1; s < 32; s++)
			if (s != SIGKILL && s != 19)
				signal(s, SIG_DFL);
		if (session) {
			setsid();
			ioctl(0, TIOCSCTTY, (void *)0);	/* so Ctrl-C reaches the shell's jobs; errors ignored */
		}
		execve(argv[0], argv, environ);
		dprintf(2, "init: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		dprintf(2, "init: fork: %s\n", strerror(errno));
	return pid;
}

static int wait_for(pid_t want_pid)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (want)
			shutdown((unsigned int)want);
		if (p < 0) {
			if (errno == ECHILD)
				return -1;
			continue;
		}
		if (p == want_pid)
			return st;
	}
}

int init_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct stat st;
	if (fcntl(0, F_GETFD, 0) < 0) {
		int fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd >= 0 && fd != 0)
			dup2(fd, 0), close(fd);
	}
	if (fcntl(1, F_GETFD, 0) < 0)
		dup2(0, 1);
	if (fcntl(2, F_GETFD, 0) < 0)
		dup2(0, 2);
	setenv("PATH", "/bin:/sbin", 1);
	setenv("HOME", "/root", 0);
	if (stat("/proc", &st) == 0 && S_ISDIR(st.st_mode))
		mount("proc", "/proc", "proc", 0, NULL);	/* errors ignored */
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (stat("/etc/rc", &st) == 0) {
		char *rc[] = { "/bin/sh", "/etc/rc", NULL };
		pid_t p = spawn(rc, 0);
		if (p > 0)
			wait_for(p);
	}
	char *shell[] = { "/bin/sh", NULL };
	pid_t p = spawn(shell, 1);
	if (p > 0)
		wait_for(p);
	/* the console shell ended (exit or EOF): power off */
	shutdown(LINUX_REBOOT_CMD_POWER_OFF);
}
