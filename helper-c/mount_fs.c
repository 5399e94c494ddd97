/* mount_fs.c — fresh filesystems (tmpfs, overlay) and plain entries (dir, symlink, file, chmod) in the new root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

/* Configure a new filesystem, mount it detached with its flags already set, and attach it at dst_fd:
 * a read-only tmpfs is never writable, not even for a moment. */
int mount_fresh(const char *fstype, const struct fs_opt *opts, unsigned attrs, int dst_fd, const char *dst, int *mnt_out,
                struct herr *e)
{
	int fs = sys_fsopen(fstype, SYS_FSOPEN_CLOEXEC);
	if (fs < 0)
		return herr_fail(e, errno, "open %s filesystem for `%s`", fstype, dst);
	for (; opts && opts->key; opts++) {
		unsigned cmd = opts->value ? SYS_FSCONFIG_SET_STRING : SYS_FSCONFIG_SET_FLAG;
		if (sys_fsconfig(fs, cmd, opts->key, opts->value, 0) < 0) {
			int err = errno;
			close(fs);
			return herr_fail(e, err, "set %s option %s%s%s for `%s`", fstype, opts->key, opts->value ? "=" : "",
			                 opts->value ? opts->value : "", dst);
		}
	}
	if (sys_fsconfig(fs, SYS_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int err = errno;
		close(fs);
		return herr_fail(e, err, "mount %s on `%s`", fstype, dst);
	}
	int mnt = sys_fsmount(fs, SYS_FSMOUNT_CLOEXEC, attrs);
	int err = errno;
	close(fs);
	if (mnt < 0)
		return herr_fail(e, err, "mount %s on `%s`", fstype, dst);
	int r = sys_move_mount(mnt, "", dst_fd, "", SYS_MOVE_MOUNT_F_EMPTY_PATH | SYS_MOVE_MOUNT_T_EMPTY_PATH);
	err = errno;
	if (r < 0 || !mnt_out)
		close(mnt);
	if (r < 0)
		return herr_fail(e, err, "attach %s at `%s`", fstype, dst);
	if (mnt_out)
		*mnt_out = mnt; /* the new mount's root: fill it without looking its path up again */
	return 0;
}

int mount_tmpfs(struct ctx *c, const struct op *op, struct herr *e)
{
	const char *dst = op->items[1].str;
	char mode[16], size[32];
	snprintf(mode, sizeof mode, "0%llo", (unsigned long long)op->items[3].u64);
	snprintf(size, sizeof size, "%llu", (unsigned long long)op->items[2].u64);
	struct fs_opt opts[] = { { "mode", mode }, { "size", size }, { NULL, NULL } };
	if (!op->items[2].u64)
		opts[1].key = NULL; /* no size: the kernel default (half of RAM) */
	int fd = path_mkdirs(c, dst, 0755, e);
	if (fd < 0)
		return -1;
	unsigned attrs = SYS_MOUNT_ATTR_NOSUID | SYS_MOUNT_ATTR_NODEV | (op->flags & MNT_RO ? SYS_MOUNT_ATTR_RDONLY : 0);
	int r = mount_fresh("tmpfs", opts, attrs, fd, dst, NULL, e);
	close(fd);
	return r;
}

/* chmod through the fd, so the mode is exact (no umask) and applies to what was resolved, not a new lookup. */
static int chmod_fd(int fd, mode_t mode, const char *path, struct herr *e)
{
	char p[32];
	fd_path(fd, p);
	if (fchmodat(AT_FDCWD, p, mode, 0) < 0)
		return herr_fail(e, errno, "chmod `%s` to 0%o", path, (unsigned)mode);
	return 0;
}

int mount_dir(struct ctx *c, const struct op *op, struct herr *e)
{
	mode_t mode = (mode_t)op->items[2].u64;
	int fd = path_mkdirs(c, op->items[1].str, mode, e);
	if (fd < 0)
		return -1;
	int r = chmod_fd(fd, mode, op->items[1].str, e);
	close(fd);
	return r;
}

int mount_chmod(struct ctx *c, const struct op *op, struct herr *e)
{
	int fd = path_open(c, op->items[1].str, O_PATH, e);
	if (fd < 0)
		return -1;
	int r = chmod_fd(fd, (mode_t)op->items[2].u64, op->items[1].str, e);
	close(fd);
	return r;
}

int mount_symlink(struct ctx *c, const struct op *op, struct herr *e)
{
	const char *target = op->items[1].str, *dst = op->items[2].str;
	char base[PLAN_MAX_STR + 1], old[PLAN_MAX_STR + 1];
	int parent = path_open_parent(c, dst, base, EEXIST, "create", e);
	if (parent < 0)
		return -1;
	int r = symlinkat(target, parent, base);
	int err = errno;
	if (r < 0 && err == EEXIST) { /* the same link already there (say, from the root directory) is fine */
		ssize_t n = readlinkat(parent, base, old, sizeof old - 1);
		if (n >= 0 && (old[n] = '\0', strcmp(old, target) == 0))
			r = 0;
	}
	close(parent);
	if (r < 0)
		return herr_fail(e, err, "create symlink `%s` -> `%s`", dst, target);
	return 0;
}

int mount_file(struct ctx *c, const struct op *op, struct herr *e)
{
	const char *dst = op->items[1].str;
	const struct item *content = &op->items[2];
	mode_t mode = (mode_t)op->items[3].u64;
	char base[PLAN_MAX_STR + 1];
	int parent = path_open_parent(c, dst, base, EEXIST, "create", e);
	if (parent < 0)
		return -1;
	int fd = openat(parent, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = errno;
	close(parent);
	if (fd < 0)
		return herr_fail(e, err, "create file `%s`", dst);
	for (uint32_t done = 0; done < content->len;) {
		ssize_t w = write(fd, content->data + done, content->len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? errno : EIO;
			close(fd);
			return herr_fail(e, err, "write file `%s`", dst);
		}
		done += (uint32_t)w;
	}
	int r = fchmod(fd, mode) < 0 ? herr_fail(e, errno, "chmod `%s` to 0%o", dst, (unsigned)mode) : 0;
	if (r == 0 && (op->flags & MNT_RO))
		r = mount_make_ro(c, fd, dst, 0, 1, e);
	close(fd);
	return r;
}
