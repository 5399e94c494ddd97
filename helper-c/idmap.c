/* idmap.c — setgroups and the uid/gid maps of the user namespace the helper has just entered. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

/* Writes go through the host /proc opened at start, so they work after pivot_root without a /proc inside. */
static int write_self(const struct ctx *c, const char *file, const char *text, struct herr *e)
{
	char path[64];
	snprintf(path, sizeof path, "self/%s", file);
	int fd = openat(c->proc_fd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return herr_fail(e, errno, "open `/proc/%s`", path);
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	int err = errno;
	close(fd);
	if (w < 0)
		return herr_fail(e, err, "write `%s` to `/proc/%s`", text, path);
	if ((size_t)w != n)
		return herr_fail(e, EIO, "short write to `/proc/%s`", path);
	return 0;
}

int idmap_setgroups_deny(const struct ctx *c, struct herr *e)
{
	return write_self(c, "setgroups", "deny", e);
}

int idmap_write(const struct ctx *c, const char *file, const char *map, struct herr *e)
{
	return write_self(c, file, map, e);
}
