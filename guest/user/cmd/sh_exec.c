/* sh_exec.c -- running pipelines: fork per command, pipe2 between them,
 * redirections with dup2, PATH search, builtins in the shell when alone
 * (fds saved with fcntl F_DUPFD and restored), $? from wait4. */
#include "sh.h"

static int open_redir(struct redir *r)
{
	int fd;
	if (r->type == R_CLOSE) {
		close(r->fd);
		return 0;
	}
	if (r->type == R_DUP) {
		if (dup2(r->dupfd, r->fd) < 0) {
			dprintf(2, "sh: %d: %s\n", r->dupfd, strerror(errno));
			return -1;
		}
		return 0;
	}
	int fl = r->type == R_IN ? O_RDONLY
		 : r->type == R_OUT ? O_WRONLY | O_CREAT | O_TRUNC
				   : O_WRONLY | O_CREAT | O_APPEND;
	fd = open(r->path, fl, 0666);
	if (fd < 0) {
		dprintf(2, "sh: can't %s %s: %s\n", r->type == R_IN ? "open" : "create", r->path,
			strerror(errno));
		return -1;
	}
	if (fd != r->fd) {
		dup2(fd, r->fd);
		close(fd);
	}
	return 0;
}

static int apply_redirs(struct cmd *c, int *saved)
{
	for (int i = 0; i < c->nr; i++) {
		int fd = c->r[i].fd;
		if (saved && saved[fd] == -2) {
			saved[fd] = fcntl(fd, F_DUPFD, 10);
			if (saved[fd] >= 0)
				fcntl(saved[fd], F_SETFD, FD_CLOEXEC);
		}
		if (open_redir(&c->r[i]) < 0)
			return -1;
	}
	return 0;
}

static void restore_fds(int *saved)
{
	for (int fd = 0; fd < 10; fd++) {
		if (saved[fd] == -2)
			continue;
		if (saved[fd] >= 0) {
			dup2(saved[fd], fd);
			close(saved[fd]);
		} else {
			close(fd);
		}
	}
}

/* exec NAME via PATH; returns only on failure (prints, exits 126/127) */
static void __attribute__((noreturn)) do_exec(struct cmd *c)
{
	char *name = c->argv.v[0];
	char **env = build_env(&c->assign);
	int err = ENOENT;
	char *found = NULL;
	if (strchr(name, '/')) {
		execve(name, c->argv.v, env);
		err = errno;
		found = name;
	} else {
		const char *path = var_get("PATH");
		if (!path)
			path = "/bin:/sbin";
		for (const char *d = path;;) {
			const char *e = strchr(d, ':');
			size_t l = e ? (size_t)(e - d) : strlen(d);
			char *dir = strndup(d, l);
			char *full = path_join(l ? dir : ".", name);
			free(dir);
			execve(full, c->argv.v, env);
			if (errno != ENOENT && errno != ENOTDIR && err == ENOENT) {
				err = errno;
				found = full;
			} else {
				free(full);
			}
			if (errno == ENOEXEC)
				break;
			if (!e)
				break;
			d = e + 1;
		}
	}
	if (err == ENOEXEC && found) {
		/* a script without #! (or a kernel without #! support): run it here */
		int fd = open(found, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			environ = env;
			sh.argc = c->argv.n, sh.argv = c->argv.v;
			sh.argv[0] = found;
			sh.interactive = 0;
			run_fd_script(fd);
			exit(sh.exiting ? sh.exit_code : sh.status);
		}
		err = errno;
	}
	if (err == ENOENT)
		dprintf(2, "sh: %s: not found\n", name);
	else
		dprintf(2, "sh: %s: %s\n", name, strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

static int wait_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		if (sig == SIGINT)
			dprintf(2, "\n"), sh.interrupted = 1;
		else if (sig != SIGPIPE)
			dprintf(2, "sh: terminated by signal %d\n", sig);
		return 128 + sig;
	}
	return 1;
}

static void child_signals(int bg)
{
	signal(SIGINT, bg ? SIG_IGN : SIG_DFL);
	signal(SIGQUIT, bg ? SIG_IGN : SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

int exec_pipeline(struct cmd *cmds, int n, int bg)
{
	/* assignments only: set shell variables (exported ones stay exported) */
	if (n == 1 && !cmds[0].argv.n) {
		int saved[10];
		for (int i = 0; i < 10; i++)
			saved[i] = -2;
		int rc = apply_redirs(&cmds[0], saved) < 0;
		restore_fds(saved);
		for (int i = 0; i < cmds[0].assign.n; i++) {
			char *a = cmds[0].assign.v[i], *eq = strchr(a, '=');
			*eq = 0;
			var_set(a, eq + 1, 0);
			*eq = '=';
		}
		return rc;
	}
	int bi = n == 1 && !bg ? builtin_index(cmds[0].argv.v[0]) : -1;
	if (bi >= 0) {
		int saved[10];
		for (int i = 0; i < 10; i++)
			saved[i] = -2;
		int rc = 1;
		if (apply_redirs(&cmds[0], saved) == 0)
			rc = run_builtin(bi, cmds[0].argv.n, cmds[0].argv.v);
		fflush(stdout);
		restore_fds(saved);
		return rc;
	}
	int pids[MAXPIPE], in = -1, status = 0;
	for (int i = 0; i < n; i++) {
		int pfd[2] = { -1, -1 };
		if (i + 1 < n && pipe(pfd) < 0) {
			dprintf(2, "sh: pipe: %s\n", strerror(errno));
			n = i;
			break;
		}
		pid_t pid = fork();
		if (pid == 0) {
			child_signals(bg);
			if (in >= 0)
				dup2(in, 0), close(in);
			else if (bg && i == 0) {
				int z = open("/dev/null", O_RDONLY);
				if (z >= 0 && z != 0)
					dup2(z, 0), close(z);
			}
			if (pfd[1] >= 0)
				dup2(pfd[1], 1), close(pfd[1]), close(pfd[0]);
			if (apply_redirs(&cmds[i], NULL) < 0)
				_exit(1);
			if (!cmds[i].argv.n)
				_exit(0);
			int b = builtin_index(cmds[i].argv.v[0]);
			if (b >= 0) {
				sh.interactive = 0;
				int rc = run_builtin(b, cmds[i].argv.n, cmds[i].argv.v);
				exit(sh.exiting ? sh.exit_code : rc);
			}
			do_exec(&cmds[i]);
		}
		if (pid < 0) {
			dprintf(2, "sh: fork: %s\n", strerror(errno));
			if (pfd[0] >= 0)
				close(pfd[0]), close(pfd[1]);
			n = i;
			break;
		}
		pids[i] = pid;
		if (in >= 0)
			close(in);
		if (pfd[1] >= 0)
			close(pfd[1]);
		in = pfd[0];
	}
	if (in >= 0)
		close(in);
	if (bg) {
		if (sh.interactive && n)
			dprintf(2, "[%d]\n", pids[n - 1]);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		int st = 0;
		while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
			;
		if (i == n - 1)
			status = wait_status(st);
	}
	return n ? status : 1;
}
