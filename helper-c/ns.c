/* ns.c — entering namespaces: the user namespace first, then the others it owns, and the final mount lock. */
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
