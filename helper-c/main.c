/* main.c — command line, reading the plan, and the one loop that runs the validated ops in order. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front.h"
#include "helper.h"

struct args {
	int plan_fd;
	const char *plan_file;
	int error_fd;
	int check;
	char **argv; /* after "--", or NULL */
};

static void usage_exit(const char *what)
{
	fprintf(stderr, "nsjail-ts: helper usage: %s\n"
	                "usage: nsjail-ts-helper (--plan-fd N | --plan-file PATH) [--error-fd N] [--check] [-- ARGV...]\n", what);
	exit(EXIT_USAGE);
}

static int parse_fd(const char *flag, const char *s)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : -1;
	if (!s || errno || *end || end == s || v < 0 || v > INT_MAX) {
		fprintf(stderr, "nsjail-ts: helper usage: %s needs a file descriptor number, got \"%s\"\n", flag, s ? s : "");
		exit(EXIT_USAGE);
	}
	if (fcntl((int)v, F_GETFD) < 0) {
		fprintf(stderr, "nsjail-ts: helper usage: %s %ld: %s\n", flag, v, strerror(errno));
		exit(EXIT_USAGE);
	}
	return (int)v;
}

static struct args parse_args(int argc, char **argv)
{
	struct args a = { .plan_fd = -1, .error_fd = -1 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--plan-fd"))
			a.plan_fd = parse_fd("--plan-fd", ++i < argc ? argv[i] : NULL);
		else if (!strcmp(argv[i], "--plan-file")) {
			if (++i >= argc)
				usage_exit("--plan-file needs a path");
			a.plan_file = argv[i];
		} else if (!strcmp(argv[i], "--error-fd"))
			a.error_fd = parse_fd("--error-fd", ++i < argc ? argv[i] : NULL);
		else if (!strcmp(argv[i], "--check"))
			a.check = 1;
		else if (!strcmp(argv[i], "--")) {
			if (i + 1 >= argc)
				usage_exit("-- needs a command");
			a.argv = argv + i + 1;
			break;
		} else {
			fprintf(stderr, "nsjail-ts: helper usage: unknown argument \"%s\"\n", argv[i]);
			exit(EXIT_USAGE);
		}
	}
	if ((a.plan_fd >= 0) == (a.plan_file != NULL))
		usage_exit("give exactly one of --plan-fd and --plan-file");
	return a;
}

/* Read to EOF: a pipe or memfd may deliver the plan in pieces. */
static uint8_t *read_plan(int fd, const char *name, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fprintf(stderr, "nsjail-ts: reading plan %s: out of memory\n", name);
			exit(EXIT_SETUP);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "nsjail-ts: reading plan %s: %s\n", name, strerror(errno));
			exit(EXIT_SETUP);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > PLAN_MAX_LEN)
			break; /* plan_parse refuses it with the size in the message */
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	*len = n;
	return buf;
}

static int run_op(struct ctx *c, const struct op *op, struct herr *e)
{
	switch ((enum op_type)op->type) {
	case OP_UNSHARE_USER: return ns_unshare_user(e);
	case OP_SETGROUPS_DENY: return idmap_setgroups_deny(c, e);
	case OP_UID_MAP: return idmap_write(c, "uid_map", op->items[1].str, e);
	case OP_GID_MAP: return idmap_write(c, "gid_map", op->items[1].str, e);
	case OP_UNSHARE: return ns_unshare(op, e);
	case OP_FORK_PID_NS: return init_fork_pid_ns(c, op, e);
	case OP_MOUNT_PRIVATE: return mount_private(e);
	case OP_ROOT_TMPFS: case OP_ROOT_DIR: return mount_root(c, op, e);
	case OP_BIND: return mount_bind(c, op, e);
	case OP_BIND_FD: return mount_bind_fd(c, op, e);
	case OP_TMPFS: return mount_tmpfs(c, op, e);
	case OP_PROC: return mount_proc(c, op, e);
	case OP_DEV: return mount_dev(c, op, e);
	case OP_MQUEUE: return mount_mqueue(c, op, e);
	case OP_DIR: return mount_dir(c, op, e);
	case OP_SYMLINK: return mount_symlink(c, op, e);
	case OP_FILE: return mount_file(c, op, e);
	case OP_OVERLAY: return mount_overlay(c, op, e);
	case OP_CHMOD: return mount_chmod(c, op, e);
	case OP_REMOUNT_RO: return mount_remount_ro(c, op, e);
	case OP_PIVOT_ROOT: return mount_pivot_root(c, e);
	case OP_HOSTNAME: return ns_hostname(op, e);
	case OP_LOOPBACK_UP: return net_loopback_up(e);
	case OP_SPAWN: return init_spawn(c, e);
	case OP_SETSID: return exec_setsid(e);
	case OP_RLIMIT: return limits_rlimit(op, e);
	case OP_CHDIR: return exec_chdir(op, e);
	case OP_LOCK_MOUNTS: return ns_lock_mounts(c, e);
	case OP_SET_IDS: return caps_set_ids(op, e);
	case OP_CLOSE_FDS: return exec_close_fds(c, e);
	case OP_CAPS: return caps_keep(op, e);
	case OP_NO_NEW_PRIVS: return caps_no_new_privs(e);
	case OP_SECCOMP: return seccomp_load(op, e);
	case OP_JOIN_CGROUP: return limits_join_cgroup(op, e);
	case OP_CGROUP_REMOVE: return cgroup_remove_prepare(c, op, e);
	case OP_STATUS: return status_prepare(c, op, e);
	case OP_NAME: return name_take(c, op, e);
	case OP_JOIN_NS: return join_namespaces(c, op, e);
	case OP_INFO_FD: return info_prepare(c, op, e);
	case OP_BLOCK_FD: return hold_block_fd(op, e);
	case OP_LOCK_FILE: return hold_lock_file(c, op, e);
	case OP_DISABLE_USERNS: return hold_disable_userns(c, e);
	case OP_ASSERT_NO_USERNS: return hold_assert_no_userns(e);
	case OP_SYNC_FD: return hold_sync_fd_prepare(c, e);
	case OP_SETNS_USER: case OP_SETNS_PID: case OP_USERNS2: return ns_setns_fd(op, e);
	case OP_USERNS_BLOCK_FD: return ns_userns_block(c, op, e);
	case OP_ARGV0: case OP_LEVEL_PREFIX:
	case OP_ENV: case OP_TIME_LIMIT: case OP_MANIFEST:
		return 0; /* data: read by exec, by the fork-pid-ns parent, and by the front end before the plan runs */
	case OP_EXEC: return exec_command(c, op, e);
	}
	return herr_fail(e, 0, "unknown op %u", op->type); /* unreachable: plan_parse refused it */
}

