// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the lab MMU-500 model's counters file (labsmmu.h, the
 * fw_cfg file a guest reads: untrusted) through the parser and, when it is
 * accepted, the difference against itself and against a fixed reading.
 * Besides what ASan and UBSan catch, it checks that a refused file says
 * why, that an accepted one keeps only names of [a-z0-9_.] within the
 * length limit, sorted and unique, no more lines than the limit, and that
 * a reading compared with itself changed nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "labsmmu.h"

static void violation(const char *what)
{
	fprintf(stderr, "fuzz_labsmmu: VIOLATION: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base[] = "format 1\ncontext_banks 8\ntlbival 1\n";
	struct ib_smmu_counters c = {0}, b = {0};
	char err[512] = "";
	json_t *o;

	if (ib_smmu_parse((const char *)data, size, &c, err, sizeof(err))) {
		if (!err[0])
			violation("refused without a message");
		if (c.n || c.c)
			violation("counters kept after a refusal");
		return 0;
	}
	if (c.n > IB_SMMU_MAX_LINES)
		violation("more counters than lines allowed");
	for (size_t i = 0; i < c.n; i++) {
		size_t n = strlen(c.c[i].name);

		if (!n || n > IB_SMMU_NAME_MAX || strspn(c.c[i].name, "abcdefghijklmnopqrstuvwxyz0123456789_.") != n)
			violation("a name outside [a-z0-9_.]{1,max}");
		if (i && strcmp(c.c[i - 1].name, c.c[i].name) >= 0)
			violation("names not sorted and unique");
	}
	if ((o = ib_smmu_diff_json(&c, &c, err, sizeof(err)))) {
		if (json_object_size(json_object_get(o, "counters")))
			violation("a reading compared with itself changed");
		json_decref(o);
	}
	if (ib_smmu_parse(base, sizeof(base) - 1, &b, err, sizeof(err)))
		violation("the fixed reading refused");
	json_decref(ib_smmu_diff_json(&b, &c, err, sizeof(err)));
	json_decref(ib_smmu_diff_json(&c, &b, err, sizeof(err)));
	ib_smmu_free(&b);
	ib_smmu_free(&c);
	return 0;
}
