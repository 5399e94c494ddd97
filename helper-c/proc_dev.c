/* proc_dev.c — the kernel's own filesystems inside the sandbox: a fresh /proc, a minimal /dev, mqueue. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

#define KERNEL_FS_ATTRS (SYS_MOUNT_ATTR_NOSUID | SYS_MOUNT_ATTR_NODEV | SYS_MOUNT_ATTR_NOEXEC)

static int mount_kernel_fs(struct ctx *c, const char *fstype, const char *dst, struct herr *e)
{
	int fd = path_mkdirs(c, dst, 0755, e);
	if (fd < 0)
		return -1;
	int r = mount_fresh(fstype, NULL, KERNEL_FS_ATTRS, fd, dst, NULL, e);
	close(fd);
	return r;
}

/* proc of the PID namespace the helper is in now (PID 1's, after fork-pid-ns). */
int mount_proc(struct ctx *c, const struct op *op, struct herr *e)
{
	return mount_kernel_fs(c, "proc", op->items[1].str, e);
}

int mount_mqueue(struct ctx *c, const struct op *op, struct herr *e)
{
	return mount_kernel_fs(c, "mqueue", op->items[1].str, e);
}

/* Device nodes are bound from the host's /dev: a user namespace cannot mknod, and these are harmless. */
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const char *const dev_links[][2] = {
	{ "ptmx", "pts/ptmx" },     { "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" }, { "core", "/proc/kcore" },
};

static int bind_node(const struct ctx *c, int dev, const char *name, const char *dst, struct herr *e)
{
	char host[32], where[PLAN_MAX_STR + 40];
	snprintf(host, sizeof host, "/dev/%s", name);
	snprintf(where, sizeof where, "%s/%s", dst, name);
	int src = host_open(c, host, O_PATH, e);
	if (src < 0)
		return herr_fail(e, e->err_no, "open host device `%s`", host);
	int node = openat(dev, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (node < 0) {
		int err = errno;
		close(src);
		return herr_fail(e, err, "create `%s`", where);
	}
	int r = mount_attach_clone(src, node, 0, 0, where, e); /* rw, device access kept */
	close(node);
	close(src);
	return r;
}

static int mount_in(int dev, const char *name, const char *fstype, const struct fs_opt *opts, unsigned attrs,
                    mode_t mode, const char *dst, struct herr *e)
{
	char where[PLAN_MAX_STR + 40];
	snprintf(where, sizeof where, "%s/%s", dst, name);
	if (mkdirat(dev, name, mode) < 0)
		return herr_fail(e, errno, "create directory `%s`", where);
	int fd = openat(dev, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return herr_fail(e, errno, "open `%s`", where);
	int r = mount_fresh(fstype, opts, attrs, fd, where, NULL, e);
	close(fd);
	return r;
}

static int fill_dev(const struct ctx *c, int dev, const char *dst, struct herr *e)
{
	static const struct fs_opt pts_opts[] = {
		{ "newinstance", NULL }, { "ptmxmode", "0666" }, { "mode", "620" }, { NULL, NULL } };
	static const struct fs_opt shm_opts[] = { { "mode", "1777" }, { NULL, NULL } };
	for (size_t i = 0; i < sizeof dev_nodes / sizeof *dev_nodes; i++)
		if (bind_node(c, dev, dev_nodes[i], dst, e) < 0)
			return -1;
	if (mount_in(dev, "pts", "devpts", pts_opts, SYS_MOUNT_ATTR_NOSUID | SYS_MOUNT_ATTR_NOEXEC, 0755, dst, e) < 0 ||
	    mount_in(dev, "shm", "tmpfs", shm_opts, SYS_MOUNT_ATTR_NOSUID | SYS_MOUNT_ATTR_NODEV, 01777, dst, e) < 0)
		return -1;
	for (size_t i = 0; i < sizeof dev_links / sizeof *dev_links; i++)
		if (symlinkat(dev_links[i][1], dev, dev_links[i][0]) < 0)
			return herr_fail(e, errno, "create symlink `%s/%s`", dst, dev_links[i][0]);
	return 0;
}

int mount_dev(struct ctx *c, const struct op *op, struct herr *e)
{
	static const struct fs_opt opts[] = { { "mode", "0755" }, { NULL, NULL } };
	const char *dst = op->items[1].str;
	int fd = path_mkdirs(c, dst, 0755, e);
	if (fd < 0)
		return -1;
	int dev = -1;
	int r = mount_fresh("tmpfs", opts, SYS_MOUNT_ATTR_NOSUID | SYS_MOUNT_ATTR_NODEV | SYS_MOUNT_ATTR_NOEXEC, fd, dst, &dev, e);
	close(fd);
	if (r == 0)
		r = fill_dev(c, dev, dst, e);
	if (dev >= 0)
		close(dev);
	return r;
}
