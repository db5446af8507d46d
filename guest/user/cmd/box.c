/* box.c -- multi-call entry: runs the command named by argv[0]'s basename
 * (hard links /bin/NAME -> the same inode), or `box NAME ARGS...`. */
#include "cmds.h"

struct cmd { const char *name; int (*fn)(int, char **); };
#define ENT(n) { #n, n##_main },
static const struct cmd cmds[] = { CMDS(ENT) { "[", lbracket_main }, { NULL, NULL } };

int main(int argc, char **argv)
{
	const char *name = argc > 0 ? basename_of(argv[0]) : "box";
	if (!strcmp(name, "box")) {
		if (argc < 2) {
			fputs("usage: box COMMAND [ARG]...\ncommands:", stderr);
			for (const struct cmd *c = cmds; c->name; c++)
				fprintf(stderr, " %s", c->name);
			fputs("\n", stderr);
			return 1;
		}
		argv++, argc--;
		name = basename_of(argv[0]);
	}
	/* a login shell is started as "-sh" */
	if (name[0] == '-')
		name++;
	for (const struct cmd *c = cmds; c->name; c++)
		if (!strcmp(c->name, name)) {
			prog = c->name;
			return c->fn(argc, argv);
		}
	fprintf(stderr, "box: %s: applet not found\n", name);
	return 127;
}
