/* sys.h — raw system calls that glibc 2.36 does not wrap (or wraps with headers that clash). */
#ifndef NSJAIL_TS_SYS_H
#define NSJAIL_TS_SYS_H

#include <linux/openat2.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/mount.h clashes with glibc's sys/mount.h, so the few mount_setattr bits are spelled here. */
#define SYS_MOUNT_ATTR_RDONLY 0x1u
#define SYS_MOUNT_ATTR_NODEV 0x4u
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#define SYS_MOVE_MOUNT_F_EMPTY_PATH 0x4u
#define SYS_MOVE_MOUNT_T_EMPTY_PATH 0x40u
struct sys_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

static inline int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static inline int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = 0, .resolve = resolve };
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static inline int sys_mount_setattr(int dirfd, const char *path, unsigned flags, struct sys_mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof *attr);
}

static inline int sys_open_tree(int dirfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

static inline int sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from, to_dirfd, to, flags);
}

/* The new mount API: a filesystem is configured and mounted detached, then attached in one step. */
#define SYS_FSOPEN_CLOEXEC 0x1u
#define SYS_FSCONFIG_SET_FLAG 0u
#define SYS_FSCONFIG_SET_STRING 1u
#define SYS_FSCONFIG_CMD_CREATE 6u
#define SYS_FSMOUNT_CLOEXEC 0x1u
#define SYS_MOUNT_ATTR_NOSUID 0x2u
#define SYS_MOUNT_ATTR_NOEXEC 0x8u

static inline int sys_fsopen(const char *fstype, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fstype, flags);
}

static inline int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int sys_fsmount(int fd, unsigned flags, unsigned attrs)
{
	return (int)syscall(SYS_fsmount, fd, flags, attrs);
}

static inline int sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

static inline int sys_seccomp(unsigned op, unsigned flags, void *args)
{
	return (int)syscall(SYS_seccomp, op, flags, args);
}

static inline int sys_capget(void *hdr, void *data)
{
	return (int)syscall(SYS_capget, hdr, data);
}

static inline int sys_capset(void *hdr, const void *data)
{
	return (int)syscall(SYS_capset, hdr, data);
}

#endif
