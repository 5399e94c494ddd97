/* helper.h — the helper's in-memory plan, its run-time state, its error value and every concern's entry points. */
#ifndef NSJAIL_TS_HELPER_H
#define NSJAIL_TS_HELPER_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan.h"

/* One validated payload item. Str items get a NUL-terminated copy so handlers can pass them to syscalls. */
struct item {
	uint32_t offset; /* of the item's length word in the plan, for error messages */
	uint32_t len;
	const uint8_t *data;
	char *str;       /* str items only */
	uint64_t u64;    /* u64 items only */
};

/* One validated op. items[0] is the origin; the op's own items follow. */
struct op {
	uint16_t type;
	uint16_t flags;
	uint32_t offset; /* of the op header in the plan */
	uint32_t n_items;
	struct item *items;
};

struct plan {
	uint8_t *bytes; /* owned copy of the plan; items point into it */
	uint32_t len;
	uint32_t n_ops;
	struct op *ops;
};

/* Why a plan was refused: what, and the byte offset it concerns. */
struct plan_err {
	uint32_t offset;
	char what[256];
};

/* A failed setup step (STYLE.md point 7): handlers fill it and return -1; only main reports it. */
struct herr {
	uint32_t op_index;
	int err_no;
	int exit_code;   /* EXIT_SETUP unless the step says otherwise (EXIT_NOT_FOUND, ...) */
	char what[256];  /* "verb `path`" */
};

/* What the outer process does around the sandbox (status.c, cgroup.c); fds are -1 when unused. */
struct outer {
	int status_fd, status_file_fd;
	int name_dir_fd, name_fd;
	const char *name;
	const struct op *name_info;
	int cg_leave_fd, cg_fd, cg_parent_fd;
	const char *cg_name;
	int info_fd;          /* bwrap's --info-fd: written once the sandbox's first process exists, then closed */
	int report_fd;        /* read end: init writes the command's own wait status here before it exits */
	uint64_t unshared;    /* namespaces the plan unshares, for the info object */
};

#define MAX_HELD_FDS 64

/* What init keeps open for the sandbox's life: the sync fd and the fds holding lock-file locks. */
struct held {
	int fds[MAX_HELD_FDS];
	unsigned n;
};

/* State carried from one op to the next. */
struct ctx {
	const struct plan *plan;
	int proc_fd;          /* the host's /proc (O_PATH): /proc/self writes even after pivot_root */
	int host_fd;          /* the host's / (O_PATH): host paths stay reachable while the new root is built */
	int root_fd;          /* the new root while it is being built, -1 otherwise */
	int error_fd;         /* -1 without --error-fd */
	char **argv_override; /* from `-- ARGV...`, NULL-terminated, or NULL */
	const struct op *env; /* OP_ENV, or NULL: the helper's own environment is kept */
	const struct op *time_limit;
	unsigned overlay_count;
	char **fd_paths;      /* per op: for bind-fd, where its fd pointed when the helper started */
	struct outer outer;
	const struct op *argv0; /* OP_ARGV0, or NULL: argv[0] is the program looked up */
	int sync_fd;          /* OP_SYNC_FD's fd, or -1 */
	int level_prefix;     /* OP_LEVEL_PREFIX: error lines start with "<3>" */
	int report_fd;        /* in the PID namespace's first process: write end of outer.report_fd, or -1 */
	struct held held;
};

/* The new root is assembled on a private staging tmpfs, first mounted over /tmp and then made the root
 * with the host's root moved under it (bubblewrap's choice): the staging mount then hides no host path. */
#define STAGING_MOUNT "/tmp"
#define STAGING_OLDROOT "oldroot"
#define STAGING_ROOT "/newroot"

