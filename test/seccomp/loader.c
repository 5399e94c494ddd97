/* Loads a seccomp program from a file (no_new_privs + seccomp(2)), then makes one call and prints
 * "<return value> <errno>". Used by kernel.test.ts to check what filters really do. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long int80(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

static void *thread_main(void *arg) { return arg; }

static int load(const char *path)
{
	static struct sock_filter insns[4096];
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); return -1; }
	size_t n = fread(insns, sizeof insns[0], 4096, f);
	fclose(f);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = insns };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) { perror("no_new_privs"); return -1; }
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) { perror("seccomp"); return -1; }
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) { fprintf(stderr, "usage: loader FILE MODE [NR ARG...]\n"); return 100; }
	unsigned long a[7] = { 0 };
	for (int i = 3; i < argc && i < 10; i++) a[i - 3] = strtoull(argv[i], NULL, 0);
	if (strcmp(argv[1], "-") && load(argv[1])) return 100;
	const char *mode = argv[2];
	long r;
	if (!strcmp(mode, "sys") || !strcmp(mode, "x32")) {
		unsigned long nr = a[0] | (!strcmp(mode, "x32") ? 0x40000000UL : 0);
		r = syscall(nr, a[1], a[2], a[3], a[4], a[5], a[6]);
	} else if (!strcmp(mode, "int80")) {
		r = int80((long)a[0], (long)a[1], (long)a[2], (long)a[3]);
		if (r < 0) { errno = (int)-r; r = -1; }
	} else if (!strcmp(mode, "fork")) {
		pid_t pid = fork();
		if (pid == 0) _exit(7);
		int st = 0;
		r = pid < 0 ? -1 : (waitpid(pid, &st, 0), WEXITSTATUS(st));
	} else if (!strcmp(mode, "thread")) {
		pthread_t t;
		int e = pthread_create(&t, NULL, thread_main, NULL);
		if (!e) pthread_join(t, NULL);
		r = e ? -1 : 0;
		errno = e;
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 100;
	}
	printf("%ld %d\n", r, r < 0 ? errno : 0);
	return 0;
}
