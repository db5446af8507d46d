/* sh_lex.c -- shell words: quoting ('...', "...", \), $VAR ${VAR} $? $$ $#
 * $0-$9 $@ $* expansion with field splitting of unquoted results, pathname
 * globbing (* ? [...]) of unquoted characters, and the pipeline grammar:
 *   pipeline := cmd ('|' cmd)*      cmd := (NAME=value)* (word | redir)*
 *   redir := [n]< w | [n]> w | [n]>> w | [n]>&m | [n]>&-
 * terminated by ; & && || newline, end or an unquoted # comment. */
#include "sh.h"

void vec_push(struct vec *v, char *s)
{
	if (v->n + 2 > v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = realloc(v->v, v->cap * sizeof(char *));
	}
	v->v[v->n++] = s;
	v->v[v->n] = NULL;
}

void vec_free(struct vec *v)
{
	for (int i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL, v->n = v->cap = 0;
}

void cmd_free(struct cmd *c)
{
	vec_free(&c->argv);
	vec_free(&c->assign);
	for (int i = 0; i < c->nr; i++)
		free(c->r[i].path);
	c->nr = 0;
}

/* a word being built: chars plus a flag per char "is an active glob char" */
struct word { char *s, *g; int len, cap, exists, globby; };
static int assign_mode;	/* lexing a NAME=value value: no field splitting, no globbing */

static void wput(struct word *w, char c, int glob)
{
	if (w->len + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->s = realloc(w->s, w->cap);
		w->g = realloc(w->g, w->cap);
	}
	w->s[w->len] = c, w->g[w->len] = (char)glob;
	w->len++;
	w->s[w->len] = 0;
	w->exists = 1;
	if (glob)
		w->globby = 1;
}

/* ---- globbing ---- */
static int match(const char *p, const char *g, const char *s)
{
	for (; *p; p++, g++) {
		if (*g && *p == '*') {
			for (;; s++) {
				if (match(p + 1, g + 1, s))
					return 1;
				if (!*s)
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*g && *p == '?') {
			s++;
			continue;
		}
		if (*g && *p == '[') {
			const char *q = p + 1;
			int neg = *q == '!' || *q == '^', ok = 0;
			if (neg)
				q++;
			for (const char *r = q; *r && (r == q || *r != ']'); r++)
				if (r[1] == '-' && r[2] && r[2] != ']') {
					if ((u8)*s >= (u8)r[0] && (u8)*s <= (u8)r[2])
						ok = 1;
					r += 2;
				} else if (*r == *s) {
					ok = 1;
				}
			const char *e = strchr(q + 1, ']');
			if (e) {
				if (ok == neg)
					return 0;
				g += e - p, p = e, s++;
				continue;
			}
		}
		if (*p != *s)
			return 0;
		s++;
	}
	return !*s;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* expand pattern components from index `off` of w below directory `dir` */
static void glob_rec(const char *dir, const char *pat, const char *gl, struct vec *out)
{
	const char *slash = strchr(pat, '/');
	size_t clen = slash ? (size_t)(slash - pat) : strlen(pat);
	int active = 0;
	for (size_t i = 0; i < clen; i++)
		if (gl[i])
			active = 1;
	char *comp = strndup(pat, clen), *cg = malloc(clen + 1);
	memcpy(cg, gl, clen);
	cg[clen] = 0;
	if (!active) {
		char *p = *dir ? path_join(dir, comp) : strdup(comp);
		struct stat st;
		if (!slash) {
			if (lstat(p, &st) == 0)
				vec_push(out, p), p = NULL;
		} else {
			glob_rec(p, slash + 1, gl + clen + 1, out);
		}
		free(p);
	} else {
		DIR *d = opendir(*dir ? dir : ".");
		struct dirent64 *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' && comp[0] != '.')
				continue;
			if (!match(comp, cg, e->d_name))
				continue;
			char *p = *dir ? path_join(dir, e->d_name) : strdup(e->d_name);
			if (!slash)
				vec_push(out, p);
			else {
				glob_rec(p, slash + 1, gl + clen + 1, out), free(p);
			}
		}
		if (d)
			closedir(d);
	}
	free(comp), free(cg);
}

static void finish_word(struct word *w, struct vec *out)
{
	if (!w->exists)
		return;
	if (w->globby && !assign_mode) {
		struct vec m = { 0 };
		const char *root = w->s[0] == '/' ? "/" : "";
		int skip = w->s[0] == '/';
		glob_rec(root, w->s + skip, w->g + skip, &m);
		if (m.n) {
			qsort(m.v, m.n, sizeof(char *), cmpstr);
			for (int i = 0; i < m.n; i++)
				vec_push(out, m.v[i]);
			free(m.v);
			goto done;
		}
	}
	vec_push(out, strndup(w->s ? w->s : "", w->len));
done:
	w->len = 0, w->exists = 0, w->globby = 0;
	if (w->s)
		w->s[0] = 0;
}

/* append expansion text; unquoted: split fields on blanks and glob */
static void wexpand(struct word *w, const char *val, int quoted, struct vec *out)
{
	for (; *val; val++) {
		if (!quoted && !assign_mode && (*val == ' ' || *val == '\t' || *val == '\n')) {
			finish_word(w, out);
			continue;
		}
		wput(w, *val, !quoted && (*val == '*' || *val == '?' || *val == '['));
	}
}

static const char *dollar(const char *p, struct word *w, int quoted, struct vec *out)
{
	char num[24], name[128];
	const char *val = NULL;
	/* p points after '$' */
	if (*p == '?') {
		snprintf(num, sizeof(num), "%d", sh.status), val = num, p++;
	} else if (*p == '$') {
		snprintf(num, sizeof(num), "%d", getpid()), val = num, p++;
	} else if (*p == '#') {
		snprintf(num, sizeof(num), "%d", sh.argc > 0 ? sh.argc - 1 : 0), val = num, p++;
	} else if (isdigit(*p)) {
		int i = *p++ - '0';
		val = i < sh.argc ? sh.argv[i] : "";
	} else if (*p == '@' || *p == '*') {
		p++;
		for (int i = 1; i < sh.argc; i++) {
			if (i > 1) {
				if (quoted)
					wput(w, ' ', 0);
				else
					finish_word(w, out);
			}
			wexpand(w, sh.argv[i], quoted, out);
		}
		return p;
	} else if (*p == '{') {
		const char *e = strchr(p, '}');
		if (!e || !is_name(p + 1, e - p - 1) || e - p - 1 >= (long)sizeof(name)) {
			wput(w, '$', 0);
			return p;
		}
		memcpy(name, p + 1, e - p - 1);
		name[e - p - 1] = 0;
		val = var_get(name), p = e + 1;
	} else if (isalpha(*p) || *p == '_') {
		size_t n = 0;
		while ((isalnum(p[n]) || p[n] == '_') && n < sizeof(name) - 1)
			name[n] = p[n], n++;
		name[n] = 0;
		val = var_get(name), p += n;
	} else {
		wput(w, '$', 0);
		return p;
	}
	if (val)
		wexpand(w, val, quoted, out);
	return p;
}

static int is_meta(char c)
{
	return !c || c == ' ' || c == '\t' || c == '\n' || c == '|' || c == '&' || c == ';' ||
	       c == '<' || c == '>';
}

/* one shell word at *pp -> 0..n fields in out; -1 on an unterminated quote */
static int lex_word(const char **pp, struct vec *out)
{
	const char *p = *pp;
	struct word w = { 0 };
	while (!is_meta(*p)) {
		char c = *p;
		if (c == '\'') {
			const char *e = strchr(p + 1, '\'');
			if (!e)
				goto bad;
			w.exists = 1;
			for (p++; p < e; p++)
				wput(&w, *p, 0);
			p++;
		} else if (c == '"') {
			w.exists = 1;
			for (p++; *p != '"'; p++) {
				if (!*p)
					goto bad;
				if (*p == '\\' && (p[1] == '$' || p[1] == '"' || p[1] == '\\' || p[1] == '`'))
					wput(&w, *++p, 0);
				else if (*p == '$')
					p = dollar(p + 1, &w, 1, out) - 1;
				else
					wput(&w, *p, 0);
			}
			p++;
		} else if (c == '\\') {
			if (p[1] == '\n' || !p[1]) {
				p += p[1] ? 2 : 1;
				continue;
			}
			wput(&w, p[1], 0);
			p += 2;
		} else if (c == '$') {
			p = dollar(p + 1, &w, 0, out);
		} else {
			wput(&w, c, c == '*' || c == '?' || c == '[');
			p++;
		}
	}
	finish_word(&w, out);
	free(w.s), free(w.g);
	*pp = p;
	return 0;
bad:
	free(w.s), free(w.g);
	return -1;
}

static const char *blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* parse and expand one pipeline; *pp advances past its terminator */
int parse_pipeline(const char **pp, struct cmd *cmds, int *ncmd)
{
	const char *p = *pp;
	int n = 0, op;
	struct cmd *c = &cmds[0];
	memset(c, 0, sizeof(*c));
	for (;;) {
		p = blanks(p);
		if (!*p || *p == '\n' || *p == '#') {
			op = T_END;
			while (*p && *p != '\n')
				p++;
			if (*p)
				p++;
			break;
		}
		if (*p == ';') { op = T_SEMI, p++; break; }
		if (*p == '&') {
			op = p[1] == '&' ? T_AND : T_AMP, p += p[1] == '&' ? 2 : 1;
			break;
		}
		if (*p == '|') {
			if (p[1] == '|') { op = T_OR, p += 2; break; }
			if (!c->argv.n && !c->nr && !c->assign.n)
				goto syntax;
			if (++n == MAXPIPE) {
				dprintf(2, "sh: pipeline too long\n");
				goto fail;
			}
			c = &cmds[n];
			memset(c, 0, sizeof(*c));
			p++;
			continue;
		}
		int fd = -1;
		const char *q = p;
		while (isdigit(*q))
			q++;
		if (q > p && q - p < 3 && (*q == '<' || *q == '>'))
			fd = atoi(p), p = q;
		if (*p == '<' || *p == '>') {
			if (c->nr == MAXREDIR)
				goto syntax;
			struct redir *r = &c->r[c->nr];
			memset(r, 0, sizeof(*r));
			if (*p == '<')
				r->fd = fd < 0 ? 0 : fd, r->type = R_IN, p++;
			else if (p[1] == '>')
				r->fd = fd < 0 ? 1 : fd, r->type = R_APPEND, p += 2;
			else
				r->fd = fd < 0 ? 1 : fd, r->type = R_OUT, p++;
			if (*p == '&' && r->type != R_APPEND) {
				p = blanks(p + 1);
				if (*p == '-')
					r->type = R_CLOSE, p++;
				else if (isdigit(*p))
					r->type = R_DUP, r->dupfd = (int)strtol(p, (char **)&p, 10);
				else
					goto syntax;
			} else {
				struct vec t = { 0 };
				p = blanks(p);
				if (is_meta(*p) || lex_word(&p, &t) < 0)
					goto syntax_t;
				if (t.n != 1) {
					dprintf(2, "sh: ambiguous redirect\n");
					vec_free(&t);
					goto fail;
				}
				r->path = t.v[0];
				free(t.v);
			}
			if (r->fd > 9)
				goto syntax;
			c->nr++;
			continue;
		syntax_t:
			goto syntax;
		}
		/* leading NAME=value words are assignments */
		const char *eq = p;
		while (isalnum(*eq) || *eq == '_')
			eq++;
		if (!c->argv.n && *eq == '=' && eq > p && !isdigit(*p)) {
			struct vec t = { 0 };
			size_t nl = eq - p;
			const char *vp = eq + 1;
			if (is_meta(*vp)) {
				t.n = 0;
				p = vp;
			} else {
				/* value: expanded but neither split nor globbed: lex and join */
				assign_mode = 1;
				int bad = lex_word(&vp, &t) < 0;
				assign_mode = 0;
				if (bad)
					goto syntax;
				p = vp;
			}
			size_t vl = 0;
			for (int i = 0; i < t.n; i++)
				vl += strlen(t.v[i]) + 1;
			char *a = malloc(nl + vl + 2);
			memcpy(a, eq - nl, nl);
			a[nl] = '=';
			a[nl + 1] = 0;
			for (int i = 0; i < t.n; i++) {
				if (i)
					strcpy(a + strlen(a), " ");
				strcpy(a + strlen(a), t.v[i]);
			}
			vec_free(&t);
			vec_push(&c->assign, a);
			continue;
		}
		if (lex_word(&p, &c->argv) < 0) {
			dprintf(2, "sh: syntax error: unterminated quoted string\n");
			goto fail;
		}
	}
	if (n > 0 && !c->argv.n && !c->nr && !c->assign.n)
		goto syntax;
	*ncmd = n + 1;
	*pp = p;
	return op;
syntax:
	dprintf(2, "sh: syntax error near '%.10s'\n", p);
fail:
	for (int i = 0; i <= n && i < MAXPIPE; i++)
		cmd_free(&cmds[i]);
	*ncmd = 0;
	return T_ERR;
}
