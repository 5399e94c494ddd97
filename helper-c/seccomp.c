/* seccomp.c — load the filter TypeScript compiled; the helper only checked its size (plan_check.c). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "helper.h"
#include "sys.h"

int seccomp_load(const struct op *op, struct herr *e)
{
	const struct item *prog_item = &op->items[1];
	if (prog_item->len == 0)
		return 0; /* an empty program means no filter */
	/* items start 4-byte aligned in a malloc'd copy of the plan, enough for struct sock_filter */
	struct sock_fprog prog = { .len = (unsigned short)(prog_item->len / 8),
	                           .filter = (struct sock_filter *)(uintptr_t)prog_item->data };
	if (sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (errno == ENOSYS && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
		return 0;
	return herr_fail(e, errno, "load seccomp filter of %u instructions", prog.len);
}
