/* sh.c -- the shell: variables, builtins (cd exit export unset echo . pwd
 * wait), input (tty line editor, pipes read a byte at a time so children
 * see the rest, script files buffered), and main (sh [-i] [-c CMD [ARG0
 * ARG...]] | sh FILE [ARG...]).  Grammar: sh_lex.c; execution: sh_exec.c.
 * Prompt on a tty: "<cwd> # " on stderr.  docs/userland.md. */
#include "sh.h"

struct shell sh;

/* ---- variables ---- */
struct var { char *name, *val; int exported; };
static struct var *vars;
static int nvars, capvars;

int is_name(const char *s, size_t n)
{
	if (!n || isdigit(*s))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum(s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static struct var *var_find(const char *name)
{
	for (int i = 0; i < nvars; i++)
		if (!strcmp(vars[i].name, name))
			return &vars[i];
	return NULL;
}

const char *var_get(const char *name)
{
	struct var *v = var_find(name);
	return v ? v->val : NULL;
}

void var_set(const char *name, const char *val, int export)
{
	struct var *v = var_find(name);
	if (!v) {
		if (nvars == capvars)
			vars = realloc(vars, (capvars = capvars ? capvars * 2 : 32) * sizeof(*vars));
		v = &vars[nvars++];
		v->name = strdup(name), v->val = NULL, v->exported = 0;
	}
	if (val) {
		free(v->val);
		v->val = strdup(val);
	}
	if (export)
		v->exported = 1;
}

void var_unset(const char *name)
{
	struct var *v = var_find(name);
	if (!v)
		return;
	free(v->name), free(v->val);
	*v = vars[--nvars];
}

char **build_env(struct vec *assign)
{
	struct vec e = { 0 };
	for (int i = 0; i < nvars; i++) {
		if (!vars[i].exported || !vars[i].val)
			continue;
		int over = 0;
		size_t l = strlen(vars[i].name);
		for (int k = 0; assign && k < assign->n; k++)
			if (!strncmp(assign->v[k], vars[i].name, l) && assign->v[k][l] == '=')
				over = 1;
		if (over)
			continue;
		char *s = malloc(l + strlen(vars[i].val) + 2);
		snprintf(s, l + strlen(vars[i].val) + 2, "%s=%s", vars[i].name, vars[i].val);
		vec_push(&e, s);
	}
	for (int k = 0; assign && k < assign->n; k++)
		vec_push(&e, strdup(assign->v[k]));
	if (!e.v)
		vec_push(&e, NULL), e.n = 0;
	return e.v;
}

/* ---- builtins ---- */
static const char *const builtins[] = { "cd", "exit", "export", "unset", "echo", ".", "pwd",
					"wait", "true", "false", NULL };

int builtin_index(const char *name)
{
	for (int i = 0; builtins[i]; i++)
		if (!strcmp(builtins[i], name))
			return i;
	return -1;
}

int run_builtin(int idx, int argc, char **argv)
{
	const char *name = builtins[idx];
	if (!strcmp(name, "cd")) {
		const char *d = argc > 1 ? argv[1] : var_get("HOME");
		if (!d || !*d)
			d = "/";
		if (chdir(d) < 0) {
			dprintf(2, "sh: cd: %s: %s\n", d, strerror(errno));
			return 1;
		}
		char buf[4096];
		if (getcwd(buf, sizeof(buf)))
			var_set("PWD", buf, 0);
		return 0;
	}
	if (!strcmp(name, "exit")) {
		sh.exiting = 1;
		sh.exit_code = argc > 1 ? atoi(argv[1]) & 255 : sh.status;
		return sh.exit_code;
	}
	if (!strcmp(name, "export") || !strcmp(name, "unset")) {
		int rc = 0;
		for (int i = 1; i < argc; i++) {
			char *eq = strchr(argv[i], '=');
			size_t l = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
			if (!is_name(argv[i], l) || (eq && name[0] == 'u')) {
				dprintf(2, "sh: %s: bad variable name '%s'\n", name, argv[i]);
				rc = 1;
				continue;
			}
			if (eq)
				*eq = 0;
			if (name[0] == 'u')
				var_unset(argv[i]);
			else
				var_set(argv[i], eq ? eq + 1 : NULL, 1);
			if (eq)
				*eq = '=';
		}
		if (argc == 1 && name[0] == 'e')
			for (int i = 0; i < nvars; i++)
				if (vars[i].exported && vars[i].val)
					printf("export %s='%s'\n", vars[i].name, vars[i].val);
		return rc;
	}
	if (!strcmp(name, "echo")) {
		int rc = echo_main(argc, argv);
		fflush(stdout);
		return rc;
	}
	if (!strcmp(name, ".")) {
		if (argc < 2) {
			dprintf(2, "sh: .: filename argument required\n");
			return 2;
		}
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			dprintf(2, "sh: .: can't open %s: %s\n", argv[1], strerror(errno));
			return 2;
		}
		int inter = sh.interactive;
		sh.interactive = 0;
		run_fd_script(fd);
		sh.interactive = inter;
		return sh.status;
	}
	if (!strcmp(name, "pwd")) {
		int rc = pwd_main(argc, argv);
		fflush(stdout);
		return rc;
	}
	if (!strcmp(name, "wait")) {
		int st;
		while (waitpid(-1, &st, 0) > 0 || errno == EINTR)
			;
		return 0;
	}
	return !strcmp(name, "false");
}

/* ---- running text ---- */
int run_string(const char *line)
{
	const char *p = line;
	int skip = 0;
	struct cmd cmds[MAXPIPE];
	while (*p && !sh.exiting) {
		int n, op = parse_pipeline(&p, cmds, &n);
		if (op == T_ERR) {
			sh.status = 2;
			return 2;
		}
		int empty = n == 1 && !cmds[0].argv.n && !cmds[0].assign.n && !cmds[0].nr;
		sh.interrupted = 0;
		if (!skip && !empty)
			sh.status = exec_pipeline(cmds, n, op == T_AMP);
		for (int i = 0; i < n; i++)
			cmd_free(&cmds[i]);
		if (sh.interrupted && sh.interactive)	/* Ctrl-C abandons the rest of the line */
			break;
		if (op == T_AND || op == T_OR)	/* the list goes on after newlines */
			while (*p == ' ' || *p == '\t' || *p == '\n')
				p++;
		if (op == T_AND)
			skip = sh.status != 0;
		else if (op == T_OR)
			skip = sh.status == 0;
		else
			skip = 0;	/* ; & newline */
	}
	return sh.status;
}

/* line reader: buffered for files (fd is O_CLOEXEC, children never see it),
 * unbuffered for a shared stdin so commands read what follows their line */
struct src { int fd, buffered, pos, len; char buf[4096]; };

static int src_getc(struct src *s)
{
	if (s->pos >= s->len) {
		ssize_t n = read(s->fd, s->buf, s->buffered ? sizeof(s->buf) : 1);
		if (n <= 0)
			return -1;
		s->pos = 0, s->len = (int)n;
	}
	return (u8)s->buf[s->pos++];
}

static char *src_line(struct src *s)
{
	size_t n = 0, cap = 128;
	char *l = malloc(cap);
	int c;
	while ((c = src_getc(s)) >= 0) {
		if (n + 2 > cap)
			l = realloc(l, cap *= 2);
		l[n++] = (char)c;
		if (c == '\n') {
			/* a trailing backslash continues the line */
			if (n >= 2 && l[n - 2] == '\\') {
				n -= 2;
				continue;
			}
			break;
		}
	}
	if (c < 0 && n == 0) {
		free(l);
		return NULL;
	}
	l[n] = 0;
	return l;
}

static int run_src(struct src *s)
{
	char *l;
	while (!sh.exiting && (l = src_line(s))) {
		run_string(l);
		free(l);
	}
	return sh.status;
}

int run_fd_script(int fd)
{
	struct src *s = malloc(sizeof(*s));
	s->fd = fd, s->buffered = 1, s->pos = s->len = 0;
	int rc = run_src(s);
	close(fd);
	free(s);
	return rc;
}

/* ---- tty line editor ---- */
static char *edit_line(const char *prompt)
{
	struct termios orig, raw;
	if (tcgetattr(0, &orig) < 0)
		return NULL;
	raw = orig;
	raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1, raw.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &raw);
	size_t n = 0, cap = 256;
	char *l = malloc(cap);
	int esc = 0, eof = 0;
	dprintf(2, "%s", prompt);
	for (;;) {
		u8 c;
		ssize_t r = read(0, &c, 1);
		if (r <= 0) {
			if (n == 0)
				eof = 1;
			break;
		}
		if (esc) {	/* skip ESC [ ... final-byte sequences (arrows) */
			if (esc == 1 && (c == '[' || c == 'O'))
				esc = 2;
			else if (esc == 1 || (c >= 0x40 && c <= 0x7e))
				esc = 0;
			continue;
		}
		if (c == '\r' || c == '\n') {
			dprintf(2, "\n");
			break;
		} else if (c == 0x7f || c == 0x08) {
			if (n)
				n--, dprintf(2, "\b \b");
		} else if (c == 0x15) {	/* Ctrl-U */
			while (n)
				n--, dprintf(2, "\b \b");
		} else if (c == 0x17) {	/* Ctrl-W */
			while (n && l[n - 1] == ' ')
				n--, dprintf(2, "\b \b");
			while (n && l[n - 1] != ' ')
				n--, dprintf(2, "\b \b");
		} else if (c == 0x03) {	/* Ctrl-C: cancel the line */
			dprintf(2, "^C\n%s", prompt);
			n = 0;
		} else if (c == 0x04) {	/* Ctrl-D: EOF on an empty line */
			if (n == 0) {
				eof = 1;
				dprintf(2, "\n");
				break;
			}
		} else if (c == 0x1b) {
			esc = 1;
		} else if (c >= 0x20 || c == '\t') {
			if (n + 2 > cap)
				l = realloc(l, cap *= 2);
			l[n++] = (char)c;
			write(2, &c, 1);
		}
	}
	tcsetattr(0, TCSANOW, &orig);
	if (eof) {
		free(l);
		return NULL;
	}
	l[n++] = '\n';
	l[n] = 0;
	return l;
}

