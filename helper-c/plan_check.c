/* plan_check.c — the plan's values and op order, checked after parsing and before any syscall that changes state. */
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "helper.h"

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)
#define MAX_SECONDS 1000000000ull

int plan_check_values(const struct plan *p, struct plan_err *pe);
int plan_check_order(const struct plan *p, struct plan_err *pe);

/* An absolute path without "." or ".." components: destinations inside the new root, and host paths. */
static int abs_path_ok(const struct op *op, uint32_t i, struct plan_err *pe)
{
	const struct item *it = &op->items[i];
	const char *s = it->str;
	if (s[0] != '/')
		return plan_err_set(pe, it->offset, "%s op: path \"%s\" is not absolute", op_name(op->type), s);
	for (const char *c = s; *c;) {
		while (*c == '/')
			c++;
		size_t n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return plan_err_set(pe, it->offset, "%s op: path \"%s\" has a \".\" or \"..\" component", op_name(op->type), s);
		c += n;
	}
	return 0;
}

static int nonempty(const struct op *op, uint32_t i, struct plan_err *pe)
{
	if (op->items[i].len == 0)
		return plan_err_set(pe, op->items[i].offset, "%s op: item %u is empty", op_name(op->type), i);
	return 0;
}

static int at_most(const struct op *op, uint32_t i, uint64_t max, struct plan_err *pe)
{
	if (op->items[i].u64 > max)
		return plan_err_set(pe, op->items[i].offset, "%s op: value %llu is larger than %llu", op_name(op->type),
		                    (unsigned long long)op->items[i].u64, (unsigned long long)max);
	return 0;
}

static int check_overlay(const struct op *op, struct plan_err *pe)
{
	int no_upper = op->flags & (OVERLAY_TMP | OVERLAY_RO);
	if ((op->flags & OVERLAY_TMP) && (op->flags & OVERLAY_RO))
		return plan_err_set(pe, op->offset + 2, "overlay op: flags tmp and ro are exclusive");
	if (abs_path_ok(op, 1, pe) < 0)
		return -1;
	for (uint32_t i = 2; i <= 3; i++) {
		if (no_upper && op->items[i].len)
			return plan_err_set(pe, op->items[i].offset, "overlay op: upper/work must be empty for a tmp or ro overlay");
		if (!no_upper && abs_path_ok(op, i, pe) < 0)
			return -1;
	}
	for (uint32_t i = 4; i < op->n_items; i++)
		if (abs_path_ok(op, i, pe) < 0)
			return -1;
	return 0;
}

/* Recipe items (plan.h, OP_ENV): "+NAME", "-NAME" or "NAME=VALUE", with a non-empty NAME that has no '='. */
static int check_env(const struct op *op, struct plan_err *pe)
{
	for (uint32_t i = 1; i < op->n_items; i++) {
		const char *s = op->items[i].str;
		int marked = s[0] == '+' || s[0] == '-';
		const char *name = marked ? s + 1 : s;
		size_t n = strcspn(name, "=");
		if (n == 0 || (marked && name[n]) || (!marked && !name[n]))
			return plan_err_set(pe, op->items[i].offset, "env op: \"%s\" is not +NAME, -NAME or NAME=VALUE", s);
	}
	return 0;
}

static int check_rlimit(const struct op *op, struct plan_err *pe)
{
	if (at_most(op, 1, RLIM_NLIMITS - 1, pe) < 0)
		return -1;
	if (op->items[2].u64 > op->items[3].u64)
		return plan_err_set(pe, op->items[2].offset, "rlimit op: soft limit above hard limit");
	return 0;
}

/* A registry entry name: one path component, not "." or "..", at most 64 bytes. */
static int check_name(const struct op *op, struct plan_err *pe)
{
	const struct item *it = &op->items[2];
	if (abs_path_ok(op, 1, pe) < 0 || nonempty(op, 2, pe) < 0)
		return -1;
	if (it->len > 64 || strchr(it->str, '/') || !strcmp(it->str, ".") || !strcmp(it->str, ".."))
		return plan_err_set(pe, it->offset, "name op: \"%s\" is not a name of up to 64 bytes without '/'", it->str);
	return 0;
}

