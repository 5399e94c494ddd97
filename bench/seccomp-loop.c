/* Bench helper: loads a seccomp program (or none: "-"), then times N calls of getppid,
 * ioctl(FIONREAD) and fcntl(F_GETFD); prints "name ns_per_call" lines. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static struct sock_filter insns[4096];
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	if (argc < 2) return 2;
	if (strcmp(argv[1], "-")) {
		FILE *f = fopen(argv[1], "rb");
		if (!f) { perror(argv[1]); return 1; }
		struct sock_fprog prog = { .len = (unsigned short)fread(insns, 8, 4096, f), .filter = insns };
		fclose(f);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
			perror("seccomp");
			return 1;
		}
	}
	int fds[2], avail;
	if (pipe(fds)) return 1;
	double t0 = now();
	for (long i = 0; i < n; i++) syscall(SYS_getppid);
	double t1 = now();
	for (long i = 0; i < n; i++) ioctl(fds[0], FIONREAD, &avail);
	double t2 = now();
	for (long i = 0; i < n; i++) fcntl(fds[0], F_GETFD);
	double t3 = now();
	printf("getppid %.1f\nioctl %.1f\nfcntl %.1f\n", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n);
	return 0;
}
