/* exec.c — the last steps of the process that becomes the command: session, cwd, fds, then execve. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

extern char **environ;

/* A new session has no controlling terminal, so the command cannot push input into ours (TIOCSTI). */
int exec_setsid(struct herr *e)
{
	if (setsid() < 0)
		return herr_fail(e, errno, "start a new session");
	return 0;
}

int exec_chdir(const struct op *op, struct herr *e)
{
	if (chdir(op->items[1].str) < 0)
		return herr_fail(e, errno, "chdir `%s`", op->items[1].str);
	return 0;
}

static int close_between(unsigned first, unsigned last)
{
	if (first > last)
		return 0;
	if (sys_close_range(first, last, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	struct rlimit rl;
	unsigned top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1u << 20 ? (unsigned)rl.rlim_cur : 1u << 20;
	for (unsigned fd = first; fd <= last && fd < top; fd++)
		close((int)fd); /* EBADF for the many fds that are not open is expected */
	return 0;
}

static int runs_as_pid1(const struct ctx *c)
{
	const struct op *exec = &c->plan->ops[c->plan->n_ops - 1];
	return exec->type == OP_EXEC && (exec->flags & EXEC_AS_PID1);
}

/* Close every fd above 2 except the helper's own (error fd, host / and /proc), which are close-on-exec.
 * A command that is PID 1 itself keeps the sync fd, as bwrap leaks it to the command then. An info fd still
 * unwritten means no outer process and no init: this process is the sandbox's first, and writes it now. */
int exec_close_fds(const struct ctx *c, struct herr *e)
{
	int info_fd = c->outer.info_fd;
	info_write(c, &info_fd, getpid());
	int sync = runs_as_pid1(c) ? c->sync_fd : -1;
	int keep[4] = { c->error_fd, c->proc_fd, c->host_fd, sync };
	for (int i = 0; i < 4; i++) /* sort the four */
		for (int j = i + 1; j < 4; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	unsigned from = 3;
	for (int i = 0; i < 4; i++) {
		if (keep[i] < (int)from)
			continue;
		if (close_between(from, (unsigned)keep[i] - 1) < 0)
			return herr_fail(e, errno, "close fds %u-%d", from, keep[i] - 1);
		if (fcntl(keep[i], F_SETFD, FD_CLOEXEC) < 0)
			return herr_fail(e, errno, "set close-on-exec on fd %d", keep[i]);
		from = (unsigned)keep[i] + 1;
	}
	if (close_between(from, ~0u) < 0)
		return herr_fail(e, errno, "close fds from %u", from);
	if (sync >= 0 && fcntl(sync, F_SETFD, 0) < 0)
		return herr_fail(e, errno, "pass sync fd %d to the command", sync);
	return 0;
}

static char **str_items(const struct op *op)
{
	char **v = calloc(op->n_items, sizeof *v); /* n_items - 1 strings and the NULL */
	for (uint32_t i = 1; v && i < op->n_items; i++)
		v[i - 1] = op->items[i].str;
	return v;
}

/* Index of NAME (n bytes) in a NULL-terminated "NAME=VALUE" list, or -1. */
static long env_find(char **v, const char *name, size_t n)
{
	for (long i = 0; v[i]; i++)
		if (!strncmp(v[i], name, n) && v[i][n] == '=')
			return i;
	return -1;
}

/* Remove every NAME entry; returns the new count. */
static size_t env_remove(char **v, size_t count, const char *name, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < count; i++)
		if (strncmp(v[i], name, n) || v[i][n] != '=')
			v[out++] = v[i];
	v[out] = NULL;
	return out;
}

/* The command's environment: OP_ENV's recipe (plan.h) applied to the helper's own, which the caller
 * chose; a plan therefore holds no environment values it was not told to set. */
static char **command_env(const struct ctx *c)
{
	if (!c->env)
		return environ;
	size_t own = 0;
	while (environ[own])
		own++;
	char **v = calloc(own + c->env->n_items + 1, sizeof *v);
	if (!v)
		return NULL;
	size_t count = 0;
	if (!(c->env->flags & ENV_CLEAR))
		for (; count < own; count++)
			v[count] = environ[count];
	for (uint32_t i = 1; i < c->env->n_items; i++) {
		char *item = c->env->items[i].str;
		const char *name = item[0] == '+' || item[0] == '-' ? item + 1 : item;
		size_t n = strcspn(name, "=");
		char *value = item;
		if (item[0] == '+') {
			long at = env_find(environ, name, n);
			if (at < 0)
				continue;
			value = environ[at];
		}
		count = env_remove(v, count, name, n);
		if (item[0] != '-')
			v[count++] = value;
	}
	v[count] = NULL;
	return v;
}

static const char *search_path(char **envp)
{
	long at = env_find(envp, "PATH", 4);
	return at >= 0 ? envp[at] + 5 : DEFAULT_PATH;
}

static int exec_failed(struct herr *e, int exit_code, int err, const char *cmd, const char *why)
{
	herr_fail(e, err, "%s: %s", cmd, why);
	e->exit_code = exit_code;
	return -1;
}

/* A file the kernel will not execute (ENOEXEC: no #! line, no ELF header) runs as a shell script, as
 * execvp(3) and bwrap run it: /bin/sh PATH ARGS.... Returns only when /bin/sh cannot be executed either. */
static void exec_as_script(const char *path, char **argv, char **envp)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **sh = calloc(n + 2, sizeof *sh);
	if (!sh)
		return;
	sh[0] = "/bin/sh";
	sh[1] = (char *)path;
	for (size_t i = 1; i < n; i++)
		sh[i + 1] = argv[i];
	execve(sh[0], sh, envp);
	free(sh);
}

/* execve, and for ENOEXEC the shell; the errno of the file's own execve when both fail. */
static int exec_file(const char *path, char **argv, char **envp)
{
	execve(path, argv, envp);
	int err = errno;
	if (err == ENOEXEC)
		exec_as_script(path, argv, envp);
	return err;
}

/* execvpe's search, with the PATH of the command's environment rather than the helper's; argv[0] is then
 * OP_ARGV0's value when the plan has one. */
int exec_command(const struct ctx *c, const struct op *op, struct herr *e)
{
	char **argv = c->argv_override ? c->argv_override : str_items(op);
	char **envp = command_env(c);
	if (!argv || !envp)
		return herr_fail(e, ENOMEM, "prepare the command");
	const char *cmd = argv[0];
	front_reap_compiler(1); /* the command must not inherit the compiler as its child */
	if (c->argv0)
		argv[0] = c->argv0->items[1].str;
	if (strchr(cmd, '/')) {
		int err = exec_file(cmd, argv, envp);
		return exec_failed(e, err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE, err, cmd, strerror(err));
	}
	int denied = 0;
	const char *search = search_path(envp);
	char *path = malloc(strlen(search) + strlen(cmd) + 3); /* sized for the longest candidate: no truncation */
	if (!path)
		return herr_fail(e, ENOMEM, "prepare the command");
	for (const char *dir = search; dir;) {
		const char *end = strchr(dir, ':');
		size_t n = end ? (size_t)(end - dir) : strlen(dir);
		sprintf(path, "%.*s/%s", (int)(n ? n : 1), n ? dir : ".", cmd);
		dir = end ? end + 1 : NULL;
		int err = exec_file(path, argv, envp);
		if (err == EACCES)
			denied = 1;
		else if (err != ENOENT && err != ENOTDIR && err != ELOOP && err != ENAMETOOLONG)
			return exec_failed(e, EXIT_NOT_EXECUTABLE, err, cmd, strerror(err));
	}
	if (denied)
		return exec_failed(e, EXIT_NOT_EXECUTABLE, EACCES, cmd, "Permission denied");
	return exec_failed(e, EXIT_NOT_FOUND, ENOENT, cmd, "command not found");
}
