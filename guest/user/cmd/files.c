/* files.c -- ls, mkdir, rmdir, rm, cp, mv, ln, pwd. */
#include "cmds.h"

/* ---- ls ---- */
static int ls_all, ls_long, ls_dir;

static void mode_str(u32 m, char *s)
{
	const char *t = "?pc?d?b?-?l?s???";
	s[0] = t[(m >> 12) & 15];
	for (int i = 0; i < 9; i++)
		s[1 + i] = (m >> (8 - i)) & 1 ? "rwxrwxrwx"[i] : '-';
	if (m & 04000) s[3] = (m & 0100) ? 's' : 'S';
	if (m & 02000) s[6] = (m & 010) ? 's' : 'S';
	if (m & 01000) s[9] = (m & 01) ? 't' : 'T';
	s[10] = 0;
}

static void ls_one(const char *path, const char *name, const struct stat *st)
{
	if (!ls_long) {
		printf("%s\n", name);
		return;
	}
	char m[11];
	int y, mo, d, h, mi, s;
	mode_str(st->st_mode, m);
	civil_from_epoch(st->st_mtime, &y, &mo, &d, &h, &mi, &s);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		printf("%s %2lu %u %u %3lu, %3lu ", m, st->st_nlink, st->st_uid, st->st_gid,
		       (st->st_rdev >> 8) & 0xfff, (st->st_rdev & 0xff) | ((st->st_rdev >> 12) & 0xfff00));
	else
		printf("%s %2lu %u %u %8ld ", m, st->st_nlink, st->st_uid, st->st_gid, st->st_size);
	printf("%04d-%02d-%02d %02d:%02d %s", y, mo, d, h, mi, name);
	if (S_ISLNK(st->st_mode)) {
		char t[4096];
		ssize_t n = readlink(path, t, sizeof(t) - 1);
		if (n >= 0) {
			t[n] = 0;
			printf(" -> %s", t);
		}
	}
	putchar('\n');
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ls_dirlist(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		warn("cannot open directory '%s': %s", dir, strerror(errno));
		return 2;
	}
	int n = 0, cap = 64, rc = 0;
	char **names = malloc(cap * sizeof(char *));
	struct dirent64 *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && !ls_all)
			continue;
		if (n == cap)
			names = realloc(names, (cap *= 2) * sizeof(char *));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmpstr);
	if (ls_long) {
		long blocks = 0;
		for (int i = 0; i < n; i++) {
			struct stat st;
			char *p = path_join(dir, names[i]);
			if (lstat(p, &st) == 0)
				blocks += st.st_blocks;
			free(p);
		}
		printf("total %ld\n", blocks / 2);
	}
	for (int i = 0; i < n; i++) {
		struct stat st;
		char *p = path_join(dir, names[i]);
		if (lstat(p, &st) < 0) {
			warn("cannot access '%s': %s", p, strerror(errno));
			rc = 1;
		} else {
			ls_one(p, names[i], &st);
		}
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

int ls_main(int argc, char **argv)
{
	int i = 1, rc = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
		for (char *p = argv[i] + 1; *p; p++) {
			if (*p == 'a') ls_all = 1;
			else if (*p == 'l') ls_long = 1;
			else if (*p == 'd') ls_dir = 1;
			else if (*p == '1') ;
			else {
				warn("invalid option -- '%c'", *p);
				return 2;
			}
		}
	int n = argc - i;
	if (n == 0)
		return ls_dirlist(".");
	/* files first, then directories with headers (like coreutils) */
	for (int k = i; k < argc; k++) {
		struct stat st;
		if (lstat(argv[k], &st) < 0) {
			warn("cannot access '%s': %s", argv[k], strerror(errno));
			rc = 2;
			continue;
		}
		if (S_ISDIR(st.st_mode) && !ls_dir)
			continue;
		ls_one(argv[k], argv[k], &st);
	}
	int first = 1;
	for (int k = i; k < argc; k++) {
		struct stat st;
		if (ls_dir || stat(argv[k], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		struct stat lst;
		if (lstat(argv[k], &lst) == 0 && S_ISLNK(lst.st_mode) && ls_long)
			continue;
		if (n > 1)
			printf("%s%s:\n", first ? "" : "\n", argv[k]);
		first = 0;
		int r = ls_dirlist(argv[k]);
		if (r > rc)
			rc = r;
	}
	return rc;
}

/* ---- mkdir / rmdir ---- */
int mkdir_main(int argc, char **argv)
{
	int p = 0, rc = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-p"))
			p = 1;
		else {
			warn("invalid option '%s'", argv[i]);
			return 1;
		}
	}
	if (i == argc) {
		warn("missing operand");
		return 1;
	}
	for (; i < argc; i++) {
		if (p) {
			char *d = strdup(argv[i]);
			for (char *s = d + 1; ; s++) {
				if (*s == '/' || !*s) {
					char c = *s;
					*s = 0;
					struct stat st;
					if (mkdir(d, 0777) < 0 && !(errno == EEXIST && stat(d, &st) == 0 && S_ISDIR(st.st_mode))) {
						warn("cannot create directory '%s': %s", d, strerror(errno));
						rc = 1;
						break;
					}
					*s = c;
					if (!c)
						break;
				}
			}
			free(d);
		} else if (mkdir(argv[i], 0777) < 0) {
			warn("cannot create directory '%s': %s", argv[i], strerror(errno));
			rc = 1;
		}
	}
	return rc;
}

int rmdir_main(int argc, char **argv)
{
	int rc = 0;
	if (argc < 2) {
		warn("missing operand");
		return 1;
	}
	for (int i = 1; i < argc; i++)
		if (rmdir(argv[i]) < 0) {
			warn("failed to remove '%s': %s", argv[i], strerror(errno));
			rc = 1;
		}
	return rc;
}

/* ---- rm ---- */
static int rm_force, rm_rec;

static int rm_path(const char *p)
{
	struct stat st;
	if (lstat(p, &st) < 0) {
		if (rm_force && errno == ENOENT)
			return 0;
		warn("cannot remove '%s': %s", p, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!rm_rec) {
			warn("cannot remove '%s': Is a directory", p);
			return 1;
		}
		int rc = 0;
		DIR *d = opendir(p);
		if (!d) {
			warn("cannot remove '%s': %s", p, strerror(errno));
			return 1;
		}
		struct dirent64 *e;
		/* collect first: removing while reading would skip entries */
		int n = 0, cap = 16;
		char **names = malloc(cap * sizeof(char *));
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (n == cap)
				names = realloc(names, (cap *= 2) * sizeof(char *));
			names[n++] = path_join(p, e->d_name);
		}
		closedir(d);
		for (int i = 0; i < n; i++) {
			rc |= rm_path(names[i]);
			free(names[i]);
		}
		free(names);
		if (rmdir(p) < 0) {
			warn("cannot remove '%s': %s", p, strerror(errno));
			rc = 1;
		}
		return rc;
	}
	if (unlink(p) < 0) {
		warn("cannot remove '%s': %s", p, strerror(errno));
		return 1;
	}
	return 0;
}

int rm_main(int argc, char **argv)
{
	int i = 1, rc = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
		for (char *p = argv[i] + 1; *p; p++) {
			if (*p == 'f') rm_force = 1;
			else if (*p == 'r' || *p == 'R') rm_rec = 1;
			else {
				warn("invalid option -- '%c'", *p);
				return 1;
			}
		}
	if (i == argc && !rm_force) {
		warn("missing operand");
		return 1;
	}
	for (; i < argc; i++) {
		const char *b = basename_of(argv[i]);
		if (!strcmp(b, ".") || !strcmp(b, "..") || !strcmp(argv[i], "/")) {
			warn("refusing to remove '%s'", argv[i]);
			rc = 1;
			continue;
		}
		rc |= rm_path(argv[i]);
	}
	return rc;
}

/* ---- cp / mv / ln: SRC DST or SRC... DIR ---- */
static char *target_for(const char *src, const char *dst, int many)
{
	struct stat st;
	if (many || (stat(dst, &st) == 0 && S_ISDIR(st.st_mode)))
		return path_join(dst, basename_of(src));
	return strdup(dst);
}

static int cp_file(const char *src, const char *dst, int rec);

static int cp_dir(const char *src, const char *dst, const struct stat *st)
{
	int rc = 0;
	if (mkdir(dst, st->st_mode & 07777) < 0 && errno != EEXIST) {
		warn("cannot create directory '%s': %s", dst, strerror(errno));
		return 1;
	}
	DIR *d = opendir(src);
	if (!d) {
		warn("cannot open '%s': %s", src, strerror(errno));
		return 1;
	}
	struct dirent64 *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *s = path_join(src, e->d_name), *t = path_join(dst, e->d_name);
		rc |= cp_file(s, t, 1);
		free(s), free(t);
	}
	closedir(d);
	return rc;
}

