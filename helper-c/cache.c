/* cache.c — where cached plans live, what names them, and which of them the front end may trust. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "front.h"

#ifndef HELPER_VERSION
#define HELPER_VERSION "0"
#endif
#define KEY_FORMAT "nsjail-ts plan cache 1"

static unsigned long long mtime_ns(const struct stat *st)
{
	return (unsigned long long)st->st_mtim.tv_sec * 1000000000ull + (unsigned long long)st->st_mtim.tv_nsec;
}

/* This binary's version, size and mtime; the compiler's package.json and entry point likewise: a rebuild
 * of either (tsc rewrites every output file) names new cache entries. */
int cache_ids(struct front_ids *ids)
{
	char exe[sizeof ids->root];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	struct stat self, pkg, entry;
	if (stat(exe, &self) < 0)
		return -1;
	snprintf(ids->helper, sizeof ids->helper, "%s:%lld:%llu", HELPER_VERSION, (long long)self.st_size, mtime_ns(&self));
	memcpy(ids->root, exe, (size_t)n + 1);
	for (int up = 0; up < 3; up++) { /* ROOT/helper-c/build/nsjail-ts-helper */
		char *slash = strrchr(ids->root, '/');
		if (!slash || slash == ids->root)
			return -1;
		*slash = '\0';
	}
	char path[sizeof ids->root + 32];
	snprintf(path, sizeof path, "%s/package.json", ids->root);
	if (stat(path, &pkg) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/dist/cli/main.js", ids->root);
	if (stat(path, &entry) < 0)
		return -1;
	snprintf(ids->compiler, sizeof ids->compiler, "%lld:%llu/%lld:%llu", (long long)pkg.st_size, mtime_ns(&pkg),
	         (long long)entry.st_size, mtime_ns(&entry));
	return 0;
}

static int refuse(const char *what, const char *path, const char *why)
{
	fprintf(stderr, "nsjail-ts: warning: not using the plan cache: %s %s %s\n", what, path, why);
	return -1;
}

/* A directory or plan file is trusted only when it is ours and nobody else can write to it. */
static int trusted(const struct stat *st, const char *what, const char *path, mode_t type)
{
	if ((st->st_mode & S_IFMT) != type)
		return refuse(what, path, type == S_IFDIR ? "is not a directory" : "is not a regular file");
	if (st->st_uid != getuid())
		return refuse(what, path, "is owned by another user");
	if (st->st_mode & 022)
		return refuse(what, path, "is writable by group or others");
	return 0;
}

/* $XDG_CACHE_HOME/nsjail-ts, or ~/.cache/nsjail-ts; the compiler creates it (0700) on its first write. */
int cache_dir(char *dir, size_t len, int *exists)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;
	if (xdg && xdg[0] == '/')
		n = snprintf(dir, len, "%s/nsjail-ts", xdg);
	else if (home && home[0] == '/')
		n = snprintf(dir, len, "%s/.cache/nsjail-ts", home);
	else
		return -1; /* nowhere to cache: run uncached, silently, as without a home */
	if (n < 0 || (size_t)n >= len)
		return -1;
	struct stat st;
	*exists = lstat(dir, &st) == 0;
	if (!*exists)
		return errno == ENOENT ? 0 : refuse("directory", dir, strerror(errno));
	return trusted(&st, "directory", dir, S_IFDIR);
}

/* DIR/<sha256 of the invocation>.plan: the versions, the caller's ids and directory, and every argument. */
int cache_key_path(const char *dir, const struct front_ids *ids, int argc, char **argv, char *path, size_t len)
{
	char cwd[PATH_MAX], num[32];
	if (!getcwd(cwd, sizeof cwd))
		return -1;
	struct sha256 s;
	uint8_t digest[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	sha256_init(&s);
	const char *fixed[] = { KEY_FORMAT, ids->helper, ids->compiler, cwd };
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		sha256_update(&s, fixed[i], strlen(fixed[i]) + 1); /* with the NUL: fields cannot run together */
	snprintf(num, sizeof num, "%u:%u", (unsigned)getuid(), (unsigned)getgid());
	sha256_update(&s, num, strlen(num) + 1);
	for (int i = 1; i < argc; i++)
		sha256_update(&s, argv[i], strlen(argv[i]) + 1);
	sha256_final(&s, digest);
	sha256_hex(digest, hex);
	int n = snprintf(path, len, "%s/%s.plan", dir, hex);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The plan file's fd; -1 when there is none (why says so), -2 when it exists but is not trusted. */
int cache_open_plan(const char *path, char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_len, "%s", errno == ENOENT ? "no cached plan" : strerror(errno));
		return errno == ENOENT ? -1 : (refuse("plan", path, strerror(errno)), -2);
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || trusted(&st, "plan", path, S_IFREG) < 0) {
		close(fd);
		snprintf(why, why_len, "untrusted plan file");
		return -2;
	}
	return fd;
}
