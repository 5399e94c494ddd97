#include <stdio.h>
#include <unistd.h>

int main(void)
{
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	printf("hello from %s, uid %d\n", host, (int)getuid());
	return 0;
}
