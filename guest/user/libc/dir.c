/* dir.c -- opendir/readdir/closedir over getdents64(2). */
#include "libc.h"

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = malloc(sizeof(DIR));
	if (!d) {
		close(fd);
		return NULL;
	}
	d->fd = fd, d->pos = d->len = 0;
	return d;
}

struct dirent64 *readdir(DIR *d)
{
	if (d->pos >= d->len) {
		int n = getdents64(d->fd, d->buf, sizeof(d->buf));
		if (n <= 0)
			return NULL;
		d->len = n, d->pos = 0;
	}
	struct dirent64 *e = (struct dirent64 *)(d->buf + d->pos);
	d->pos += e->d_reclen;
	return e;
}

int closedir(DIR *d)
{
	int r = close(d->fd);
	free(d);
	return r;
}
