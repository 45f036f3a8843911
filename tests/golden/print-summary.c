// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * print-summary RUN.json: the summary `iommubench run` prints (its
 * ib_print_summary), printed again from a results document, for the golden
 * tests (tests/test-golden.sh). No verb reprints it: this is the only way to
 * pin it without a kernel. The document is read as `report` reads it
 * (written with sorted keys), so objects are walked in the file's order; a
 * live run walks the document it built, in insertion order.
 */
#include <stdio.h>
#include "escape.h"
#include "results.h"
#include "summary.h"

int main(int argc, char **argv)
{
	char err[1024];
	json_t *doc;

	if (argc != 2) {
		fprintf(stderr, "usage: print-summary RUN.json\n");
		return 2;
	}
	doc = ib_results_load(argv[1], err, sizeof(err));
	if (!doc) {
		fprintf(stderr, "print-summary: %s\n", ib_term(err));
		return 2;
	}
	if (ib_results_validate(doc, argv[1], err, sizeof(err))) {
		fprintf(stderr, "print-summary: %s\n", ib_term(err));
		json_decref(doc);
		return 2;
	}
	ib_print_summary(stdout, doc);
	json_decref(doc);
	return fflush(stdout) ? 1 : 0;
}