static int cp_file(const char *src, const char *dst, int rec)
{
	struct stat st;
	if ((rec ? lstat(src, &st) : stat(src, &st)) < 0) {
		warn("cannot stat '%s': %s", src, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!rec) {
			warn("-r not specified; omitting directory '%s'", src);
			return 1;
		}
		return cp_dir(src, dst, &st);
	}
	if (S_ISLNK(st.st_mode)) {
		char t[4096];
		ssize_t n = readlink(src, t, sizeof(t) - 1);
		if (n < 0 || (t[n] = 0, symlink(t, dst)) < 0) {
			warn("cannot copy '%s': %s", src, strerror(errno));
			return 1;
		}
		return 0;
	}
	int in = open(src, O_RDONLY);
	if (in < 0) {
		warn("cannot open '%s' for reading: %s", src, strerror(errno));
		return 1;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 0777);
	if (out < 0) {
		warn("cannot create regular file '%s': %s", dst, strerror(errno));
		close(in);
		return 1;
	}
	int rc = 0;
	if (copy_fd(in, out) < 0) {
		warn("error copying '%s' to '%s': %s", src, dst, strerror(errno));
		rc = 1;
	}
	close(in);
	if (close(out) < 0 && !rc) {
		warn("error writing '%s': %s", dst, strerror(errno));
		rc = 1;
	}
	return rc;
}

