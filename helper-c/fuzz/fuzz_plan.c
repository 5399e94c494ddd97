/* fuzz_plan.c — libFuzzer entry over the plan parser: any bytes must end in a plan or a plan_err, never a crash. */
#include <stdio.h>
#include <string.h>

#include "../helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p;
	struct plan_err pe;
	memset(&pe, 0, sizeof pe);
	if (plan_parse(data, size, &p, &pe) == 0) {
		/* touch what the handlers will read: every str is terminated, every op has its origin */
		size_t total = 0;
		for (uint32_t i = 0; i < p.n_ops; i++)
			for (uint32_t j = 0; j < p.ops[i].n_items; j++)
				total += p.ops[i].items[j].str ? strlen(p.ops[i].items[j].str) : p.ops[i].items[j].len;
		if (p.n_ops == 0 || p.ops[p.n_ops - 1].type != OP_EXEC)
			__builtin_trap(); /* the validator promised an exec op at the end */
		plan_free(&p);
		(void)total;
	} else if (pe.what[0] == '\0' || memchr(pe.what, '\0', sizeof pe.what) == NULL) {
		__builtin_trap(); /* every refusal says why */
	}
	return 0;
}