/* The ops run by or for the outer process (status, name, cgroup removal) and the join of a running sandbox. */
static int check_outer_values(const struct op *op, struct plan_err *pe)
{
	switch (op->type) {
	case OP_CGROUP_REMOVE:
		return abs_path_ok(op, 1, pe) < 0 ? -1 : abs_path_ok(op, 2, pe);
	case OP_STATUS:
		if (!(op->flags & STATUS_FD) && !op->items[2].len)
			return plan_err_set(pe, op->offset, "status op: neither an fd nor a path");
		if ((op->flags & STATUS_FD) && at_most(op, 1, INT_MAX, pe) < 0)
			return -1;
		return op->items[2].len ? abs_path_ok(op, 2, pe) : 0;
	case OP_NAME:
		return check_name(op, pe);
	case OP_JOIN_NS:
		if (op->items[1].u64 == 0)
			return plan_err_set(pe, op->items[1].offset, "join-ns op: pid 0");
		return at_most(op, 1, INT_MAX, pe);
	case OP_INFO_FD: case OP_SYNC_FD: case OP_BLOCK_FD:
	case OP_SETNS_USER: case OP_SETNS_PID: case OP_USERNS2: case OP_USERNS_BLOCK_FD:
		return at_most(op, 1, INT_MAX, pe);
	case OP_ARGV0:
		return nonempty(op, 1, pe);
	case OP_LOCK_FILE:
		return abs_path_ok(op, 1, pe);
	default:
		return 0;
	}
}

static int check_op_values(const struct op *op, struct plan_err *pe)
{
	switch (op->type) {
	case OP_UID_MAP: case OP_GID_MAP: case OP_SYMLINK: case OP_HOSTNAME:
		if (nonempty(op, 1, pe) < 0)
			return -1;
		return op->type == OP_SYMLINK ? abs_path_ok(op, 2, pe)
		     : op->type == OP_HOSTNAME ? (op->items[1].len > 64 ? plan_err_set(pe, op->items[1].offset,
		                                  "hostname op: name longer than 64 bytes") : 0) : 0;
	case OP_UNSHARE:
		if (op->items[1].u64 == 0 || (op->items[1].u64 & ~(uint64_t)NS_FLAGS))
			return plan_err_set(pe, op->items[1].offset, "unshare op: flags 0x%llx are not namespace flags",
			                    (unsigned long long)op->items[1].u64);
		return 0;
	case OP_ROOT_DIR: case OP_PROC: case OP_DEV: case OP_MQUEUE: case OP_REMOUNT_RO: case OP_CHDIR:
	case OP_JOIN_CGROUP:
		return abs_path_ok(op, 1, pe);
	case OP_BIND:
		return abs_path_ok(op, 1, pe) < 0 ? -1 : abs_path_ok(op, 2, pe);
	case OP_TMPFS: case OP_DIR: case OP_CHMOD:
		return abs_path_ok(op, 1, pe) < 0 ? -1 : at_most(op, op->type == OP_TMPFS ? 3 : 2, 07777, pe);
	case OP_FILE:
		return abs_path_ok(op, 1, pe) < 0 ? -1 : at_most(op, 3, 07777, pe);
	case OP_RLIMIT:
		return check_rlimit(op, pe);
	case OP_SET_IDS:
		return at_most(op, 1, UINT32_MAX - 1, pe) < 0 ? -1 : at_most(op, 2, UINT32_MAX - 1, pe);
	case OP_SECCOMP:
		if (op->items[1].len % 8 || op->items[1].len / 8 > 4096)
			return plan_err_set(pe, op->items[1].offset, "seccomp op: program of %u bytes is not a whole number of "
			                    "8-byte instructions up to 4096", op->items[1].len);
		return 0;
	case OP_ENV:
		return check_env(op, pe);
	case OP_EXEC:
		return op->n_items > 1 ? nonempty(op, 1, pe) : 0;
	case OP_OVERLAY:
		return check_overlay(op, pe);
	case OP_BIND_FD:
		return at_most(op, 1, INT_MAX, pe) < 0 ? -1 : abs_path_ok(op, 2, pe);
	case OP_TIME_LIMIT:
		if (op->items[1].u64 == 0)
			return plan_err_set(pe, op->items[1].offset, "time-limit op: 0 seconds");
		return at_most(op, 1, MAX_SECONDS, pe) < 0 ? -1 : at_most(op, 2, MAX_SECONDS, pe);
	default:
		return check_outer_values(op, pe);
	}
}

