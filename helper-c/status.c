/* status.c — what the outer process reports about the sandbox: JSON status lines and the named registry entry.
 *
 * Status lines (one JSON object per line, to the --json-status-fd fd and the --status-file file):
 *   {"event":"started","child-pid":P,"pid":P,"helper":H,"time_ms":T,"ns":{"user":I,"mnt":I,"pid":I,"uts":I,"ipc":I,"net":I,"cgroup":I}}
 *   {"event":"exited","exit-code":E,"exit_code":N|"signal":"SIGX","wall_ms":W,"cpu_ms":C,"max_rss_kb":R,"limit":"time"|...|null}
 * "child-pid" and "exit-code" are the members bwrap's --json-status-fd objects carry (E is 128 + the signal
 * for a killed command, as bwrap reports it). P is the host pid of the sandbox's first process (init), H the outer helper's. The namespace inodes are
 * read from the outer process's own /proc/self/ns: it made every namespace init lives in (the PID one is
 * its pid_for_children), and init itself is not dumpable, so nobody could read its links.
 *
 * A named sandbox's registry entry is the file NAME in the registry directory, locked (flock) by the outer
 * process for the sandbox's life: its first line is the started object, the second the front end's info.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

void outer_init(struct outer *o)
{
	*o = (struct outer){ .status_fd = -1, .status_file_fd = -1, .name_dir_fd = -1, .name_fd = -1,
	                     .cg_leave_fd = -1, .cg_fd = -1, .cg_parent_fd = -1, .info_fd = -1, .report_fd = -1 };
}

int status_prepare(struct ctx *c, const struct op *op, struct herr *e)
{
	if (op->flags & STATUS_FD) {
		int fd = (int)op->items[1].u64;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) /* the command must not inherit it */
			return herr_fail(e, errno, "status fd %d", fd);
		c->outer.status_fd = fd;
	}
	if (op->items[2].len) {
		c->outer.status_file_fd = open(op->items[2].str, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0600);
		if (c->outer.status_file_fd < 0)
			return herr_fail(e, errno, "open status file `%s`", op->items[2].str);
	}
	return 0;
}

int info_prepare(struct ctx *c, const struct op *op, struct herr *e)
{
	int fd = (int)op->items[1].u64;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) /* the command must not inherit it */
		return herr_fail(e, errno, "info fd %d", fd);
	c->outer.info_fd = fd;
	return 0;
}

/* Take NAME in the registry: only one running sandbox holds its lock. A stale entry (its holder died) is reused. */
int name_take(struct ctx *c, const struct op *op, struct herr *e)
{
	const char *dir = op->items[1].str, *name = op->items[2].str;
	struct stat st, cur;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return herr_fail(e, errno, "open registry `%s`", dir);
	if (fstat(dfd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 077))
		return herr_fail(e, 0, "registry `%s` must be a directory of uid %u with mode 0700", dir, (unsigned)getuid());
	for (int attempt = 0; attempt < 5; attempt++) {
		int fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return herr_fail(e, errno, "open registry entry `%s/%s`", dir, name);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int err = errno;
			close(fd);
			if (err == EWOULDBLOCK)
				return herr_fail(e, 0, "name `%s` is taken by a running sandbox (see nsjail-ts ps)", name);
			return herr_fail(e, err, "lock registry entry `%s/%s`", dir, name);
		}
		/* The holder before us unlinks the entry before it lets go of the lock: make sure ours is still linked. */
		if (fstat(fd, &st) == 0 && fstatat(dfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == cur.st_ino &&
		    st.st_dev == cur.st_dev) {
			if (ftruncate(fd, 0) < 0)
				return herr_fail(e, errno, "truncate registry entry `%s/%s`", dir, name);
			c->outer.name_dir_fd = dfd;
			c->outer.name_fd = fd;
			c->outer.name = name;
			c->outer.name_info = op;
			return 0;
		}
		close(fd);
	}
	return herr_fail(e, EAGAIN, "take name `%s`", name);
}

static void write_all(int fd, const char *s, size_t n)
{
	while (fd >= 0 && n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a reader that went away must not change how the sandbox ends */
		s += w;
		n -= (size_t)w;
	}
}

static void status_line(const struct ctx *c, const char *line, size_t n)
{
	write_all(c->outer.status_fd, line, n);
	write_all(c->outer.status_file_fd, line, n);
}

static unsigned long long ns_inode(const struct ctx *c, const char *name)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "self/ns/%s", name);
	return fstatat(c->proc_fd, path, &st, 0) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* bwrap's --info-fd object, in bwrap's layout: the first process's pid, then the namespaces made for the
 * sandbox in bwrap's order (the mount namespace always); written once, then the fd is closed. */
