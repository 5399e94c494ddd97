/* err.c — errors as values: leaves fill a struct herr, and only main reports it (stderr line + error-fd record).
 *
 * Error-fd records, one per line:
 *   E <exit_code> <op_index> <errno> <message>    op_index is 4294967295 when no op is concerned
 *   H <hint>                                       optional, right after E: the well-known cause and fix
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

#define NO_OP 4294967295u

int herr_fail(struct herr *e, int err_no, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof e->what, fmt, ap);
	va_end(ap);
	e->err_no = err_no;
	e->exit_code = EXIT_SETUP;
	return -1;
}

int plan_err_set(struct plan_err *pe, uint32_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pe->what, sizeof pe->what, fmt, ap);
	va_end(ap);
	pe->offset = offset;
	return -1;
}

/* Paths and origins come from the plan: keep the report on one line whatever they contain. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* The machine's well-known refusals, each with its cause and what to do: user namespaces above all, whose
 * EPERM alone tells a user nothing: the sysctls, Ubuntu's AppArmor restriction, a container's seccomp profile. */
static const char *hint_for(const struct ctx *c, const struct herr *e)
{
	unsigned type = e->op_index < c->plan->n_ops ? c->plan->ops[e->op_index].type : 0;
	if (type == OP_UNSHARE_USER && (e->err_no == EPERM || e->err_no == EACCES))
		return "this machine refuses unprivileged user namespaces: allow them with sysctl kernel.unprivileged_userns_clone=1 "
		       "and user.max_user_namespaces > 0; on Ubuntu 23.10+ set kernel.apparmor_restrict_unprivileged_userns=0 "
		       "or give node and nsjail-ts-helper an AppArmor profile with `userns,`; in a container, use a seccomp "
		       "profile that allows CLONE_NEWUSER; `nsjail-ts doctor` shows what is allowed";
	if (type == OP_UNSHARE_USER && e->err_no == ENOSPC)
		return "the limit on user namespaces is reached (0 disables them): raise sysctl user.max_user_namespaces, "
		       "or end other sandboxes; `nsjail-ts doctor` shows what is allowed";
	if (type == OP_UNSHARE_USER && e->err_no == EUSERS)
		return "user namespaces nest at most 32 deep: run nsjail-ts from fewer nested sandboxes";
	if (type == OP_UNSHARE_USER && e->err_no == EINVAL)
		return "this kernel has no user namespaces (CONFIG_USER_NS): use a kernel built with them; "
		       "`nsjail-ts doctor` shows what is allowed";
	if (type == OP_PROC && e->err_no == EPERM)
		return "the kernel refuses a new proc mount when /proc is partly masked (as in many containers): "
		       "run on a host, or share the PID namespace";
	if (type == OP_UNSHARE && e->err_no == ENOSPC)
		return "a namespace limit was reached: raise the user.max_*_namespaces sysctls, or end other sandboxes";
	return NULL;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nobody to tell: the exit code still says what happened */
		s += w;
		n -= (size_t)w;
	}
}

void herr_report(const struct ctx *c, const struct herr *e)
{
	char msg[1024], line[1600];
	const char *origin = e->op_index < c->plan->n_ops ? c->plan->ops[e->op_index].items[0].str : "";
	if (e->exit_code == EXIT_NOT_FOUND || e->exit_code == EXIT_NOT_EXECUTABLE || e->exit_code == EXIT_TIMEOUT)
		snprintf(msg, sizeof msg, "%s", e->what);
	else if (e->err_no)
		snprintf(msg, sizeof msg, "%s%s%s: %s", origin, *origin ? ": " : "", e->what, strerror(e->err_no));
	else
		snprintf(msg, sizeof msg, "%s%s%s", origin, *origin ? ": " : "", e->what);
	one_line(msg);
	const char *hint = hint_for(c, e);
	const char *level = c->level_prefix ? "<3>" : ""; /* bwrap --level-prefix: syslog's LOG_ERR */
	/* One line: the failure, then its cause and fix. */
	int n = snprintf(line, sizeof line, "%snsjail-ts: %s%s%s\n", level, msg, hint ? ": " : "", hint ? hint : "");
	write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	if (c->error_fd < 0)
		return;
	n = snprintf(line, sizeof line, "E %d %u %d %s\n", e->exit_code, e->op_index, e->err_no, msg);
	write_all(c->error_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	if (hint) {
		n = snprintf(line, sizeof line, "H %s\n", hint);
		write_all(c->error_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	}
}

void plan_err_report(int error_fd, const struct plan_err *pe)
{
	char msg[512], line[700];
	snprintf(msg, sizeof msg, "invalid plan: %s at offset %u", pe->what, pe->offset);
	one_line(msg);
	int n = snprintf(line, sizeof line, "nsjail-ts: %s\n", msg);
	write_all(2, line, (size_t)n);
	if (error_fd >= 0) {
		n = snprintf(line, sizeof line, "E %d %u 0 %s\n", EXIT_POLICY, NO_OP, msg);
		write_all(error_fd, line, (size_t)n);
	}
}