static void find_data_ops(struct ctx *c)
{
	for (uint32_t i = 0; i < c->plan->n_ops; i++) {
		if (c->plan->ops[i].type == OP_ENV)
			c->env = &c->plan->ops[i];
		if (c->plan->ops[i].type == OP_TIME_LIMIT)
			c->time_limit = &c->plan->ops[i];
		if (c->plan->ops[i].type == OP_ARGV0)
			c->argv0 = &c->plan->ops[i];
		if (c->plan->ops[i].type == OP_SYNC_FD)
			c->sync_fd = (int)c->plan->ops[i].items[1].u64;
		if (c->plan->ops[i].type == OP_LEVEL_PREFIX)
			c->level_prefix = 1;
		if (c->plan->ops[i].type == OP_UNSHARE)
			c->outer.unshared |= c->plan->ops[i].items[1].u64;
	}
}

int main(int argc, char **argv)
{
	struct args a = { .plan_fd = -1, .error_fd = -1 };
	if (front_invoked(argv[0])) /* nsjail-ts itself: a cached plan, or it execs the compiler */
		a.plan_fd = front_main(argc, argv, &a.argv);
	else
		a = parse_args(argc, argv);
	int fd = a.plan_fd;
	if (a.plan_file && (fd = open(a.plan_file, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "nsjail-ts: open plan `%s`: %s\n", a.plan_file, strerror(errno));
		return EXIT_SETUP;
	}
	size_t len;
	uint8_t *bytes = read_plan(fd, a.plan_file ? a.plan_file : "fd", &len);
	close(fd); /* the plan must not reach the command */
	if (fd <= 2 && open("/dev/null", O_RDWR) != fd) { /* keep 0-2 taken, or /proc or / could land there */
		fprintf(stderr, "nsjail-ts: reopen fd %d on /dev/null: %s\n", fd, strerror(errno));
		return EXIT_SETUP;
	}
	struct plan plan;
	struct plan_err pe;
	if (a.error_fd >= 0)
		fcntl(a.error_fd, F_SETFD, FD_CLOEXEC); /* the command must not inherit it; we keep writing to it */
	if (plan_parse(bytes, len, &plan, &pe) < 0) {
		plan_err_report(a.error_fd, &pe);
		return EXIT_POLICY;
	}
	free(bytes);
	const struct op *exec = &plan.ops[plan.n_ops - 1];
	if (!a.argv && exec->n_items < 2) {
		pe.offset = exec->offset;
		snprintf(pe.what, sizeof pe.what, "exec op has no command and none was given after --");
		plan_err_report(a.error_fd, &pe);
		return EXIT_POLICY;
	}
	if (a.check)
		return 0;

	struct ctx c = { .plan = &plan, .root_fd = -1, .host_fd = -1, .error_fd = a.error_fd, .argv_override = a.argv,
	                 .sync_fd = -1, .report_fd = -1 };
	outer_init(&c.outer);
	find_data_ops(&c);
	mount_bind_fd_prepare(&c);
	struct herr e = { 0 };
	c.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c.proc_fd < 0) {
		herr_fail(&e, errno, "open `/proc`");
		e.op_index = UINT32_MAX;
		herr_report(&c, &e);
		_exit(EXIT_SETUP);
	}
	for (uint32_t i = 0; i < plan.n_ops; i++) {
		e.op_index = i;
		if (run_op(&c, &plan.ops[i], &e) < 0) {
			herr_report(&c, &e);
			_exit(e.exit_code);
		}
	}
	return EXIT_SETUP; /* unreachable: exec either replaces us or fails above */
}
