/* cgroup.c — the sandbox's own cgroup after it ends: which limit it hit, and its removal by the outer process.
 *
 * The outer process joined the cgroup (OP_JOIN_CGROUP) before forking, so it has to leave it before the
 * directory can go. Both files are opened while the helper still runs with the caller's credentials and
 * cgroup namespace: the kernel checks a write to cgroup.procs against the opener's, so the move back out
 * works even after the helper entered the sandbox's user and cgroup namespaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

static int open_parent(const char *dir, const char **base, struct herr *e)
{
	const char *slash = strrchr(dir, '/');
	char parent[PLAN_MAX_STR + 1];
	size_t n = slash && slash != dir ? (size_t)(slash - dir) : 1;
	memcpy(parent, dir, n);
	parent[n] = 0;
	*base = slash ? slash + 1 : dir;
	int fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return herr_fail(e, errno, "open cgroup parent `%s`", parent);
	return fd;
}

int cgroup_remove_prepare(struct ctx *c, const struct op *op, struct herr *e)
{
	char procs[PLAN_MAX_STR + 32];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", op->items[1].str);
	c->outer.cg_leave_fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (c->outer.cg_leave_fd < 0)
		return herr_fail(e, errno, "open `%s`", procs);
	c->outer.cg_fd = open(op->items[2].str, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->outer.cg_fd < 0)
		return herr_fail(e, errno, "open cgroup `%s`", op->items[2].str);
	c->outer.cg_parent_fd = open_parent(op->items[2].str, &c->outer.cg_name, e);
	return c->outer.cg_parent_fd < 0 ? -1 : 0;
}

/* The value of `key` in a flat keyed file such as memory.events, or 0 when it cannot be read. */
static unsigned long long keyed_value(int dir_fd, const char *file, const char *key)
{
	char buf[1024];
	int fd = openat(dir_fd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* the controller is not enabled here: it cannot have been hit */
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoull(line + klen + 1, NULL, 10);
	return 0;
}

const char *cgroup_limit_hit(const struct ctx *c)
{
	if (c->outer.cg_fd < 0)
		return NULL;
	if (keyed_value(c->outer.cg_fd, "memory.events", "oom_kill") > 0)
		return "cgroup-memory";
	if (keyed_value(c->outer.cg_fd, "pids.events", "max") > 0)
		return "cgroup-pids";
	return NULL;
}

/* Leave the cgroup and remove it. The sandbox's processes are gone once PID 1 has been reaped, but the
 * kernel may take a moment to mark the cgroup empty: retry EBUSY for up to a second. */
void cgroup_remove(const struct ctx *c)
{
	if (c->outer.cg_parent_fd < 0)
		return;
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	if (write(c->outer.cg_leave_fd, pid, (size_t)n) != n)
		return; /* still inside: rmdir would fail; the next run sweeps the empty directory */
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 100; i++) {
		if (unlinkat(c->outer.cg_parent_fd, c->outer.cg_name, AT_REMOVEDIR) == 0 || errno != EBUSY)
			return; /* other errors: nothing more we can do, and the exit status matters more */
		nanosleep(&pause, NULL);
	}
}
