/* ns.c — entering namespaces: the user namespace first (made, or an existing one from an fd), then the others it
 * owns, and the final mount lock. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "helper.h"

int ns_unshare_user(struct herr *e)
{
	if (unshare(CLONE_NEWUSER) < 0)
		return herr_fail(e, errno, "unshare user namespace");
	return 0;
}

int ns_unshare(const struct op *op, struct herr *e)
{
	if (unshare((int)op->items[1].u64) < 0)
		return herr_fail(e, errno, "unshare namespaces 0x%llx", (unsigned long long)op->items[1].u64);
	return 0;
}

/* An existing namespace from an inherited fd (bwrap --userns, --pidns, --userns2). The kernel decides who may: a user
 * namespace must be a descendant of ours that we own (or hold CAP_SYS_ADMIN in); a PID namespace must be owned by a
 * user namespace we hold CAP_SYS_ADMIN in. The fd is closed after, so the command never gets it. */
int ns_setns_fd(const struct op *op, struct herr *e)
{
	int fd = (int)op->items[1].u64, user = op->type != OP_SETNS_PID;
	const char *what = op->type == OP_SETNS_PID ? "PID" : "user";
	if (setns(fd, user ? CLONE_NEWUSER : CLONE_NEWPID) < 0) {
		int err = errno;
		const char *hint = err == EBADF ? "" : err == EINVAL ? (user ? " (not a user namespace, or not a descendant of ours)" : " (not a PID namespace)")
		                 : user ? " (it must be a descendant of ours that we own)" : " (its owner must be the sandbox's user namespace)";
		return herr_fail(e, err, "enter the %s namespace of fd %d%s", what, fd, hint);
	}
	close(fd);
	return 0;
}

/* bwrap --userns-block-fd: tell whoever reads the info fd which process is in the new user namespace, then wait for
 * them to write its maps (from outside, e.g. with newuidmap) before anything is mounted. */
int ns_userns_block(struct ctx *c, const struct op *op, struct herr *e)
{
	info_write(c, &c->outer.info_fd, getpid());
	return hold_block_fd(op, e);
}

int ns_hostname(const struct op *op, struct herr *e)
{
	if (sethostname(op->items[1].str, op->items[1].len) < 0)
		return herr_fail(e, errno, "set hostname `%s`", op->items[1].str);
	return 0;
}

/* One more user + mount namespace with identity maps: the kernel then locks every mount inherited from the
 * outer namespace together with its flags, so even a command that keeps CAP_SYS_ADMIN cannot remount a
 * read-only bind read-write or unmount it to uncover what lies below. A UTS namespace of its own comes
 * along (a copy, same hostname) so that a command keeping CAP_SYS_ADMIN can still set its hostname. */
int ns_lock_mounts(const struct ctx *c, struct herr *e)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS) < 0)
		return herr_fail(e, errno, "unshare nested user, mount and UTS namespaces");
	if (idmap_setgroups_deny(c, e) < 0)
		return -1;
	snprintf(map, sizeof map, "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (idmap_write(c, "uid_map", map, e) < 0)
		return -1;
	snprintf(map, sizeof map, "%u %u 1", (unsigned)gid, (unsigned)gid);
	return idmap_write(c, "gid_map", map, e);
}