int plan_check_values(const struct plan *p, struct plan_err *pe)
{
	for (uint32_t i = 0; i < p->n_ops; i++)
		if (check_op_values(&p->ops[i], pe) < 0)
			return -1;
	return 0;
}

static int is_mount_op(unsigned t)
{
	return (t >= OP_BIND && t <= OP_REMOUNT_RO) || t == OP_OVERLAY || t == OP_BIND_FD || t == OP_CHMOD;
}

static int once(unsigned t)
{
	return t != OP_UNSHARE && t != OP_RLIMIT && t != OP_SECCOMP && t != OP_SETSID && t != OP_CHDIR &&
	       t != OP_NO_NEW_PRIVS && t != OP_LOOPBACK_UP && t != OP_LOCK_FILE && !is_mount_op(t);
}

/* What the order walk has seen so far. */
struct order_state {
	uint32_t count[OP_TYPE_MAX + 1];
	uint64_t unshared;
	int other_seen, in_root, root_done;
};

/* Ops that only set up the outer process or say where the sandbox lives: they come before every other op. */
static int is_early(unsigned t)
{
	return t == OP_JOIN_CGROUP || t == OP_TIME_LIMIT || t == OP_CGROUP_REMOVE || t == OP_STATUS || t == OP_NAME ||
	       t == OP_JOIN_NS || t == OP_INFO_FD || t == OP_LEVEL_PREFIX;
}

/* The ops that bwrap's fd and user namespace flags bring: where each may stand relative to the others. */
static int check_bwrap_step(const struct order_state *s, const struct op *op, struct plan_err *pe)
{
	unsigned t = op->type;
	const char *n = op_name(t);
	if (t == OP_SECCOMP && !s->count[OP_NO_NEW_PRIVS])
		return plan_err_set(pe, op->offset, "seccomp op needs an earlier no-new-privs op");
	if (t == OP_LOCK_FILE && (!s->root_done || s->count[OP_SPAWN]))
		return plan_err_set(pe, op->offset, "lock-file op must come after pivot-root and before spawn");
	if ((t == OP_DISABLE_USERNS || t == OP_ASSERT_NO_USERNS) && (!s->root_done || s->count[OP_SET_IDS]))
		return plan_err_set(pe, op->offset, "%s op must come after pivot-root and before set-ids", n);
	if (t == OP_DISABLE_USERNS && (!s->count[OP_UNSHARE_USER] || s->count[OP_LOCK_MOUNTS]))
		return plan_err_set(pe, op->offset, "disable-userns op needs an earlier unshare-user op and a later lock-mounts op");
	if (t == OP_LOCK_MOUNTS && s->count[OP_ASSERT_NO_USERNS])
		return plan_err_set(pe, op->offset, "lock-mounts op after assert-no-userns");
	if (t == OP_BLOCK_FD && s->count[OP_CLOSE_FDS])
		return plan_err_set(pe, op->offset, "block-fd op must come before close-fds");
	return 0;
}

