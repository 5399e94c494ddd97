/* overlay.c — overlayfs over host directories, with upper/work on the host, on a fresh tmpfs, or none.
 *
 * Every layer is opened first and named to the kernel as /proc/self/fd/N: no escaping of ':' or ','
 * in host paths, and no second lookup of a path that could change in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

#define OVERLAY_OPTS_MAX 4000 /* the kernel takes at most a page of options */

struct layers {
	int fds[PLAN_MAX_ITEMS];
	unsigned n;
};

static void close_layers(struct layers *l)
{
	while (l->n > 0)
		close(l->fds[--l->n]);
}

static int open_layer(const struct ctx *c, struct layers *l, const char *path, char *opt, size_t cap, struct herr *e)
{
	int fd = c ? host_open(c, path, O_PATH | O_DIRECTORY, e) : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return herr_fail(e, c ? e->err_no : errno, "open overlay layer `%s`", path);
	l->fds[l->n++] = fd;
	size_t used = strlen(opt);
	if ((size_t)snprintf(opt + used, cap - used, "%s/proc/self/fd/%d", used ? ":" : "", fd) >= cap - used)
		return herr_fail(e, E2BIG, "overlay with %u layers: too many for one mount", l->n);
	return 0;
}

/* Upper and work directories on a tmpfs of their own, on the private staging root. */
static int tmp_upper(struct ctx *c, char upper[80], char work[80], struct herr *e)
{
	char base[64];
	snprintf(base, sizeof base, "/overlay%u", c->overlay_count++); /* on the staging root */
	snprintf(upper, 80, "%s/upper", base);
	snprintf(work, 80, "%s/work", base);
	if (mkdir(base, 0755) < 0)
		return herr_fail(e, errno, "create `%s`", base);
	if (mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return herr_fail(e, errno, "mount tmpfs on `%s`", base);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0)
		return herr_fail(e, errno, "create `%s/{upper,work}`", base);
	return 0;
}

static struct layers layers; /* large: kept off the stack */

int mount_overlay(struct ctx *c, const struct op *op, struct herr *e)
{
	const char *dst = op->items[1].str;
	char lower[OVERLAY_OPTS_MAX] = "", upper_fd[32] = "", work_fd[32] = "", upper[80], work[80];
	const char *up = op->items[2].str, *wk = op->items[3].str;
	int r = -1;
	if ((op->flags & OVERLAY_TMP) && tmp_upper(c, upper, work, e) < 0)
		return -1;
	if (op->flags & OVERLAY_TMP) {
		up = upper;
		wk = work;
	}
	/* overlayfs lists the top layer first; the plan lists lower1 (the top lower) first as well */
	for (uint32_t i = 4; i < op->n_items; i++)
		if (open_layer(c, &layers, op->items[i].str, lower, sizeof lower, e) < 0)
			goto out;
	struct fs_opt opts[5] = { { "lowerdir", lower } };
	if (!(op->flags & OVERLAY_RO)) {
		const struct ctx *host = op->flags & OVERLAY_TMP ? NULL : c; /* tmp upper/work are staging paths */
		if (open_layer(host, &layers, up, upper_fd, sizeof upper_fd, e) < 0 ||
		    open_layer(host, &layers, wk, work_fd, sizeof work_fd, e) < 0)
			goto out;
		opts[1] = (struct fs_opt){ "upperdir", upper_fd };
		opts[2] = (struct fs_opt){ "workdir", work_fd };
		opts[3] = (struct fs_opt){ "userxattr", NULL }; /* trusted.* xattrs need host root */
	}
	int dst_fd = path_mkdirs(c, dst, 0755, e);
	if (dst_fd < 0)
		goto out;
	r = mount_fresh("overlay", opts, SYS_MOUNT_ATTR_NOSUID | SYS_MOUNT_ATTR_NODEV, dst_fd, dst, NULL, e);
	close(dst_fd);
out:
	close_layers(&layers);
	return r;
}
