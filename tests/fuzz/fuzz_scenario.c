// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: a scenario file through the parser and, when it is
 * accepted, the plan builder. An input may end with --set overrides: after
 * a line ";--set" (a comment, so the file part is still a scenario file),
 * each line is one KEY=VALUE as run's --set takes it (cut at a NUL: argv
 * holds none). Besides what ASan and UBSan catch, it checks that a refused
 * file says why (a message naming the file, or the --set), that an
 * accepted override is recorded once with its key, and that a plan
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
	static const char sep[] = "\n;--set\n";
	const uint8_t *cut = memmem(data, size, sep, sizeof(sep) - 1);
	size_t fsize = cut ? (size_t)(cut - data) + 1 : size, nsets = 0;
	static char setbuf[4096];
	static const char *sets[IB_SC_MAX_SET + 8];

	if (fd < 0) {
		fd = memfd_create("scenario.ini", 0);
		if (fd < 0) {
			perror("fuzz_scenario: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (cut) {
		size_t n = size - (fsize + sizeof(sep) - 2);
		char *p = setbuf, *nl;

		if (n >= sizeof(setbuf))
			n = sizeof(setbuf) - 1;
		memcpy(setbuf, cut + sizeof(sep) - 1, n);
		setbuf[n] = '\0';
		for (; nsets < sizeof(sets) / sizeof(sets[0]); p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			sets[nsets++] = p;
			if (!nl)
				break;
		}
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, fsize, 0) != (ssize_t)fsize) {
		perror("fuzz_scenario: writing the input to a memfd");
		abort();
	}
	memset(&sc, 0, sizeof(sc));
	if (ib_scenario_load_set(path, sets, nsets, &sc, err, sizeof(err))) {
		if (strncmp(err, path, strlen(path)) && strncmp(err, "--set ", 6))
			violation("a refused scenario's message names neither the file nor a --set", err);
		return 0;
	}
	if (sc.nset != nsets)
		violation("an accepted --set not recorded", NULL);
	for (size_t i = 0; i < sc.nset; i++) {
		char where[320];

		for (size_t j = 0; j < i; j++)
			if (!strcmp(sc.set[i].key, sc.set[j].key))
				violation("a key accepted twice from --set", sc.set[i].key);
		ib_scenario_key_where(&sc, sc.set[i].key, where, sizeof(where));
		if (strncmp(where, "--set ", 6))
			violation("an overridden key said to come from the file", where);
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
