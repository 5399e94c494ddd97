/* front.c — nsjail-ts's entry point: run this invocation's cached plan when its manifest still holds,
 * else run the compiler (Node) as a child that writes a fresh plan (and caches it), and run that plan. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "front.h"

#ifndef NODE_BIN
#define NODE_BIN ""
#endif
#define CACHE_ENV "NSJAIL_TS_CACHE_WRITE" /* to the compiler: "HELPER_ID|COMPILER_ID|PLAN_PATH" */
#define PLAN_FD_ENV "NSJAIL_TS_PLAN_FD" /* to the compiler: write the plan to this fd and exit, do not run it */
#define STATUS_ENV "NSJAIL_TS_CACHE_STATUS" /* when set, one line on stderr says hit or miss, and why */

extern char **environ;

int front_invoked(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	return !strcmp(slash ? slash + 1 : argv0, "nsjail-ts");
}

static void status(const char *what, const char *why)
{
	const char *want = getenv(STATUS_ENV);
	if (want && *want)
		fprintf(stderr, "nsjail-ts: cache: %s%s%s%s\n", what, why ? " (" : "", why ? why : "", why ? ")" : "");
}

/* Replace this process with `node ROOT/dist/cli/main.cjs ARGS...` (the build's CommonJS entry, which Node
 * starts faster; main.js without one); plan_path NULL: do not cache; plan_fd -1: the compiler runs what it
 * compiles itself, else it writes the plan there. */
static void exec_compiler(const struct front_ids *ids, int argc, char **argv, const char *plan_path, int plan_fd)
{
	char entry[sizeof ids->root + 32];
	snprintf(entry, sizeof entry, "%s/dist/cli/main.cjs", ids->root);
	if (access(entry, F_OK) < 0)
		snprintf(entry, sizeof entry, "%s/dist/cli/main.js", ids->root);
	char **args = calloc((size_t)argc + 2, sizeof *args);
	size_t val_len = plan_path ? strlen(ids->helper) + strlen(ids->compiler) + strlen(plan_path) + 3 : 0;
	char *val = plan_path ? malloc(val_len) : NULL;
	if (!args || (plan_path && !val)) {
		fprintf(stderr, "nsjail-ts: starting the compiler: out of memory\n");
		exit(EXIT_SETUP);
	}
	args[0] = "node";
	args[1] = entry;
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	if (val) {
		snprintf(val, val_len, "%s|%s|%s", ids->helper, ids->compiler, plan_path);
		setenv(CACHE_ENV, val, 1);
	} else
		unsetenv(CACHE_ENV); /* only the front end asks the compiler to write a plan */
	char num[16];
	snprintf(num, sizeof num, "%d", plan_fd);
	if (plan_fd >= 0)
		setenv(PLAN_FD_ENV, num, 1);
	else
		unsetenv(PLAN_FD_ENV);
	if (NODE_BIN[0])
		execv(NODE_BIN, args); /* the node that built the package; else the one on PATH */
	execvp("node", args);
	fprintf(stderr, "nsjail-ts: cannot start the compiler (node %s): %s\n", entry, strerror(errno));
	exit(EXIT_NOT_FOUND);
}

/* Up to PLAN_MAX_LEN + 1 bytes from the compiler's pipe (more is refused by plan_parse); NULL when out of memory. */
static uint8_t *read_pipe(int fd, size_t *len)
{
	size_t cap = 16384, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf && n <= PLAN_MAX_LEN) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* a read error is a short plan: the child's exit code or plan_parse says what went wrong */
		n += (size_t)r;
		if (n == cap) {
			uint8_t *more = realloc(buf, cap *= 2);
			if (!more)
				free(buf);
			buf = more;
		}
	}
	*len = n;
	return buf;
}

static void compile_fail(const char *what)
{
	fprintf(stderr, "nsjail-ts: starting the compiler: %s: %s\n", what, strerror(errno));
	exit(EXIT_SETUP);
}

/* The compiler that wrote the plan being run, while it may still be exiting; 0 once reaped. */
static pid_t compiler_pid;
static pid_t compiler_parent; /* only that process may wait for it: in another, the pid means nothing */

