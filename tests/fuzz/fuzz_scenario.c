// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: a scenario file through the parser and, when it is
 * accepted, the plan builder. Besides what ASan and UBSan catch, it checks
 * that a refused file says why (a message naming the file) and that a plan
 * is consistent: it ends with END, every op's context is below contexts=,
 * and no mapping index runs past pages=.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "plan.h"
#include "scenario.h"

static void violation(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_scenario: VIOLATION: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static struct ib_scenario sc;
	struct ib_plan plan;
	char err[1024];

	if (fd < 0) {
		fd = memfd_create("scenario.ini", 0);
		if (fd < 0) {
			perror("fuzz_scenario: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size) {
		perror("fuzz_scenario: writing the input to a memfd");
		abort();
	}
	memset(&sc, 0, sizeof(sc));
	if (ib_scenario_load(path, &sc, err, sizeof(err))) {
		if (strncmp(err, path, strlen(path)))
			violation("a refused scenario's message does not name the file", err);
		return 0;
	}
	memset(&plan, 0, sizeof(plan));
	if (ib_plan_build(&sc, &plan, err, sizeof(err)) == 0) {
		if (!plan.n || plan.ops[plan.n - 1].kind != IB_OP_END)
			violation("a plan that does not end with END", NULL);
		for (size_t i = 0; i < plan.n; i++) {
			const struct ib_op *op = &plan.ops[i];

			if (op->ctx >= (sc.contexts ? sc.contexts : 1))
				violation("an op on a context past contexts=", NULL);
			if ((uint64_t)op->first + op->count > sc.pages)
				violation("an op past the working set (pages=)", NULL);
		}
	} else if (!err[0]) {
		violation("a refused plan without a message", NULL);
	}
	ib_plan_free(&plan);
	return 0;
}