enum { CP, MV, LN };

static int multi(int argc, char **argv, int what)
{
	int i = 1, rc = 0, rec = 0, sym = 0, force = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
		for (char *p = argv[i] + 1; *p; p++) {
			if ((*p == 'r' || *p == 'R') && what == CP) rec = 1;
			else if (*p == 's' && what == LN) sym = 1;
			else if (*p == 'f') force = 1;
			else {
				warn("invalid option -- '%c'", *p);
				return 1;
			}
		}
	int n = argc - i;
	if (n < 2) {
		warn(n ? "missing destination file operand after '%s'" : "missing file operand%s",
		     n ? argv[i] : "");
		return 1;
	}
	const char *dst = argv[argc - 1];
	struct stat st;
	if (n > 2 && (stat(dst, &st) < 0 || !S_ISDIR(st.st_mode))) {
		warn("target '%s' is not a directory", dst);
		return 1;
	}
	for (int k = i; k < argc - 1; k++) {
		char *t = target_for(argv[k], dst, n > 2);
		if (what == CP) {
			rc |= cp_file(argv[k], t, rec);
		} else if (what == MV) {
			if (rename(argv[k], t) < 0) {
				warn("cannot move '%s' to '%s': %s", argv[k], t, strerror(errno));
				rc = 1;
			}
		} else {
			if (force)
				unlink(t);
			if ((sym ? symlink(argv[k], t) : link(argv[k], t)) < 0) {
				warn("failed to create %slink '%s': %s", sym ? "symbolic " : "hard ", t,
				     strerror(errno));
				rc = 1;
			}
		}
		free(t);
	}
	return rc;
}

int cp_main(int argc, char **argv) { return multi(argc, argv, CP); }
int mv_main(int argc, char **argv) { return multi(argc, argv, MV); }
int ln_main(int argc, char **argv) { return multi(argc, argv, LN); }

int pwd_main(int argc, char **argv)
{
	char buf[4096];
	(void)argc, (void)argv;
	if (!getcwd(buf, sizeof(buf))) {
		warn_errno("getcwd");
		return 1;
	}
	puts(buf);
	return 0;
}
