/* path.c — destinations inside the new root, resolved by the kernel so that no symlink can lead outside it.
 *
 * Every lookup is openat2(root_fd, path, RESOLVE_IN_ROOT): ".." and absolute symlinks stop at the new
 * root, so a link planted in a bound directory (say `etc -> /etc`) cannot aim a mount at the host. Paths
 * are created one component at a time, each parent re-resolved the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "sys.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

void fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

static const char *rel(const char *abs)
{
	while (*abs == '/')
		abs++;
	return *abs ? abs : ".";
}

static int open_in_root(const struct ctx *c, const char *abs, int flags, uint64_t resolve, struct herr *e)
{
	if (c->root_fd < 0)
		return herr_fail(e, EINVAL, "resolve `%s`: no new root is being built", abs);
	int fd = sys_openat2(c->root_fd, rel(abs), (uint64_t)(flags | O_CLOEXEC), resolve);
	if (fd < 0)
		return herr_fail(e, errno, "resolve `%s` in the new root", abs);
	return fd;
}

/* Open a host path (bind sources, overlay layers, host devices) as the host's root sees it, even after
 * the staging root took its place. On failure e->err_no keeps the errno (ENOENT for a missing source). */
int host_open(const struct ctx *c, const char *abs, int flags, struct herr *e)
{
	int fd = sys_openat2(c->host_fd, rel(abs), (uint64_t)(flags | O_CLOEXEC), RESOLVE_IN_ROOT);
	if (fd < 0)
		return herr_fail(e, errno, "open `%s`", abs);
	return fd;
}

/* Open a path of the new root, following symlinks as if the new root were "/". */
int path_open(const struct ctx *c, const char *abs, int flags, struct herr *e)
{
	return open_in_root(c, abs, flags, IN_ROOT, e);
}

/* Same, but refuse any symlink on the way. */
int path_open_nofollow(const struct ctx *c, const char *abs, int flags, struct herr *e)
{
	return open_in_root(c, abs, flags, IN_ROOT | RESOLVE_NO_SYMLINKS, e);
}

/* mkdir -p inside the new root; the last directory gets `mode` if this call creates it.
 * Returns an O_PATH fd of the last directory. */
int path_mkdirs(const struct ctx *c, const char *abs, mode_t mode, struct herr *e)
{
	char prefix[PLAN_MAX_STR + 1];
	size_t n = strlen(abs);
	if (n > PLAN_MAX_STR)
		return herr_fail(e, ENAMETOOLONG, "create directory `%s`", abs);
	int parent = fcntl(c->root_fd, F_DUPFD_CLOEXEC, 0);
	if (parent < 0)
		return herr_fail(e, errno, "create directory `%s`", abs);
	for (size_t i = 0; i < n;) {
		while (abs[i] == '/')
			i++;
		size_t len = strcspn(abs + i, "/");
		if (len == 0)
			break;
		char name[PLAN_MAX_STR + 1];
		memcpy(name, abs + i, len);
		name[len] = '\0';
		i += len;
		int last = abs[i + strspn(abs + i, "/")] == '\0';
		if (mkdirat(parent, name, last ? mode : 0755) < 0 && errno != EEXIST) {
			int err = errno;
			close(parent);
			memcpy(prefix, abs, i);
			prefix[i] = '\0';
			return herr_fail(e, err, "create directory `%s`", prefix);
		}
		memcpy(prefix, abs, i);
		prefix[i] = '\0';
		int next = open_in_root(c, prefix, O_PATH | O_DIRECTORY, IN_ROOT, e);
		close(parent);
		if (next < 0)
			return -1;
		parent = next;
	}
	return parent;
}

/* Split "/a/b/c" into an fd of its parent directory (created with its own parents, mode 0755) and the last
 * name in `base`. A path with no last name ("/") fails with `root_errno`, as "<verb> `path`". */
int path_open_parent(const struct ctx *c, const char *abs, char base[PLAN_MAX_STR + 1], int root_errno,
                     const char *verb, struct herr *e)
{
	char dir[PLAN_MAX_STR + 1];
	snprintf(dir, sizeof dir, "%s", abs);
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash || !slash[1])
		return herr_fail(e, root_errno, "%s `%s`", verb, abs);
	snprintf(base, PLAN_MAX_STR + 1, "%s", slash + 1);
	*slash = '\0';
	return path_mkdirs(c, *dir ? dir : "/", 0755, e);
}

/* Make sure a non-directory exists at `abs` (an empty file is created, with its parents, if nothing is
 * there) to serve as a mount point. Returns an O_PATH fd of it. */
int path_ensure_file(const struct ctx *c, const char *abs, struct herr *e)
{
	int fd = sys_openat2(c->root_fd, rel(abs), O_PATH | O_CLOEXEC, IN_ROOT);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return herr_fail(e, errno, "resolve `%s` in the new root", abs);
	char base[PLAN_MAX_STR + 1];
	int parent = path_open_parent(c, abs, base, EISDIR, "create file", e);
	if (parent < 0)
		return -1;
	int f = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	int err = errno;
	close(parent);
	if (f < 0)
		return herr_fail(e, err, "create file `%s`", abs);
	close(f);
	return path_open(c, abs, O_PATH, e);
}