/* The ops that bring existing namespaces from fds, and the wait for outside maps: where each may stand. */
static int check_ns_fd_step(const struct order_state *s, const struct op *op, struct plan_err *pe)
{
	unsigned t = op->type;
	const char *n = op_name(t);
	int user = s->count[OP_UNSHARE_USER] || s->count[OP_SETNS_USER];
	if (t == OP_SETNS_USER && (s->count[OP_UNSHARE_USER] || s->count[OP_JOIN_NS] || s->other_seen))
		return plan_err_set(pe, op->offset, "setns-user op must come first and replaces unshare-user and join-ns");
	if (t == OP_SETNS_PID && (!user || s->count[OP_FORK_PID_NS] || (s->unshared & CLONE_NEWPID) || s->in_root || s->root_done))
		return plan_err_set(pe, op->offset, "setns-pid op must come after the user namespace op and before fork-pid-ns, "
		                    "the root and any unshare of the PID namespace");
	if (t == OP_UNSHARE && (op->items[1].u64 & CLONE_NEWPID) && s->count[OP_SETNS_PID])
		return plan_err_set(pe, op->offset, "unshare op of the PID namespace after setns-pid");
	if (t == OP_USERNS2 && (!user || s->in_root || s->count[OP_SPAWN] || s->count[OP_LOCK_MOUNTS] ||
	                        s->count[OP_DISABLE_USERNS] || s->count[OP_SET_IDS]))
		return plan_err_set(pe, op->offset, "%s op must come after the user namespace op and the mounts, before spawn, "
		                    "lock-mounts, disable-userns and set-ids", n);
	if (t == OP_USERNS_BLOCK_FD && (!s->count[OP_UNSHARE_USER] || !s->count[OP_INFO_FD] || s->count[OP_SETGROUPS_DENY] ||
	                                s->count[OP_UID_MAP] || s->count[OP_GID_MAP] || s->count[OP_FORK_PID_NS] ||
	                                s->count[OP_MOUNT_PRIVATE] || s->count[OP_SPAWN]))
		return plan_err_set(pe, op->offset, "%s op must come after unshare-user and info-fd, before fork-pid-ns, "
		                    "mount-private and spawn, and without setgroups-deny or maps of its own", n);
	if ((t == OP_SETGROUPS_DENY || t == OP_UID_MAP || t == OP_GID_MAP) && s->count[OP_USERNS_BLOCK_FD])
		return plan_err_set(pe, op->offset, "%s op after userns-block-fd (the maps are written from outside)", n);
	return 0;
}

/* What the whole plan must hold once every op was seen, for the ops of check_bwrap_step. */
static int check_bwrap_plan(const struct plan *p, const struct order_state *s, struct plan_err *pe)
{
	const struct op *exec = &p->ops[p->n_ops - 1];
	int as_pid1 = exec->type == OP_EXEC && (exec->flags & EXEC_AS_PID1);
	if (as_pid1 && !s->count[OP_FORK_PID_NS])
		return plan_err_set(pe, exec->offset + 2, "exec op: as-pid-1 flag without a fork-pid-ns op");
	if (as_pid1 && s->count[OP_LOCK_FILE])
		return plan_err_set(pe, exec->offset + 2, "exec op: as-pid-1 flag with lock-file ops (no init to hold the locks)");
	if ((s->count[OP_LOCK_FILE] || (s->count[OP_SYNC_FD] && !as_pid1)) && !s->count[OP_SPAWN])
		return plan_err_set(pe, p->len, "lock-file and sync-fd ops need a spawn op (an init to hold them)");
	if (s->count[OP_DISABLE_USERNS] && !s->count[OP_LOCK_MOUNTS])
		return plan_err_set(pe, p->len, "disable-userns op needs a later lock-mounts op");
	if (s->count[OP_SETNS_PID] && !s->count[OP_FORK_PID_NS])
		return plan_err_set(pe, p->len, "setns-pid op needs a later fork-pid-ns op (the child born in the namespace)");
	return 0;
}

static int check_outer_step(const struct order_state *s, const struct op *op, struct plan_err *pe)
{
	unsigned t = op->type;
	if (is_early(t) && s->other_seen)
		return plan_err_set(pe, op->offset, "%s op must come before every other op", op_name(t));
	if (t == OP_CGROUP_REMOVE && !s->count[OP_JOIN_CGROUP])
		return plan_err_set(pe, op->offset, "cgroup-remove op needs an earlier join-cgroup op");
	if (t == OP_UNSHARE_USER && s->count[OP_JOIN_NS])
		return plan_err_set(pe, op->offset, "unshare-user op together with join-ns");
	return 0;
}