static void interactive_loop(void)
{
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int tty = isatty(0);
	struct src in = { 0, 0, 0, 0, {0} };
	while (!sh.exiting) {
		int st;
		while (waitpid(-1, &st, WNOHANG) > 0)	/* reap background jobs */
			;
		char cwd[4096], prompt[4200];
		if (!getcwd(cwd, sizeof(cwd)))
			strcpy(cwd, "?");
		snprintf(prompt, sizeof(prompt), "%s # ", cwd);
		char *l;
		if (tty) {
			l = edit_line(prompt);
		} else {
			dprintf(2, "%s", prompt);
			l = src_line(&in);
		}
		if (!l)
			break;
		run_string(l);
		free(l);
	}
}

int sh_main(int argc, char **argv)
{
	for (char **e = environ; e && *e; e++) {
		char *eq = strchr(*e, '=');
		if (!eq || !is_name(*e, eq - *e))
			continue;
		*eq = 0;
		var_set(*e, eq + 1, 1);
		*eq = '=';
	}
	if (!var_get("PATH"))
		var_set("PATH", "/bin:/sbin", 1);
	signal(SIGPIPE, SIG_DFL);
	int i = 1, force_i = 0;
	const char *cmd = NULL;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-i"))
			force_i = 1;
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cmd = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			dprintf(2, "sh: %s: invalid option\n", argv[i]);
			return 2;
		}
	}
	sh.argv = argv + i - 1, sh.argc = argc - i + 1;
	sh.argv[0] = argv[0];
	if (cmd) {
		if (i < argc)	/* sh -c CMD ARG0 ARG1... */
			sh.argv = argv + i, sh.argc = argc - i;
		run_string(cmd);
	} else if (i < argc) {
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			dprintf(2, "sh: can't open %s: %s\n", argv[i], strerror(errno));
			return 127;
		}
		sh.argv = argv + i, sh.argc = argc - i;
		run_fd_script(fd);
	} else if (force_i || isatty(0)) {
		sh.interactive = 1;
		interactive_loop();
	} else {
		struct src in = { 0, 0, 0, 0, {0} };
		run_src(&in);
	}
	return sh.exiting ? sh.exit_code : sh.status;
}
