/* sys.c -- sync, df, uname, ps, poweroff/halt/reboot, true, false, sleep,
 * kill, mount, test/[. */
#include "cmds.h"

int true_main(int argc, char **argv) { (void)argc, (void)argv; return 0; }
int false_main(int argc, char **argv) { (void)argc, (void)argv; return 1; }
int sync_main(int argc, char **argv) { (void)argc, (void)argv; sync(); return 0; }

/* df [PATH...]: 1K-blocks like coreutils df; the device name comes from
 * /proc/mounts when present, else "rootfs". */
static void mount_of(const char *path, char *dev, char *mnt, size_t n)
{
	strlcpy(dev, "rootfs", n);
	strlcpy(mnt, "/", n);
	int fd = open("/proc/mounts", O_RDONLY);
	if (fd < 0)
		return;
	static char buf[8192];
	ssize_t len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return;
	buf[len] = 0;
	char abs[4096];
	if (path[0] == '/')
		strlcpy(abs, path, sizeof(abs));
	else if (!getcwd(abs, sizeof(abs)))
		return;
	size_t best = 0;
	for (char *l = buf; *l;) {
		char *e = strchr(l, '\n');
		if (e)
			*e = 0;
		char *sp1 = strchr(l, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (sp2) {
			*sp1 = 0, *sp2 = 0;
			char *m = sp1 + 1;
			size_t ml = strlen(m);
			if (!strncmp(abs, m, ml) && (ml == 1 || abs[ml] == '/' || !abs[ml]) && ml >= best)
				best = ml, strlcpy(dev, l, n), strlcpy(mnt, m, n);
		}
		if (!e)
			break;
		l = e + 1;
	}
}

int df_main(int argc, char **argv)
{
	int rc = 0;
	char *root[] = { "/", NULL };
	char **paths = argc > 1 ? argv + 1 : root;
	printf("%-20s %10s %10s %10s %4s %s\n", "Filesystem", "1K-blocks", "Used", "Available",
	       "Use%", "Mounted on");
	for (; *paths; paths++) {
		struct statfs s;
		if (statfs(*paths, &s) < 0) {
			warn_errno(*paths);
			rc = 1;
			continue;
		}
		u64 k = s.f_frsize ? (u64)s.f_frsize : (u64)s.f_bsize;
		u64 total = s.f_blocks * k / 1024, fr = s.f_bfree * k / 1024, av = s.f_bavail * k / 1024;
		u64 used = total - fr;
		u64 pct = used + av ? (used * 100 + used + av - 1) / (used + av) : 0;
		char dev[256], mnt[256], p[8];
		mount_of(*paths, dev, mnt, sizeof(dev));
		snprintf(p, sizeof(p), "%lu%%", pct);
		printf("%-20s %10lu %10lu %10lu %4s %s\n", dev, total, used, av, p, mnt);
	}
	return rc;
}

int uname_main(int argc, char **argv)
{
	struct utsname u;
	int fs = 0, fn = 0, fr = 0, fv = 0, fm = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-') {
			warn("extra operand '%s'", argv[i]);
			return 1;
		}
		for (char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'a': fs = fn = fr = fv = fm = 1; break;
			case 's': fs = 1; break;
			case 'n': fn = 1; break;
			case 'r': fr = 1; break;
			case 'v': fv = 1; break;
			case 'm': fm = 1; break;
			default: warn("invalid option -- '%c'", *p); return 1;
			}
		}
	}
	if (!(fs | fn | fr | fv | fm))
		fs = 1;
	if (uname(&u) < 0) {
		warn_errno("uname");
		return 1;
	}
	const char *f[5] = { fs ? u.sysname : NULL, fn ? u.nodename : NULL, fr ? u.release : NULL,
			     fv ? u.version : NULL, fm ? u.machine : NULL };
	const char *sep = "";
	for (int i = 0; i < 5; i++)
		if (f[i])
			printf("%s%s", sep, f[i]), sep = " ";
	putchar('\n');
	return 0;
}

/* ps: one line per /proc/<pid>/stat ("pid (comm) state ppid ...");
 * the command line from /proc/<pid>/cmdline when it is non-empty. */
int ps_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	DIR *d = opendir("/proc");
	if (!d) {
		warn("/proc: %s (ps needs /proc/<pid>/stat)", strerror(errno));
		return 1;
	}
	printf("  PID  PPID S CMD\n");
	struct dirent64 *e;
	int pids[1024], n = 0;
	while ((e = readdir(d)) && n < 1024)
		if (isdigit(e->d_name[0]))
			pids[n++] = atoi(e->d_name);
	closedir(d);
	for (int i = 1; i < n; i++)	/* insertion sort */
		for (int j = i; j > 0 && pids[j - 1] > pids[j]; j--) {
			int t = pids[j];
			pids[j] = pids[j - 1], pids[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		char path[64], buf[1024], cmd[1024];
		snprintf(path, sizeof(path), "/proc/%d/stat", pids[i]);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
		if (!lp || !rp || rp[1] != ' ')
			continue;
		*rp = 0;
		char state = rp[2];
		int ppid = atoi(rp + 4);
		snprintf(cmd, sizeof(cmd), "[%s]", lp + 1);
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pids[i]);
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			ssize_t c = read(fd, cmd, sizeof(cmd) - 1);
			close(fd);
			if (c > 0) {
				for (ssize_t k = 0; k < c; k++)
					if (!cmd[k])
						cmd[k] = ' ';
				while (c > 0 && cmd[c - 1] == ' ')
					c--;
				cmd[c] = 0;
			} else {
				snprintf(cmd, sizeof(cmd), "[%s]", lp + 1);
			}
		}
		printf("%5d %5d %c %s\n", pids[i], ppid, state, cmd);
	}
	return 0;
}