static int check_step(struct order_state *s, const struct op *op, const struct plan *p, uint32_t i, struct plan_err *pe)
{
	unsigned t = op->type;
	const char *n = op_name(t);
	int joined = s->count[OP_JOIN_NS] > 0 || s->count[OP_SETNS_USER] > 0;
	if (once(t) && s->count[t] > 1)
		return plan_err_set(pe, op->offset, "%s op appears more than once", n);
	if (check_outer_step(s, op, pe) < 0 || check_bwrap_step(s, op, pe) < 0 || check_ns_fd_step(s, op, pe) < 0)
		return -1;
	if (t == OP_UNSHARE_USER && s->other_seen)
		return plan_err_set(pe, op->offset, "unshare-user op must come first (after join-cgroup/time-limit)");
	if ((t == OP_SETGROUPS_DENY || t == OP_UID_MAP || t == OP_GID_MAP) && !s->count[OP_UNSHARE_USER])
		return plan_err_set(pe, op->offset, "%s op needs an earlier unshare-user op", n);
	if (t == OP_LOCK_MOUNTS && !s->count[OP_UNSHARE_USER] && !joined)
		return plan_err_set(pe, op->offset, "%s op needs an earlier unshare-user or join-ns op", n);
	if (t == OP_FORK_PID_NS && !(s->unshared & CLONE_NEWPID) && !s->count[OP_JOIN_NS] && !s->count[OP_SETNS_PID])
		return plan_err_set(pe, op->offset, "fork-pid-ns op needs an earlier unshare of the PID namespace");
	if (t == OP_MOUNT_PRIVATE && !(s->unshared & CLONE_NEWNS))
		return plan_err_set(pe, op->offset, "mount-private op needs an earlier unshare of the mount namespace");
	if (t == OP_HOSTNAME && !(s->unshared & CLONE_NEWUTS))
		return plan_err_set(pe, op->offset, "hostname op needs an earlier unshare of the UTS namespace");
	if (t == OP_LOOPBACK_UP && !(s->unshared & CLONE_NEWNET))
		return plan_err_set(pe, op->offset, "loopback-up op needs an earlier unshare of the network namespace");
	if ((t == OP_ROOT_TMPFS || t == OP_ROOT_DIR) && (s->root_done || s->in_root || !s->count[OP_MOUNT_PRIVATE]))
		return plan_err_set(pe, op->offset, "%s op must come once, after mount-private", n);
	if (t == OP_PIVOT_ROOT && !s->in_root)
		return plan_err_set(pe, op->offset, "pivot-root op needs an earlier root-tmpfs or root-dir op");
	if (is_mount_op(t) && !s->in_root)
		return plan_err_set(pe, op->offset, "%s op must come between the root op and pivot-root", n);
	if ((t == OP_LOCK_MOUNTS || t == OP_CLOSE_FDS || t == OP_SPAWN) && s->in_root)
		return plan_err_set(pe, op->offset, "%s op must come after pivot-root", n);
	if (t == OP_EXEC && i != p->n_ops - 1)
		return plan_err_set(pe, op->offset, "exec op must be the last op");
	if (t == OP_EXEC && (op->flags & EXEC_AS_PID1) && s->count[OP_SPAWN])
		return plan_err_set(pe, op->offset + 2, "exec op: as-pid-1 flag together with a spawn op");
	if (t == OP_UNSHARE)
		s->unshared |= op->items[1].u64;
	if (t == OP_ROOT_TMPFS || t == OP_ROOT_DIR)
		s->in_root = 1;
	if (t == OP_PIVOT_ROOT) {
		s->in_root = 0;
		s->root_done = 1;
	}
	if (!is_early(t))
		s->other_seen = 1;
	return 0;
}

int plan_check_order(const struct plan *p, struct plan_err *pe)
{
	struct order_state s = { 0 };
	for (uint32_t i = 0; i < p->n_ops; i++) {
		s.count[p->ops[i].type]++;
		if (check_step(&s, &p->ops[i], p, i, pe) < 0)
			return -1;
	}
	if (!s.count[OP_EXEC])
		return plan_err_set(pe, p->len, "plan has no exec op");
	if (s.in_root)
		return plan_err_set(pe, p->len, "plan builds a new root but has no pivot-root op");
	if (s.count[OP_TIME_LIMIT] && !s.count[OP_FORK_PID_NS])
		return plan_err_set(pe, p->len, "time-limit op needs a fork-pid-ns op to enforce it");
	if ((s.count[OP_STATUS] || s.count[OP_NAME] || s.count[OP_CGROUP_REMOVE]) && !s.count[OP_FORK_PID_NS])
		return plan_err_set(pe, p->len, "status, name and cgroup-remove ops need a fork-pid-ns op (the outer process)");
	return check_bwrap_plan(p, &s, pe);
}