/* err.c */
int herr_fail(struct herr *e, int err_no, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void herr_report(const struct ctx *c, const struct herr *e);
void plan_err_report(int error_fd, const struct plan_err *pe);
int plan_err_set(struct plan_err *pe, uint32_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* plan.c */
int plan_parse(const uint8_t *bytes, size_t len, struct plan *out, struct plan_err *pe);
void plan_free(struct plan *p);
const char *op_name(unsigned type);

/* ns.c */
int ns_unshare_user(struct herr *e);
int ns_unshare(const struct op *op, struct herr *e);
int ns_hostname(const struct op *op, struct herr *e);
int ns_lock_mounts(const struct ctx *c, struct herr *e);
int ns_setns_fd(const struct op *op, struct herr *e);
int ns_userns_block(struct ctx *c, const struct op *op, struct herr *e);

/* idmap.c */
int idmap_setgroups_deny(const struct ctx *c, struct herr *e);
int idmap_write(const struct ctx *c, const char *file, const char *map, struct herr *e);

/* path.c: resolution of destinations inside the new root */
int host_open(const struct ctx *c, const char *abs, int flags, struct herr *e);
int path_open(const struct ctx *c, const char *abs, int flags, struct herr *e);
int path_open_nofollow(const struct ctx *c, const char *abs, int flags, struct herr *e);
int path_mkdirs(const struct ctx *c, const char *abs, mode_t mode, struct herr *e);
int path_open_parent(const struct ctx *c, const char *abs, char base[PLAN_MAX_STR + 1], int root_errno,
                     const char *verb, struct herr *e);
int path_ensure_file(const struct ctx *c, const char *abs, struct herr *e);
void fd_path(int fd, char buf[32]);

/* mount.c */
int mount_private(struct herr *e);
int mount_root(struct ctx *c, const struct op *op, struct herr *e);
int mount_bind(struct ctx *c, const struct op *op, struct herr *e);
int mount_bind_fd(struct ctx *c, const struct op *op, struct herr *e);
void mount_bind_fd_prepare(struct ctx *c);
int mount_attach_clone(int src_fd, int dst_fd, int recursive, unsigned attrs, const char *dst, struct herr *e);
int mount_make_ro(const struct ctx *c, int target_fd, const char *dst, int recursive, int nodev, struct herr *e);
int mount_remount_ro(struct ctx *c, const struct op *op, struct herr *e);
int mount_pivot_root(struct ctx *c, struct herr *e);

/* mount_fs.c: filesystems and entries created inside the new root */
struct fs_opt {
	const char *key, *value; /* value NULL: a flag option such as "userxattr" */
};
int mount_fresh(const char *fstype, const struct fs_opt *opts, unsigned attrs, int dst_fd, const char *dst, int *mnt_out,
                struct herr *e);
int mount_tmpfs(struct ctx *c, const struct op *op, struct herr *e);
int mount_dir(struct ctx *c, const struct op *op, struct herr *e);
int mount_symlink(struct ctx *c, const struct op *op, struct herr *e);
int mount_file(struct ctx *c, const struct op *op, struct herr *e);
int mount_chmod(struct ctx *c, const struct op *op, struct herr *e);

/* overlay.c */
int mount_overlay(struct ctx *c, const struct op *op, struct herr *e);

/* proc_dev.c */
int mount_proc(struct ctx *c, const struct op *op, struct herr *e);
int mount_dev(struct ctx *c, const struct op *op, struct herr *e);
int mount_mqueue(struct ctx *c, const struct op *op, struct herr *e);

/* net.c */
int net_loopback_up(struct herr *e);

/* hold.c: bwrap's fds and locks that live as long as the sandbox */
int hold_block_fd(const struct op *op, struct herr *e);
int hold_lock_file(struct ctx *c, const struct op *op, struct herr *e);
int hold_sync_fd_prepare(struct ctx *c, struct herr *e);
int hold_disable_userns(const struct ctx *c, struct herr *e);
int hold_assert_no_userns(struct herr *e);
int hold_close_others(const struct ctx *c);

/* front.c: a cold run's compiler may still be exiting while its plan runs. Its parent reaps it (block:
 * waits for it); in any other process this does nothing. A process forked from the front end forgets it
 * (in a new PID namespace its pid could name another process, even its getpid() could match), and a
 * waitpid(-1) that reaped it says so. */
void front_reap_compiler(int block);
void front_forget_compiler(void);
void front_reaped(pid_t pid);

/* init.c */
void init_block_relayed(sigset_t *old);
int init_fork_pid_ns(struct ctx *c, const struct op *op, struct herr *e);
int init_spawn(struct ctx *c, struct herr *e);

/* limits.c */
int limits_rlimit(const struct op *op, struct herr *e);
int limits_join_cgroup(const struct op *op, struct herr *e);

/* status.c */
struct rusage;
void outer_init(struct outer *o);
int status_prepare(struct ctx *c, const struct op *op, struct herr *e);
int name_take(struct ctx *c, const struct op *op, struct herr *e);
int info_prepare(struct ctx *c, const struct op *op, struct herr *e);
void info_write(const struct ctx *c, int *fd, pid_t child);
void outer_started(const struct ctx *c, pid_t child);
void outer_finished(const struct ctx *c, int status, const struct rusage *ru, long long wall_ms, int timed_out);

/* cgroup.c */
int cgroup_remove_prepare(struct ctx *c, const struct op *op, struct herr *e);
const char *cgroup_limit_hit(const struct ctx *c);
void cgroup_remove(const struct ctx *c);

/* join.c */
int join_namespaces(struct ctx *c, const struct op *op, struct herr *e);

/* caps.c */
int caps_set_ids(const struct op *op, struct herr *e);
int caps_keep(const struct op *op, struct herr *e);
int caps_no_new_privs(struct herr *e);

/* seccomp.c */
int seccomp_load(const struct op *op, struct herr *e);

/* exec.c */
int exec_setsid(struct herr *e);
int exec_chdir(const struct op *op, struct herr *e);
int exec_close_fds(const struct ctx *c, struct herr *e);
int exec_command(const struct ctx *c, const struct op *op, struct herr *e);

#endif
