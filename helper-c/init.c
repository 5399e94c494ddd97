/* init.c — the processes that stay behind: the relay outside the PID namespace, and init (PID 1) inside.
 *
 * Both block the relayed signals and read them from a signalfd: nothing runs in a signal handler, and a
 * signal sent before the child exists waits in the queue instead of being lost. A blocked signal is
 * queued even for a PID 1 without handlers, so init still receives SIGTERM from outside its namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

static const int relayed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

void init_block_relayed(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof relayed / sizeof *relayed; i++)
		sigaddset(&set, relayed[i]);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, old);
}

static int exit_code_of(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int open_signalfd(void)
{
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Outside the PID namespace: relay signals to PID 1, enforce the time limit, exit as PID 1 exits. */
static void relay_until_exit(const struct ctx *c, pid_t child)
{
	int sfd = open_signalfd();
	long long term_at = -1, kill_at = -1, began = now_ms();
	int info_fd = c->outer.info_fd;
	info_write(c, &info_fd, child);
	outer_started(c, child);
	unsigned long long seconds = c->time_limit ? c->time_limit->items[1].u64 : 0;
	if (c->time_limit)
		term_at = now_ms() + (long long)seconds * 1000;
	for (;;) {
		/* a compiler that exited before SIGCHLD was blocked sent no signal: look at every turn */
		front_reap_compiler(0);
		long long now = now_ms(), next = term_at >= 0 ? term_at : kill_at;
		if (term_at >= 0 && now >= term_at) {
			kill(child, SIGTERM); /* PID 1 relays it; its exit then ends the whole namespace */
			kill_at = now + (long long)c->time_limit->items[2].u64 * 1000;
			term_at = -1;
			continue;
		}
		if (kill_at >= 0 && now >= kill_at) {
			kill(child, SIGKILL);
			next = -1;
		}
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		int timeout = next >= 0 ? (int)(next - now > 0 ? next - now : 0) : -1;
		if (sfd >= 0 && poll(&pfd, 1, timeout) > 0) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
				kill(child, (int)si.ssi_signo);
		}
		int status;
		struct rusage ru;
		pid_t r = wait4(child, &status, sfd >= 0 ? WNOHANG : 0, &ru);
		if (r == child) {
			/* init exits 128+N for a command killed by signal N (PID 1 cannot die of its own signals):
			 * the status line reports the command's own status, which init wrote before it exited */
			int command_status = status, reported;
			if (c->outer.report_fd >= 0 && read(c->outer.report_fd, &reported, sizeof reported) == sizeof reported)
				command_status = reported;
			outer_finished(c, command_status, &ru, now_ms() - began, kill_at >= 0);
			front_reap_compiler(1); /* a cold run's compiler may still be storing the plan in the cache */
			if (kill_at < 0)
				_exit(exit_code_of(status));
			struct herr e = { .op_index = (uint32_t)(c->time_limit - c->plan->ops), .exit_code = EXIT_TIMEOUT };
			snprintf(e.what, sizeof e.what, "time limit of %llu s reached", seconds);
			herr_report(c, &e);
			_exit(EXIT_TIMEOUT);
		}
		if (r < 0 && errno != EINTR)
			_exit(EXIT_SETUP); /* cannot happen for our own child; nothing left to wait for */
	}
}

int init_fork_pid_ns(struct ctx *c, const struct op *op, struct herr *e)
{
	int alive[2], report[2];
	sigset_t old;
	if (pipe2(alive, O_CLOEXEC) < 0)
		return herr_fail(e, errno, "create pipe");
	if (pipe2(report, O_CLOEXEC | O_NONBLOCK) < 0)
		return herr_fail(e, errno, "create pipe");
	init_block_relayed(&old);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return herr_fail(e, errno, "fork into the new PID namespace");
	if (pid > 0) {
		close(alive[0]); /* alive[1] stays open until we exit: the child sees POLLHUP only then */
		close(report[1]);
		c->outer.report_fd = report[0];
		relay_until_exit(c, pid);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	front_forget_compiler();
	close(alive[1]);
	close(report[0]);
	c->report_fd = report[1]; /* close-on-exec: without an init (asPid1) the command drops it at exec */
	if (c->outer.info_fd >= 0) { /* the outer process writes it, with this process's pid */
		close(c->outer.info_fd);
		c->outer.info_fd = -1;
	}
	if (op->flags & FORK_DIE_WITH_PARENT) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			return herr_fail(e, errno, "set parent-death signal");
		/* getppid() reads 0 across a PID namespace, so the pipe tells whether the parent died before prctl */
		struct pollfd pfd = { .fd = alive[0], .events = POLLIN };
		if (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLHUP))
			return herr_fail(e, ESRCH, "parent %d exited during setup", (int)parent);
	}
	close(alive[0]);
	return 0;
}

/* Inside: PID 1 reaps every child and relays signals to the command, and exits with its status. */
static void init_loop(pid_t worker, int report_fd)
{
	int sfd = open_signalfd();
	for (;;) {
		struct signalfd_siginfo si;
		if (sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
			kill(worker, (int)si.ssi_signo);
		int status;
		pid_t r;
		while ((r = waitpid(-1, &status, sfd >= 0 ? WNOHANG : 0)) > 0) {
			front_reaped(r);
			if (r == worker) {
				if (report_fd >= 0 && write(report_fd, &status, sizeof status) < 0) {
					/* the relay then reports our exit status instead */
				}
				front_reap_compiler(1); /* init without a PID namespace is the front end itself */
				_exit(exit_code_of(status)); /* as PID 1, our exit kills whatever is left */
			}
		}
		if (r < 0 && errno == ECHILD)
			_exit(EXIT_SETUP); /* the worker is gone without a status we saw: cannot happen */
	}
}

int init_spawn(struct ctx *c, struct herr *e)
{
	sigset_t old;
	info_write(c, &c->outer.info_fd, getpid()); /* no outer process: init is the sandbox's first process */
	init_block_relayed(&old);
	pid_t pid = fork();
	if (pid < 0)
		return herr_fail(e, errno, "fork the command");
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		front_forget_compiler();
		if (c->report_fd >= 0)
			close(c->report_fd);
		c->report_fd = -1;
		return 0;
	}
	if (c->report_fd >= 0 && c->held.n < MAX_HELD_FDS)
		c->held.fds[c->held.n++] = c->report_fd; /* kept through the close below */
	/* init keeps nothing the sandbox could reach: no fds above 2 but the sync fd and the lock-file locks,
	 * not ptrace-able, dies with the relay */
	hold_close_others(c);
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1); /* no PID namespace: still collect orphans */
	init_loop(pid, c->report_fd);
	return 0;
}