/* poweroff/halt/reboot: sync, then reboot(2) directly (like busybox -f).
 * Never run these on a host you care about. */
static int do_reboot(unsigned int cmd)
{
	sync();
	if (reboot(cmd) < 0) {
		warn_errno("reboot");
		return 1;
	}
	return 0;
}
int poweroff_main(int argc, char **argv) { (void)argc, (void)argv; return do_reboot(LINUX_REBOOT_CMD_POWER_OFF); }
int halt_main(int argc, char **argv) { (void)argc, (void)argv; return do_reboot(LINUX_REBOOT_CMD_HALT); }
int reboot_main(int argc, char **argv) { (void)argc, (void)argv; return do_reboot(LINUX_REBOOT_CMD_RESTART); }

int sleep_main(int argc, char **argv)
{
	if (argc < 2) {
		warn("missing operand");
		return 1;
	}
	char *e;
	long sec = strtol(argv[1], &e, 10), ns = 0;
	if (*e == '.') {
		long scale = 100000000;
		for (e++; isdigit(*e); e++, scale /= 10)
			ns += (*e - '0') * scale;
	}
	if (*e || sec < 0) {
		warn("invalid time interval '%s'", argv[1]);
		return 1;
	}
	struct timespec ts = { sec, ns };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

int kill_main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1, rc = 0;
	if (i < argc && argv[i][0] == '-' && isdigit(argv[i][1]))
		sig = atoi(argv[i++] + 1);
	if (i == argc) {
		warn("usage: kill [-SIGNUM] PID...");
		return 1;
	}
	for (; i < argc; i++)
		if (kill(atoi(argv[i]), sig) < 0)
			warn("(%s) - %s", argv[i], strerror(errno)), rc = 1;
	return rc;
}

/* mount -t TYPE SRC DIR (no options) */
int mount_main(int argc, char **argv)
{
	if (argc == 1)
		return cat_main(2, (char *[]){ "cat", "/proc/mounts", NULL });
	if (argc != 5 || strcmp(argv[1], "-t")) {
		warn("usage: mount -t TYPE SOURCE DIR");
		return 1;
	}
	if (mount(argv[3], argv[4], argv[2], 0, NULL) < 0) {
		warn("mounting %s on %s failed: %s", argv[3], argv[4], strerror(errno));
		return 1;
	}
	return 0;
}

/* test EXPR / [ EXPR ]: ! -e -f -d -h -L -s -r -w -x -z -n = != -eq -ne -lt -le -gt -ge */
static int t_unary(const char *op, const char *a)
{
	struct stat st;
	if (op[0] != '-' || !op[1] || op[2] || !strchr("znhLerwfdsx", op[1])) return -1;
	if (!strcmp(op, "-z")) return !*a;
	if (!strcmp(op, "-n")) return *a != 0;
	if (!strcmp(op, "-h") || !strcmp(op, "-L")) return lstat(a, &st) == 0 && S_ISLNK(st.st_mode);
	if (stat(a, &st) < 0) return 0;
	if (!strcmp(op, "-e") || !strcmp(op, "-r") || !strcmp(op, "-w")) return 1;
	if (!strcmp(op, "-f")) return S_ISREG(st.st_mode);
	if (!strcmp(op, "-d")) return S_ISDIR(st.st_mode);
	if (!strcmp(op, "-s")) return st.st_size > 0;
	if (!strcmp(op, "-x")) return (st.st_mode & 0111) != 0;
	return -1;
}

static int t_eval(int n, char **a)
{
	if (n > 0 && !strcmp(a[0], "!")) {
		int r = t_eval(n - 1, a + 1);
		return r < 0 ? r : !r;
	}
	if (n == 0) return 0;
	if (n == 1) return a[0][0] != 0;
	if (n == 2) return t_unary(a[0], a[1]);
	if (n == 3) {
		const char *o = a[1];
		if (!strcmp(o, "=") || !strcmp(o, "==")) return !strcmp(a[0], a[2]);
		if (!strcmp(o, "!=")) return strcmp(a[0], a[2]) != 0;
		long x = strtol(a[0], NULL, 10), y = strtol(a[2], NULL, 10);
		if (!strcmp(o, "-eq")) return x == y;
		if (!strcmp(o, "-ne")) return x != y;
		if (!strcmp(o, "-lt")) return x < y;
		if (!strcmp(o, "-le")) return x <= y;
		if (!strcmp(o, "-gt")) return x > y;
		if (!strcmp(o, "-ge")) return x >= y;
	}
	return -1;
}

int test_main(int argc, char **argv)
{
	int r = t_eval(argc - 1, argv + 1);
	if (r < 0) {
		warn("syntax error");
		return 2;
	}
	return !r;
}

int lbracket_main(int argc, char **argv)
{
	prog = "[";
	if (argc < 2 || strcmp(argv[argc - 1], "]")) {
		warn("missing ']'");
		return 2;
	}
	argv[argc - 1] = NULL;
	return test_main(argc - 1, argv);
}
