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

static const char *hint_for(const struct ctx *c, const struct herr *e)
{
	unsigned type = e->op_index < c->plan->n_ops ? c->plan->ops[e->op_index].type : 0;
	if (type == OP_UNSHARE_USER && (e->err_no == EPERM || e->err_no == ENOSPC || e->err_no == EACCES || e->err_no == EINVAL))
		return "unprivileged user namespaces are disabled here: check sysctl kernel.unprivileged_userns_clone=1, "
		       "user.max_user_namespaces > 0, Ubuntu's kernel.apparmor_restrict_unprivileged_userns=0, "
		       "or the seccomp profile of the container this runs in";
	if (type == OP_PROC && e->err_no == EPERM)
		return "the kernel refuses a new proc mount when /proc is partly masked (as in many containers): "
		       "run on a host, or share the PID namespace";
	if (type == OP_UNSHARE && e->err_no == ENOSPC)
		return "a namespace limit was reached: check the user.max_*_namespaces sysctls";
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
	char msg[1024], line[1200];
	const char *origin = e->op_index < c->plan->n_ops ? c->plan->ops[e->op_index].items[0].str : "";
	if (e->exit_code == EXIT_NOT_FOUND || e->exit_code == EXIT_NOT_EXECUTABLE || e->exit_code == EXIT_TIMEOUT)
		snprintf(msg, sizeof msg, "%s", e->what);
	else if (e->err_no)
		snprintf(msg, sizeof msg, "%s%s%s: %s", origin, *origin ? ": " : "", e->what, strerror(e->err_no));
	else
		snprintf(msg, sizeof msg, "%s%s%s", origin, *origin ? ": " : "", e->what);
	one_line(msg);
	const char *hint = hint_for(c, e);
	int n = snprintf(line, sizeof line, "nsjail-ts: %s\n", msg);
	write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	if (hint) {
		n = snprintf(line, sizeof line, "nsjail-ts: hint: %s\n", hint);
		write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	}
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
