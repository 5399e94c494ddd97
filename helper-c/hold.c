/* hold.c — bubblewrap's process plumbing: a fd to wait on, a fd and locks that live as long as the sandbox,
 * and user namespaces turned off inside.
 *
 * Locks are POSIX record locks (F_SETLK), as bwrap takes them: they belong to the process that took them,
 * so the helper takes them just before it forks the command and stays behind as init, holding them until
 * the sandbox ends; the command never inherits them, and nothing it closes can release them.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

/* Wait until the fd has data or reaches EOF (bwrap --block-fd): one byte is read, as bwrap reads it. */
int hold_block_fd(const struct op *op, struct herr *e)
{
	int fd = (int)op->items[1].u64;
	char b;
	ssize_t r;
	if (fcntl(fd, F_GETFD) < 0)
		return herr_fail(e, errno, "block on fd %d", fd);
	do
		r = read(fd, &b, 1);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return herr_fail(e, errno, "block on fd %d", fd);
	close(fd);
	return 0;
}

static int hold(struct ctx *c, int fd, struct herr *e)
{
	if (c->held.n >= MAX_HELD_FDS)
		return herr_fail(e, EMFILE, "hold more than %d fds for the sandbox's life", MAX_HELD_FDS);
	c->held.fds[c->held.n++] = fd;
	return 0;
}

/* A read lock on a file inside the new root, held by init (bwrap --lock-file). */
int hold_lock_file(struct ctx *c, const struct op *op, struct herr *e)
{
	const char *path = op->items[1].str;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return herr_fail(e, errno, "open lock file `%s`", path);
	struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &l) < 0) {
		int err = errno;
		close(fd);
		return herr_fail(e, err, "lock `%s`", path);
	}
	return hold(c, fd, e);
}

/* The sync fd stays open in init; the command gets it only when it is PID 1 itself (bwrap --as-pid-1). */
int hold_sync_fd_prepare(struct ctx *c, struct herr *e)
{
	if (fcntl(c->sync_fd, F_SETFD, FD_CLOEXEC) < 0)
		return herr_fail(e, errno, "sync fd %d", c->sync_fd);
	return hold(c, c->sync_fd, e);
}

/* The sandbox's user namespace may then hold one more user namespace: the nested one lock-mounts makes
 * next. The command lives in that one, and its own attempts count against this limit too, which it cannot
 * raise from inside (bwrap --disable-userns). The host's /proc names the sysctl of the opener's namespace. */
int hold_disable_userns(const struct ctx *c, struct herr *e)
{
	int fd = openat(c->proc_fd, "sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return herr_fail(e, errno, "open `/proc/sys/user/max_user_namespaces`");
	ssize_t w = write(fd, "1", 1);
	int err = errno;
	close(fd);
	if (w != 1)
		return herr_fail(e, w < 0 ? err : EIO, "set user.max_user_namespaces to 1");
	return 0;
}

/* bwrap --assert-userns-disabled: a new user namespace must be refused here. */
int hold_assert_no_userns(struct herr *e)
{
	if (unshare(CLONE_NEWUSER) == 0)
		return herr_fail(e, 0, "creation of new user namespaces was not disabled as requested");
	return 0;
}

/* init keeps only what it holds for the sandbox: every other fd above 2 is closed. */
int hold_close_others(const struct ctx *c)
{
	int fds[MAX_HELD_FDS];
	unsigned n = c->held.n, from = 3;
	for (unsigned i = 0; i < n; i++) { /* sorted copy: insertion sort of a handful of fds */
		unsigned j = i;
		for (; j > 0 && fds[j - 1] > c->held.fds[i]; j--)
			fds[j] = fds[j - 1];
		fds[j] = c->held.fds[i];
	}
	for (unsigned i = 0; i < n; i++) {
		if (fds[i] < (int)from)
			continue;
		if ((unsigned)fds[i] > from && sys_close_range(from, (unsigned)fds[i] - 1, 0) < 0)
			return -1;
		from = (unsigned)fds[i] + 1;
	}
	return sys_close_range(from, ~0u, 0);
}
