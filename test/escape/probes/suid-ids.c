/* suid-ids.c — installed setuid by the tests: prints the ids and capabilities it ended up with, nothing else. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	printf("uids %u %u %u\n", (unsigned)r, (unsigned)e, (unsigned)s);
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "CapEff:", 7))
			fputs(line, stdout);
	return 0;
}
