/* caps.c — ids inside the sandbox, capability sets, no_new_privs. */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

/* KEEPCAPS keeps the permitted set across the change to a non-zero uid, so caps_keep can still grant
 * the kept capabilities afterwards; without a caps op they vanish at execve anyway. */
int caps_set_ids(const struct op *op, struct herr *e)
{
	uid_t uid = (uid_t)op->items[1].u64;
	gid_t gid = (gid_t)op->items[2].u64;
	if (prctl(PR_SET_KEEPCAPS, 1) < 0)
		return herr_fail(e, errno, "keep capabilities across setresuid");
	if (setresgid(gid, gid, gid) < 0)
		return herr_fail(e, errno, "setresgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return herr_fail(e, errno, "setresuid %u", (unsigned)uid);
	if (prctl(PR_SET_KEEPCAPS, 0) < 0)
		return herr_fail(e, errno, "reset keep-capabilities");
	return 0;
}

static int cap_sets(uint64_t eff, uint64_t perm, uint64_t inh, struct herr *e)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	if (sys_capset(&hdr, d) < 0)
		return herr_fail(e, errno, "set capabilities eff=0x%llx perm=0x%llx", (unsigned long long)eff, (unsigned long long)perm);
	return 0;
}

static int permitted(uint64_t *perm, struct herr *e)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	if (sys_capget(&hdr, d) < 0)
		return herr_fail(e, errno, "read capabilities");
	*perm = (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
	return 0;
}

/* Bounding, inheritable, effective and permitted become `keep`; kept ones are raised into the ambient set
 * so that they survive execve for a non-root uid. */
int caps_keep(const struct op *op, struct herr *e)
{
	uint64_t keep = op->items[1].u64, perm = 0;
	if (permitted(&perm, e) < 0 || cap_sets(perm, perm, 0, e) < 0) /* CAP_SETPCAP effective, to drop the bounding set */
		return -1;
	unsigned last = 0;
	for (unsigned cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap) >= 0; cap++) {
		last = cap;
		if (!(keep & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap) < 0)
			return herr_fail(e, errno, "drop capability %u from the bounding set", cap);
	}
	if (last < 63 && (keep >> (last + 1)))
		return herr_fail(e, EINVAL, "keep capabilities 0x%llx: this kernel knows capabilities 0-%u",
		                 (unsigned long long)keep, last);
	if ((keep & perm) != keep)
		return herr_fail(e, EPERM, "keep capabilities 0x%llx: not held", (unsigned long long)(keep & ~perm));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return herr_fail(e, errno, "clear ambient capabilities");
	if (cap_sets(keep, keep, keep, e) < 0)
		return -1;
	for (unsigned cap = 0; cap <= last; cap++)
		if ((keep & (1ull << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return herr_fail(e, errno, "raise ambient capability %u", cap);
	return 0;
}

int caps_no_new_privs(struct herr *e)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return herr_fail(e, errno, "set no_new_privs");
	return 0;
}
