/* afl_main.c — stdin driver so AFL++ can run the libFuzzer entry point. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(void)
{
	static uint8_t buf[1 << 20];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof buf && (r = read(0, buf + n, sizeof buf - n)) > 0)
		n += (size_t)r;
	return LLVMFuzzerTestOneInput(buf, n);
}
