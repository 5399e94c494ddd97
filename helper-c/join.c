/* join.c — entering a running sandbox (nsjail-ts exec): its namespaces and its root, taken from its outer process.
 *
 * The sandbox's init is not dumpable, so its /proc/PID/ns links are closed to us; the outer helper process
 * made every one of those namespaces and still lives in them (the PID namespace is its pid_for_children),
 * and pivot_root moved its root along with init's. Everything is opened before the first setns, while the
 * host's /proc is still the one we see; the user namespace is entered first, so that we hold capabilities
 * in it for the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

static const struct {
	const char *name;
	int type;
} namespaces[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC },
	{ "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP }, { "pid_for_children", CLONE_NEWPID },
};
#define N_NS (sizeof namespaces / sizeof *namespaces)

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Open the target's namespace links; -1 for one we already share (setns into our own user namespace fails). */
static int open_namespaces(const struct ctx *c, int pid, int fds[N_NS], struct herr *e)
{
	char path[64];
	for (size_t i = 0; i < N_NS; i++) {
		struct stat theirs, ours;
		snprintf(path, sizeof path, "%d/ns/%s", pid, namespaces[i].name);
		fds[i] = openat(c->proc_fd, path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int err = errno;
			close_all(fds, i);
			return herr_fail(e, err, "open `/proc/%s`", path);
		}
		snprintf(path, sizeof path, "self/ns/%s", namespaces[i].name);
		if (fstat(fds[i], &theirs) == 0 && fstatat(c->proc_fd, path, &ours, 0) == 0 && theirs.st_ino == ours.st_ino) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	return 0;
}

int join_namespaces(struct ctx *c, const struct op *op, struct herr *e)
{
	int pid = (int)op->items[1].u64, fds[N_NS];
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "%d", pid);
	if (fstatat(c->proc_fd, path, &st, 0) < 0)
		return herr_fail(e, errno, "sandbox process %d", pid);
	/* Security: never enter another user's sandbox, even where the kernel would let us (CAP_SYS_ADMIN). */
	if (st.st_uid != getuid())
		return herr_fail(e, EPERM, "sandbox process %d belongs to uid %u, not to us", pid, (unsigned)st.st_uid);
	snprintf(path, sizeof path, "%d/root", pid);
	int root = openat(c->proc_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return herr_fail(e, errno, "open `/proc/%s`", path);
	if (open_namespaces(c, pid, fds, e) < 0) {
		close(root);
		return -1;
	}
	for (size_t i = 0; i < N_NS; i++) {
		if (fds[i] >= 0 && setns(fds[i], namespaces[i].type) < 0) {
			int err = errno;
			close_all(fds, N_NS);
			close(root);
			return herr_fail(e, err, "enter the %s namespace of process %d", namespaces[i].name, pid);
		}
	}
	close_all(fds, N_NS);
	int r = fchdir(root) < 0 || chroot(".") < 0 ? herr_fail(e, errno, "enter the root of process %d", pid) : 0;
	close(root);
	return r;
}
