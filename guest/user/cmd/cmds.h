/* cmds.h -- every command of the multi-call binary (box.c dispatches on
 * basename(argv[0])), and small helpers shared by the commands. */
#ifndef UMLPY_CMDS_H
#define UMLPY_CMDS_H
#include "../libc/libc.h"

#define CMDS(X) \
	X(sh) X(init) X(ls) X(cat) X(echo) X(mkdir) X(rmdir) X(rm) X(cp) X(mv) \
	X(ln) X(wc) X(head) X(dd) X(sync) X(df) X(uname) X(ps) X(md5sum) \
	X(poweroff) X(halt) X(reboot) X(true) X(false) X(sleep) X(test) \
	X(pwd) X(cpubench) X(kill) X(mount)

#define DECL(n) int n##_main(int argc, char **argv);
CMDS(DECL)
int lbracket_main(int argc, char **argv);	/* "[" */

/* util.c */
extern const char *prog;	/* the command name for messages */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* "prog: msg" */
void warn_errno(const char *what);	/* "prog: what: strerror(errno)" */
char *path_join(const char *dir, const char *name);	/* malloc'd */
int copy_fd(int in, int out);	/* 0 or -1 with errno */
int parse_size(const char *s, long *out);	/* dd-style suffixes: c w b k K M G kB MB GB */
int md5_file_fd(int fd, u8 out[16]);	/* md5.c */
void md5(const void *data, size_t n, u8 out[16]);
#endif
