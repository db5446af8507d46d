/* sh.h -- the shell's internal interface (sh.c input/builtins/main,
 * sh_lex.c words/expansion/globbing, sh_exec.c pipelines/redirection). */
#ifndef UMLPY_SH_H
#define UMLPY_SH_H
#include "cmds.h"

struct vec { char **v; int n, cap; };	/* NULL-terminated string vector */
void vec_push(struct vec *v, char *s);
void vec_free(struct vec *v);

enum { R_IN, R_OUT, R_APPEND, R_DUP, R_CLOSE };
struct redir { int fd, type, dupfd; char *path; };

#define MAXREDIR 16
struct cmd {
	struct vec argv, assign;
	struct redir r[MAXREDIR];
	int nr;
};

#define MAXPIPE 16
enum { T_END, T_PIPE, T_AND, T_OR, T_SEMI, T_AMP, T_ERR };

/* sh.c: state */
struct shell {
	int status;	/* $? */
	int interactive;
	int argc;	/* positional parameters $0..$n */
	char **argv;
	int exiting, exit_code;
	int interrupted;	/* the last foreground command died of SIGINT */
};
extern struct shell sh;
const char *var_get(const char *name);
void var_set(const char *name, const char *val, int export);
void var_unset(const char *name);
char **build_env(struct vec *assign);
int is_name(const char *s, size_t n);
int run_string(const char *line);	/* runs one line (lists, pipelines) */
int run_fd_script(int fd);		/* runs every line from fd */
int builtin_index(const char *name);
int run_builtin(int idx, int argc, char **argv);

/* sh_lex.c */
int parse_pipeline(const char **pp, struct cmd *cmds, int *ncmd);	/* returns T_* op */
void cmd_free(struct cmd *c);

/* sh_exec.c */
int exec_pipeline(struct cmd *cmds, int n, int bg);
#endif
