// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for userspace/summary.c: what the printed summary says about
 * figures that are partial. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "summary.h"
#include "check.h"

/* the summary of doc (its reference taken), as a string to free */
static char *summary_text(json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f && doc)
		ib_print_summary(f, doc);
	if (f)
		fclose(f);
	json_decref(doc);
	return buf;
}

/* the summary of a document whose domain log saw events and kept kept */
static char *summary_of(long long events, long long kept)
{
	return summary_text(json_pack("{s:s, s:{s:I, s:I, s:I}}", "schema", "iommubench/1", "domains",
				      "instances", (json_int_t)(kept / 2), "events", (json_int_t)events,
				      "events_kept", (json_int_t)kept));
}

static void test_domain_log_full(void)
{
	char *s = summary_of(2050, 2048);

	CHECK(s && strstr(s, "\ndomain log full: 2048 of 2050 attach/detach events kept; "),
	      "summary lacks the full log: %s", s ? s : "(null)");
	free(s);
	s = summary_of(1282, 1282);
	CHECK(s && !strstr(s, "domain log full"), "summary of a complete log: %s", s ? s : "(null)");
	free(s);
}

/* the summary of a document with this checks.isolation */
static char *summary_checks(json_t *iso)
{
	return summary_text(json_pack("{s:s, s:{s:o}}", "schema", "iommubench/1", "checks", "isolation", iso));
}

/* checks=auto without a DMA engine: one line with the reason, escaped */
static void test_checks_skipped(void)
{
	char *s = summary_checks(json_pack("{s:b, s:s, s:s}", "enabled", 0, "mode", "auto", "skipped",
					   "no DMA engine iommubench can drive on 0000:00:05.0 (1b36:0010)"));

	CHECK(s && strstr(s, "\nisolation checks skipped (checks=auto): no DMA engine iommubench can drive on "
			  "0000:00:05.0 (1b36:0010)\n"), "summary: %s", s ? s : "(null)");
	free(s);
	s = summary_checks(json_pack("{s:b, s:s, s:s}", "enabled", 0, "mode", "auto", "skipped", "a\033[2Jb"));
	CHECK(s && strstr(s, "skipped (checks=auto): a\\x1b[2Jb\n") && !strchr(s, '\033'), "summary: %s",
	      s ? s : "(null)");
	free(s);
	/* checks=0: no line at all */
	s = summary_checks(json_pack("{s:b, s:s, s:n}", "enabled", 0, "mode", "0", "skipped"));
	CHECK(s && !strstr(s, "isolation"), "summary: %s", s ? s : "(null)");
	free(s);
}

int main(void)
{
	test_domain_log_full();
	test_checks_skipped();
	return CHECK_DONE();
}