void info_write(const struct ctx *c, int *fd, pid_t child)
{
	static const struct { const char *name, *link; uint64_t flag; } ns[] = {
		{ "cgroup", "cgroup", CLONE_NEWCGROUP }, { "ipc", "ipc", CLONE_NEWIPC }, { "mnt", "mnt", 0 },
		{ "net", "net", CLONE_NEWNET }, { "pid", "pid_for_children", CLONE_NEWPID }, { "uts", "uts", CLONE_NEWUTS },
	};
	if (*fd < 0)
		return;
	char out[512];
	int n = snprintf(out, sizeof out, "{\n    \"child-pid\": %d", (int)child);
	for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
		if (!ns[i].flag || (c->outer.unshared & ns[i].flag))
			n += snprintf(out + n, sizeof out - (size_t)n, ",\n    \"%s-namespace\": %llu", ns[i].name, ns_inode(c, ns[i].link));
	n += snprintf(out + n, sizeof out - (size_t)n, "\n}\n");
	write_all(*fd, out, (size_t)n);
	close(*fd);
	*fd = -1;
}

void outer_started(const struct ctx *c, pid_t child)
{
	if (c->outer.status_fd < 0 && c->outer.status_file_fd < 0 && c->outer.name_fd < 0)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char line[1024];
	int n = snprintf(line, sizeof line,
	                 "{\"event\":\"started\",\"child-pid\":%d,\"pid\":%d,\"helper\":%d,\"time_ms\":%lld,\"ns\":{\"user\":%llu,\"mnt\":%llu,"
	                 "\"pid\":%llu,\"uts\":%llu,\"ipc\":%llu,\"net\":%llu,\"cgroup\":%llu}}\n",
	                 (int)child, (int)child, (int)getpid(), (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000,
	                 ns_inode(c, "user"), ns_inode(c, "mnt"), ns_inode(c, "pid_for_children"), ns_inode(c, "uts"),
	                 ns_inode(c, "ipc"), ns_inode(c, "net"), ns_inode(c, "cgroup"));
	status_line(c, line, (size_t)n);
	if (c->outer.name_fd >= 0) {
		write_all(c->outer.name_fd, line, (size_t)n);
		const struct item *info = &c->outer.name_info->items[3];
		write_all(c->outer.name_fd, (const char *)info->data, info->len);
		write_all(c->outer.name_fd, "\n", 1);
	}
}

/* Which limit ended the sandbox, as far as the outer process can tell. RLIMIT_CPU with soft = hard ends
 * the command with SIGKILL (the kernel checks the hard limit first), with SIGXCPU when hard is above soft. */
static const char *limit_of(const struct ctx *c, int status, long long cpu_ms, int timed_out)
{
	if (timed_out)
		return "time";
	const char *cg = cgroup_limit_hit(c);
	if (cg)
		return cg;
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status) > 128 ? WEXITSTATUS(status) - 128 : 0;
	for (uint32_t i = 0; i < c->plan->n_ops && sig; i++) {
		const struct op *op = &c->plan->ops[i];
		if (op->type == OP_RLIMIT && op->items[1].u64 == RLIMIT_CPU && (sig == SIGXCPU || sig == SIGKILL) &&
		    (unsigned long long)cpu_ms + 100 >= op->items[2].u64 * 1000)
			return "rlimit-cpu";
		if (op->type == OP_RLIMIT && op->items[1].u64 == RLIMIT_FSIZE && sig == SIGXFSZ)
			return "rlimit-fsize";
	}
	return NULL;
}

static long long tv_ms(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void outer_finished(const struct ctx *c, int status, const struct rusage *ru, long long wall_ms, int timed_out)
{
	if (c->outer.name_fd >= 0) {
		unlinkat(c->outer.name_dir_fd, c->outer.name, 0); /* before the lock goes: see name_take */
		close(c->outer.name_fd);
	}
	long long cpu_ms = tv_ms(ru->ru_utime) + tv_ms(ru->ru_stime);
	const char *limit = limit_of(c, status, cpu_ms, timed_out);
	cgroup_remove(c);
	if (c->outer.status_fd < 0 && c->outer.status_file_fd < 0)
		return;
	char how[64], lim[40], line[512];
	/* "exit-code" as bwrap's json-status-fd reports it: 128 + the signal for a killed command */
	if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "\"exit-code\":%d,\"exit_code\":%d,\"signal\":\"SIG%s\"", 128 + WTERMSIG(status),
		         128 + WTERMSIG(status), sigabbrev_np(WTERMSIG(status)) ?: "UNKNOWN");
	else
		snprintf(how, sizeof how, "\"exit-code\":%d,\"exit_code\":%d", WEXITSTATUS(status), WEXITSTATUS(status));
	if (limit)
		snprintf(lim, sizeof lim, "\"%s\"", limit);
	else
		snprintf(lim, sizeof lim, "null");
	int n = snprintf(line, sizeof line,
	                 "{\"event\":\"exited\",%s,\"wall_ms\":%lld,\"cpu_ms\":%lld,\"max_rss_kb\":%ld,\"limit\":%s}\n", how,
	                 wall_ms, cpu_ms, ru->ru_maxrss, lim);
	status_line(c, line, (size_t)n);
}