void front_reap_compiler(int block)
{
	if (compiler_pid <= 0 || getpid() != compiler_parent)
		return;
	pid_t r;
	while ((r = waitpid(compiler_pid, NULL, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (r != 0)
		compiler_pid = 0; /* reaped, or not ours to wait for */
}

void front_forget_compiler(void)
{
	compiler_pid = 0;
}

void front_reaped(pid_t pid)
{
	if (pid > 0 && pid == compiler_pid)
		compiler_pid = 0;
}

/* Run the compiler as a child writing the plan to an inherited pipe, and return a memfd holding that plan.
 * The compiler's output and errors are the user's; when it writes no plan (an error, --help), this process
 * exits as it did. No FFI is needed to hand the plan over, and Node never becomes the sandbox's parent: it
 * finishes (storing the plan in the cache, exiting) while the plan runs, and front_reap_compiler reaps it. */
static int compile_plan(const struct front_ids *ids, int argc, char **argv, const char *plan_path)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		compile_fail("pipe");
	pid_t pid = fork();
	if (pid < 0)
		compile_fail("fork");
	if (pid == 0) {
		int w = fcntl(p[1], F_DUPFD, 3); /* without close-on-exec, and never one of 0-2 */
		if (w < 0)
			compile_fail("dup");
		exec_compiler(ids, argc, argv, plan_path, w);
	}
	close(p[1]);
	size_t len;
	uint8_t *bytes = read_pipe(p[0], &len);
	close(p[0]); /* a compiler still writing (a plan over the limit) gets EPIPE rather than blocking */
	/* The compiler closes the pipe once the whole plan is written, and then takes milliseconds more (the
	 * cache entry, Node's exit): a plan that parses runs at once. Anything else waits for its status. */
	struct plan whole;
	struct plan_err pe;
	if (bytes && len && plan_parse(bytes, len, &whole, &pe) == 0) {
		plan_free(&whole);
		compiler_pid = pid;
		compiler_parent = getpid();
	} else {
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				compile_fail("wait");
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (code || !len)
			exit(code); /* it printed what it had to say (an error, --help, --version) */
		if (!bytes) {
			errno = ENOMEM;
			compile_fail("reading the plan");
		}
		/* a plan that does not parse: the helper reports it as for any plan */
	}
	int fd = memfd_create("nsjail-ts-plan", MFD_CLOEXEC);
	size_t off = 0;
	while (fd >= 0 && off < len) {
		ssize_t r = write(fd, bytes + off, len - off);
		if (r < 0 && errno != EINTR)
			compile_fail("memfd");
		off += r > 0 ? (size_t)r : 0;
	}
	free(bytes);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
		compile_fail("memfd");
	return fd;
}

/* A subcommand is a module in dist/cli/commands (the compiler's rule); none of them runs a cached plan. */
static int is_subcommand(const struct front_ids *ids, const char *word)
{
	char path[sizeof ids->root + 64];
	if (word[0] < 'a' || word[0] > 'z' || strspn(word, "abcdefghijklmnopqrstuvwxyz-") != strlen(word) || strlen(word) > 32)
		return 0;
	snprintf(path, sizeof path, "%s/dist/cli/commands/%s.js", ids->root, word);
	return access(path, F_OK) == 0;
}

/* Flags that never run a cached plan. A command's own argument that looks like one only costs a compile. */
static int wants_compiler(int argc, char **argv)
{
	static const char *const words[] = { "--no-cache", "--help", "-h", "--version", "-V", "--debug" };
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		for (size_t w = 0; w < sizeof words / sizeof *words; w++)
			if (!strcmp(argv[i], words[w]))
				return 1;
	return 0;
}

/* `run-plan PLAN [-- CMD...]`: a plan compiled ahead with `nsjail-ts compile`, run as it is. Anything
 * else after PLAN goes to the compiler, which prints the usage error. */
static int run_plan(const struct front_ids *ids, int argc, char **argv, char ***argv_override)
{
	if (argc < 3 || argv[2][0] == '-' || (argc > 3 && (strcmp(argv[3], "--") || argc == 4)))
		exec_compiler(ids, argc, argv, NULL, -1);
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "nsjail-ts: run-plan: cannot open %s: %s\n", argv[2], strerror(errno));
		exit(EXIT_USAGE);
	}
	*argv_override = argc > 4 ? argv + 4 : NULL;
	return fd;
}

/* The whole plan file (a few KiB); NULL on a read error or an absurd size. */
static uint8_t *read_all(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || (uint64_t)st.st_size > PLAN_MAX_LEN)
		return NULL;
	uint8_t *buf = malloc((size_t)st.st_size);
	size_t n = 0;
	while (buf && n < (size_t)st.st_size) {
		ssize_t r = pread(fd, buf + n, (size_t)st.st_size - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return NULL;
		}
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

/* Whether the cached plan in fd may run: it parses, and its manifest holds. */
static int plan_holds(int fd, const struct front_ids *ids, char *why, size_t why_len)
{
	size_t len;
	uint8_t *bytes = read_all(fd, &len);
	struct plan plan;
	struct plan_err pe;
	if (!bytes || plan_parse(bytes, len, &plan, &pe) < 0) {
		snprintf(why, why_len, "unreadable plan");
		free(bytes);
		return 0;
	}
	free(bytes);
	int ok = manifest_check(&plan, ids->helper, ids->compiler, why, why_len) == 0;
	plan_free(&plan);
	return ok;
}

int front_main(int argc, char **argv, char ***argv_override)
{
	static struct front_ids ids;
	static char dir[PLAN_MAX_STR], path[PLAN_MAX_STR + 80], why[4200];
	int exists;
	*argv_override = NULL;
	if (cache_ids(&ids) < 0) {
		fprintf(stderr, "nsjail-ts: cannot find the compiler (dist/cli/main.js) in the package of %s\n", argv[0]);
		exit(EXIT_SETUP);
	}
	if (argc > 1 && !strcmp(argv[1], "run-plan"))
		return run_plan(&ids, argc, argv, argv_override);
	if (argc > 1 && is_subcommand(&ids, argv[1]))
		exec_compiler(&ids, argc, argv, NULL, -1);
	if (wants_compiler(argc, argv))
		return compile_plan(&ids, argc, argv, NULL);
	if (cache_dir(dir, sizeof dir, &exists) < 0 || cache_key_path(dir, &ids, argc, argv, path, sizeof path) < 0)
		return compile_plan(&ids, argc, argv, NULL);
	int fd = exists ? cache_open_plan(path, why, sizeof why) : -1;
	if (fd == -2)
		return compile_plan(&ids, argc, argv, NULL);
	if (fd >= 0 && plan_holds(fd, &ids, why, sizeof why)) {
		status("hit", NULL);
		return fd;
	}
	status("miss", exists ? why : "no cache directory");
	if (fd >= 0)
		close(fd);
	return compile_plan(&ids, argc, argv, path);
}
