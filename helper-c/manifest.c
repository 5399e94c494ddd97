/* manifest.c — re-check what a cached plan's compiler depended on (the OP_MANIFEST op) before running it.
 *
 * One text record per str item of OP_MANIFEST; an unknown record makes the plan stale, so an older front
 * end never runs a plan whose dependencies it cannot check:
 *   compiler ID / helper ID   the versions the plan was compiled by and for
 *   uid N / gid N / cwd PATH  the caller's ids and working directory
 *   time NS                   when compilation started (for readers; not checked)
 *   file DEV INO SIZE MTIME_NS CTIME_NS SHA256 PATH   a file the compiler read
 *   absent PATH               a path whose absence the compiler relied on (stat must fail with ENOENT)
 *   env NAME=VALUE / noenv NAME   an environment variable the compiler read, set or unset
 *
 * A file holds when device, inode, size, mtime and ctime are all as recorded. Anything else but the size
 * is not conclusive (a copy, a rewrite with the same bytes, a restored mtime), so the content is hashed and
 * compared. The ctime cannot be set by an unprivileged user, and the compiler does not cache a plan when
 * any file it read changed after compilation started, so an unchanged stat means unchanged content.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "front.h"

static unsigned long long ns(const struct timespec *t)
{
	return (unsigned long long)t->tv_sec * 1000000000ull + (unsigned long long)t->tv_nsec;
}

__attribute__((format(printf, 3, 4))) static int stale(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_file(const char *rec, char *why, size_t len)
{
	unsigned long long dev, ino, size, mtime, ctime;
	char hex[2 * SHA256_LEN + 1], now[2 * SHA256_LEN + 1];
	int path_at = 0;
	if (sscanf(rec, "%llu %llu %llu %llu %llu %64[0-9a-f] %n", &dev, &ino, &size, &mtime, &ctime, hex, &path_at) != 6 ||
	    !path_at || strlen(hex) != 2 * SHA256_LEN)
		return stale(why, len, "bad file record \"%.200s\"", rec);
	const char *path = rec + path_at;
	struct stat st;
	if (stat(path, &st) < 0)
		return stale(why, len, "%.3000s is gone", path);
	if ((unsigned long long)st.st_size != size)
		return stale(why, len, "%.3000s changed", path);
	if ((unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino && ns(&st.st_mtim) == mtime &&
	    ns(&st.st_ctim) == ctime)
		return 0;
	if (sha256_file(path, now) < 0 || strcmp(now, hex))
		return stale(why, len, "%.3000s changed", path);
	return 0;
}

static int check_env(const char *rec, int set, char *why, size_t len)
{
	char name[256];
	size_t n = strcspn(rec, "=");
	if (n == 0 || n >= sizeof name || (set && !rec[n]) || (!set && rec[n]))
		return stale(why, len, "bad env record \"%.200s\"", rec);
	memcpy(name, rec, n);
	name[n] = '\0';
	const char *now = getenv(name);
	if (set ? !now || strcmp(now, rec + n + 1) : now != NULL)
		return stale(why, len, "environment variable %s changed", name);
	return 0;
}

static int check_id(const char *rec, unsigned long long want, const char *what, char *why, size_t len)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(rec, &end, 10);
	if (errno || *end || end == rec || v != want)
		return stale(why, len, "%s changed", what);
	return 0;
}

static int check_record(const char *r, const char *helper_id, const char *compiler_id, char *why, size_t len)
{
	char cwd[PLAN_MAX_STR + 1];
	if (!strncmp(r, "file ", 5))
		return check_file(r + 5, why, len);
	if (!strncmp(r, "absent ", 7)) {
		struct stat st;
		return stat(r + 7, &st) == 0 || (errno != ENOENT && errno != ENOTDIR) ? stale(why, len, "%.3000s appeared", r + 7) : 0;
	}
	if (!strncmp(r, "env ", 4) || !strncmp(r, "noenv ", 6))
		return check_env(r + (r[0] == 'e' ? 4 : 6), r[0] == 'e', why, len);
	if (!strncmp(r, "uid ", 4))
		return check_id(r + 4, getuid(), "uid", why, len);
	if (!strncmp(r, "gid ", 4))
		return check_id(r + 4, getgid(), "gid", why, len);
	if (!strncmp(r, "cwd ", 4))
		return getcwd(cwd, sizeof cwd) && !strcmp(cwd, r + 4) ? 0 : stale(why, len, "%s", "working directory changed");
	if (!strncmp(r, "helper ", 7))
		return strcmp(r + 7, helper_id) ? stale(why, len, "%s", "helper changed") : 0;
	if (!strncmp(r, "compiler ", 9))
		return strcmp(r + 9, compiler_id) ? stale(why, len, "%s", "compiler changed") : 0;
	if (!strncmp(r, "time ", 5))
		return 0;
	return stale(why, len, "unknown manifest record \"%.100s\"", r);
}

int manifest_check(const struct plan *p, const char *helper_id, const char *compiler_id, char *why, size_t why_len)
{
	const struct op *m = NULL;
	for (uint32_t i = 0; i < p->n_ops; i++)
		if (p->ops[i].type == OP_MANIFEST)
			m = &p->ops[i];
	if (!m)
		return stale(why, why_len, "%s", "the plan has no manifest");
	for (uint32_t i = 1; i < m->n_items; i++)
		if (check_record(m->items[i].str, helper_id, compiler_id, why, why_len) < 0)
			return -1;
	return 0;
}
