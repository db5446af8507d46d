/* text.c -- cat, echo, wc, head, md5sum. */
#include "cmds.h"

static int open_in(const char *name)
{
	if (!strcmp(name, "-"))
		return 0;
	int fd = open(name, O_RDONLY);
	if (fd < 0)
		warn_errno(name);
	return fd;
}

int cat_main(int argc, char **argv)
{
	int rc = 0;
	char *dash[] = { "-", NULL };
	char **files = argc > 1 ? argv + 1 : dash;
	fflush(stdout);
	for (; *files; files++) {
		int fd = open_in(*files);
		if (fd < 0) {
			rc = 1;
			continue;
		}
		if (copy_fd(fd, 1) < 0)
			warn_errno(*files), rc = 1;
		if (fd)
			close(fd);
	}
	return rc;
}

int echo_main(int argc, char **argv)
{
	int i = 1, nl = 1;
	if (i < argc && !strcmp(argv[i], "-n"))
		nl = 0, i++;
	for (; i < argc; i++) {
		fputs(argv[i], stdout);
		if (i + 1 < argc)
			fputc(' ', stdout);
	}
	if (nl)
		fputc('\n', stdout);
	return 0;
}

static int ndigits(unsigned long v)
{
	int n = 1;
	while (v >= 10)
		v /= 10, n++;
	return n;
}

/* Output format of coreutils wc: counts in the order lines, words, bytes,
 * right-aligned to a common width, separated by one space. */
int wc_main(int argc, char **argv)
{
	int fl = 0, fw = 0, fc = 0, i = 1, rc = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
		for (char *p = argv[i] + 1; *p; p++) {
			if (*p == 'l') fl = 1;
			else if (*p == 'w') fw = 1;
			else if (*p == 'c') fc = 1;
			else {
				warn("invalid option -- '%c'", *p);
				return 1;
			}
		}
	if (!fl && !fw && !fc)
		fl = fw = fc = 1;
	int nfiles = argc - i;
	char *dash[] = { "-", NULL };
	char **files = nfiles ? argv + i : dash;
	int n = nfiles ? nfiles : 1;
	/* width: digits of the total size of regular-file operands, at least 7
	 * when any input is not a regular file (coreutils compute_number_width) */
	int width = 1;
	if (fl + fw + fc > 1 || n > 1) {
		unsigned long total = 0;
		int minw = 1;
		for (int k = 0; k < n; k++) {
			struct stat st;
			if (!strcmp(files[k], "-") ? fstat(0, &st) < 0 : stat(files[k], &st) < 0)
				continue;
			if (S_ISREG(st.st_mode))
				total += st.st_size;
			else
				minw = 7;
		}
		width = ndigits(total);
		if (width < minw)
			width = minw;
	}
	unsigned long tl = 0, tw = 0, tc = 0;
	static u8 buf[65536];
	for (int k = 0; k < n; k++) {
		int fd = open_in(files[k]);
		if (fd < 0) {
			rc = 1;
			continue;
		}
		unsigned long l = 0, w = 0, c = 0;
		int inword = 0;
		ssize_t r;
		while ((r = read(fd, buf, sizeof(buf))) > 0) {
			c += r;
			for (ssize_t j = 0; j < r; j++) {
				u8 ch = buf[j];
				if (ch == '\n')
					l++;
				/* coreutils in the C locale: blanks end a word, a
				 * printable byte starts one, other bytes do neither */
				if (isspace(ch))
					inword = 0;
				else if (ch > ' ' && ch < 0x7f && !inword)
					inword = 1, w++;
			}
		}
		if (r < 0)
			warn_errno(files[k]), rc = 1;
		if (fd)
			close(fd);
		tl += l, tw += w, tc += c;
		const char *sep = "";
		if (fl) printf("%*lu", width, l), sep = " ";
		if (fw) printf("%s%*lu", sep, width, w), sep = " ";
		if (fc) printf("%s%*lu", sep, width, c);
		if (nfiles)
			printf(" %s", files[k]);
		putchar('\n');
	}
	if (nfiles > 1) {
		const char *sep = "";
		if (fl) printf("%*lu", width, tl), sep = " ";
		if (fw) printf("%s%*lu", sep, width, tw), sep = " ";
		if (fc) printf("%s%*lu", sep, width, tc);
		printf(" total\n");
	}
	return rc;
}

int head_main(int argc, char **argv)
{
	long lines = 10;
	int i = 1, rc = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *v = NULL;
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "-n", 2))
			v = argv[i] + 2;
		else if (isdigit(argv[i][1]))
			v = argv[i] + 1;
		char *e;
		if (!v || !isdigit(*v) || (lines = strtol(v, &e, 10), *e)) {
			warn("invalid number of lines: '%s'", v ? v : argv[i]);
			return 1;
		}
	}
	int nfiles = argc - i;
	char *dash[] = { "-", NULL };
	char **files = nfiles ? argv + i : dash;
	static char buf[4096];
	for (int k = 0; files[k]; k++) {
		int fd = open_in(files[k]);
		if (fd < 0) {
			rc = 1;
			continue;
		}
		if (nfiles > 1)
			printf("%s==> %s <==\n", k ? "\n" : "", files[k]);
		long left = lines;
		ssize_t r;
		/* reads 1 byte at a time from a non-seekable stdin so the rest of a
		 * shared pipe is left for the next reader (like coreutils' lseek) */
		int seekable = lseek(fd, 0, SEEK_CUR) >= 0;
		while (left > 0 && (r = read(fd, buf, seekable ? sizeof(buf) : 1)) > 0) {
			ssize_t j = 0;
			while (j < r && left > 0)
				if (buf[j++] == '\n')
					left--;
			fwrite_all(stdout, buf, j);
			if (seekable && j < r)
				lseek(fd, j - r, SEEK_CUR);
		}
		if (fd)
			close(fd);
	}
	return rc;
}

int md5sum_main(int argc, char **argv)
{
	int rc = 0;
	char *dash[] = { "-", NULL };
	char **files = argc > 1 ? argv + 1 : dash;
	for (; *files; files++) {
		int fd = open_in(*files);
		u8 h[16];
		if (fd < 0) {
			rc = 1;
			continue;
		}
		if (md5_file_fd(fd, h) < 0) {
			warn_errno(*files), rc = 1;
		} else {
			for (int k = 0; k < 16; k++)
				printf("%02x", h[k]);
			printf("  %s\n", *files);
		}
		if (fd)
			close(fd);
	}
	return rc;
}
