/*
 * Documents the unit tests write through the results writer, kept for
 * tests/test-schema.sh: with IOMMUBENCH_TEST_DOCS=DIR set, keep_doc()
 * writes doc to DIR/NAME through ib_results_write() (as run and trace do),
 * where the JSON Schema check reads them. Without it, nothing is kept.
 */
#ifndef IB_TEST_KEEP_DOC_H
#define IB_TEST_KEEP_DOC_H
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "results.h"

static inline void keep_doc(json_t *doc, const char *name)
{
	const char *dir = getenv("IOMMUBENCH_TEST_DOCS");
	char path[4096], err[512];

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK(ib_results_write(doc, path, err, sizeof(err)) == 0, "keeping %s: %s", path, err);
}
#endif
