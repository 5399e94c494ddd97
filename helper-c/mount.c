/* mount.c — the new root: private propagation, the root itself, bind mounts, read-only flags, pivot_root.
 *
 * Binds are cloned with open_tree(OPEN_TREE_CLONE), made read-only/nodev with mount_setattr while still
 * detached, then attached with move_mount onto an fd resolved inside the new root: the mount is never
 * visible writable, and mount_setattr only adds flags, so the source's locked flags (nosuid, nodev,
 * noexec, atime) are kept for the mount and, with AT_RECURSIVE, for every submount.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

int mount_private(struct herr *e)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return herr_fail(e, errno, "make `/` recursively private");
	return 0;
}

/* Stage: a private tmpfs over /tmp becomes the root, with the host's root under it at /oldroot and a
 * /proc link into it (so /proc/self/fd/N names keep working); the new root is built at /newroot. */
static int stage(struct ctx *c, struct herr *e)
{
	/* opened here, in the new mount namespace: open_tree clones only mounts of the caller's namespace */
	c->host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->host_fd < 0)
		return herr_fail(e, errno, "open `/`");
	if (mount("tmpfs", STAGING_MOUNT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return herr_fail(e, errno, "mount staging tmpfs on `%s`", STAGING_MOUNT);
	if (chdir(STAGING_MOUNT) < 0)
		return herr_fail(e, errno, "chdir `%s`", STAGING_MOUNT);
	if (mkdir(STAGING_OLDROOT, 0755) < 0 || mkdir(STAGING_ROOT + 1, 0755) < 0)
		return herr_fail(e, errno, "create staging directories in `%s`", STAGING_MOUNT);
	if (symlink(STAGING_OLDROOT "/proc", "proc") < 0)
		return herr_fail(e, errno, "create staging `/proc` link");
	if (sys_pivot_root(".", STAGING_OLDROOT) < 0)
		return herr_fail(e, errno, "pivot_root into the staging tmpfs");
	if (chdir("/") < 0)
		return herr_fail(e, errno, "chdir `/`");
	return 0;
}

int mount_root(struct ctx *c, const struct op *op, struct herr *e)
{
	char opts[64];
	if (stage(c, e) < 0)
		return -1;
	if (op->type == OP_ROOT_TMPFS) {
		if (op->items[1].u64)
			snprintf(opts, sizeof opts, "mode=0755,size=%llu", (unsigned long long)op->items[1].u64);
		else
			snprintf(opts, sizeof opts, "mode=0755");
		if (mount("tmpfs", STAGING_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
			return herr_fail(e, errno, "mount root tmpfs (%s)", opts);
	}
	c->root_fd = open(STAGING_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->root_fd < 0)
		return herr_fail(e, errno, "open new root `%s`", STAGING_ROOT);
	if (op->type == OP_ROOT_DIR) {
		int src = host_open(c, op->items[1].str, O_PATH | O_DIRECTORY, e);
		if (src < 0)
			return herr_fail(e, e->err_no, "open root directory `%s`", op->items[1].str);
		int r = mount_attach_clone(src, c->root_fd, 1, 0, op->items[1].str, e);
		close(src);
		if (r < 0)
			return -1;
		close(c->root_fd); /* reopen: the fd must name the bound directory, not the one under it */
		c->root_fd = open(STAGING_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c->root_fd < 0)
			return herr_fail(e, errno, "open new root `%s`", STAGING_ROOT);
	}
	return 0;
}

/* Every bind is nosuid, as bubblewrap's are: a setuid binary from the host gains nothing inside even if
 * no_new_privs were ever dropped from a policy. */
static unsigned bind_attrs(unsigned flags)
{
	return SYS_MOUNT_ATTR_NOSUID | (flags & BIND_RW ? 0 : SYS_MOUNT_ATTR_RDONLY) |
	       (flags & BIND_DEV ? 0 : SYS_MOUNT_ATTR_NODEV);
}

/* Clone the tree at src_fd, restrict it while detached, attach it at dst_fd. */
int mount_attach_clone(int src_fd, int dst_fd, int recursive, unsigned attrs, const char *dst, struct herr *e)
{
	int tree = sys_open_tree(src_fd, "", OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return herr_fail(e, errno, "clone mount for `%s`", dst);
	struct sys_mount_attr attr = { .attr_set = attrs };
	if (attrs && sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
		int err = errno;
		close(tree);
		return herr_fail(e, err, "make `%s` %s", dst, attrs & SYS_MOUNT_ATTR_RDONLY ? "read-only" : "nodev");
	}
	int r = sys_move_mount(tree, "", dst_fd, "", SYS_MOVE_MOUNT_F_EMPTY_PATH | SYS_MOVE_MOUNT_T_EMPTY_PATH);
	int err = errno;
	close(tree);
	if (r < 0)
		return herr_fail(e, err, "attach mount at `%s`", dst);
	return 0;
}

static int bind_from_fd(struct ctx *c, int src_fd, const char *src, const char *dst, unsigned flags, struct herr *e)
{
	struct stat st;
	if (fstat(src_fd, &st) < 0)
		return herr_fail(e, errno, "stat bind source `%s`", src);
	int dst_fd = S_ISDIR(st.st_mode) ? path_mkdirs(c, dst, 0755, e) : path_ensure_file(c, dst, e);
	if (dst_fd < 0)
		return -1;
	int r = mount_attach_clone(src_fd, dst_fd, !(flags & BIND_NONRECURSIVE), bind_attrs(flags), dst, e);
	close(dst_fd);
	return r;
}

int mount_bind(struct ctx *c, const struct op *op, struct herr *e)
{
	const char *src = op->items[1].str, *dst = op->items[2].str;
	int src_fd = host_open(c, src, O_PATH, e);
	if (src_fd < 0 && e->err_no == ENOENT && (op->flags & BIND_TRY))
		return 0; /* an optional source that is missing: nothing to bind */
	if (src_fd < 0)
		return herr_fail(e, e->err_no, "bind `%s`", src);
	int r = bind_from_fd(c, src_fd, src, dst, op->flags, e);
	close(src_fd);
	return r;
}

/* Where each bind-fd fd points, read while the helper still shares the caller's mount namespace: an fd
 * opened there names a mount of that namespace, which cannot be cloned into ours directly. */
void mount_bind_fd_prepare(struct ctx *c)
{
	c->fd_paths = calloc(c->plan->n_ops, sizeof *c->fd_paths);
	for (uint32_t i = 0; c->fd_paths && i < c->plan->n_ops; i++) {
		if (c->plan->ops[i].type != OP_BIND_FD)
			continue;
		char link[32], target[PLAN_MAX_STR + 1];
		fd_path((int)c->plan->ops[i].items[1].u64, link);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n > 0 && target[0] == '/') {
			target[n] = '\0';
			c->fd_paths[i] = strdup(target);
		}
	}
}

/* The caller opened the source itself (bwrap --bind-fd): the path it had then is opened again here and
 * bound only if it is still the very same file, so a rename in between cannot swap what gets bound. */
int mount_bind_fd(struct ctx *c, const struct op *op, struct herr *e)
{
	int fd = (int)op->items[1].u64;
	const char *path = c->fd_paths ? c->fd_paths[op - c->plan->ops] : NULL;
	struct stat want, got;
	if (fstat(fd, &want) < 0)
		return herr_fail(e, errno, "bind fd %d", fd);
	if (!path)
		return herr_fail(e, ENOENT, "bind fd %d: it names no reachable path", fd);
	int src = host_open(c, path, O_PATH, e);
	if (src < 0)
		return herr_fail(e, e->err_no, "bind fd %d (`%s`)", fd, path);
	if (fstat(src, &got) < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
		close(src);
		return herr_fail(e, EXDEV, "bind fd %d: `%s` was replaced after the fd was opened", fd, path);
	}
	int r = bind_from_fd(c, src, path, op->items[2].str, op->flags, e);
	close(src);
	close(fd); /* the command must not inherit it */
	return r;
}

/* Read-only (and nodev if asked) for the mount at target_fd; a path that is not a mount root is first
 * bound onto itself. */
int mount_make_ro(const struct ctx *c, int target_fd, const char *dst, int recursive, int nodev, struct herr *e)
{
	(void)c;
	unsigned attrs = SYS_MOUNT_ATTR_RDONLY | (nodev ? SYS_MOUNT_ATTR_NODEV : 0);
	struct sys_mount_attr attr = { .attr_set = attrs };
	if (sys_mount_setattr(target_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr) == 0)
		return 0;
	if (errno != EINVAL)
		return herr_fail(e, errno, "make `%s` read-only", dst);
	return mount_attach_clone(target_fd, target_fd, recursive, attrs, dst, e);
}

int mount_remount_ro(struct ctx *c, const struct op *op, struct herr *e)
{
	int fd = path_open(c, op->items[1].str, O_PATH, e);
	if (fd < 0)
		return -1;
	int r = mount_make_ro(c, fd, op->items[1].str, 1, 0, e);
	close(fd);
	return r;
}

/* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the new root. */
int mount_pivot_root(struct ctx *c, struct herr *e)
{
	/* the old root is the staging tmpfs with the host's root under it: detaching it drops both */
	if (fchdir(c->root_fd) < 0)
		return herr_fail(e, errno, "enter new root `%s`", STAGING_ROOT);
	if (sys_pivot_root(".", ".") < 0)
		return herr_fail(e, errno, "pivot_root into `%s`", STAGING_ROOT);
	if (umount2(".", MNT_DETACH) < 0)
		return herr_fail(e, errno, "detach the old root");
	if (chdir("/") < 0)
		return herr_fail(e, errno, "chdir `/`");
	close(c->root_fd);
	close(c->host_fd); /* from here on nothing of the host's tree is reachable */
	c->root_fd = c->host_fd = -1;
	return 0;
}
