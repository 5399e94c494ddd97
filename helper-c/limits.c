/* limits.c — resource limits and cgroup membership. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "helper.h"

int limits_rlimit(const struct op *op, struct herr *e)
{
	struct rlimit rl = { .rlim_cur = (rlim_t)op->items[2].u64, .rlim_max = (rlim_t)op->items[3].u64 };
	if (setrlimit((int)op->items[1].u64, &rl) < 0)
		return herr_fail(e, errno, "set rlimit %llu to %llu/%llu", (unsigned long long)op->items[1].u64,
		                 (unsigned long long)op->items[2].u64, (unsigned long long)op->items[3].u64);
	return 0;
}

/* Join before the user namespace is entered: cgroup.procs checks permissions against the host ids. */
int limits_join_cgroup(const struct op *op, struct herr *e)
{
	char path[PLAN_MAX_STR + 32], pid[32];
	snprintf(path, sizeof path, "%s/cgroup.procs", op->items[1].str);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return herr_fail(e, errno, "open `%s`", path);
	int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	ssize_t w = write(fd, pid, (size_t)n);
	int err = errno;
	close(fd);
	if (w != n)
		return herr_fail(e, w < 0 ? err : EIO, "write own pid to `%s`", path);
	return 0;
}
