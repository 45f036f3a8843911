// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Drop-counter warnings: the run summary and every report format name each
 * non-zero drops.* counter and what it means, and say nothing when all are
 * zero. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "escape.h"
#include "report.h"
#include "results.h"
#include "summary.h"
#include "warnings.h"

#define BASE "tests/data/report/base.json"
#define IRQ_LINE "drops.irq_unknown = 942: probe events whose interrupt level could not be read"

/* out of one renderer call, as a string to free */
#define RENDER(buf, call) do {						\
	size_t _len = 0;						\
	FILE *f = open_memstream(&(buf), &_len);			\
	call;								\
	fclose(f);							\
} while (0)

static json_t *load(const char *path)
{
	char err[512];
	json_t *d = ib_results_load(path, err, sizeof(err));

	CHECK(d != NULL, "%s: %s", path, err);
	return d;
}

/* a run without ops (no plots to draw) whose drops are given */
static json_t *run_with_drops(json_t *drops)
{
	return json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:o}", "schema", "iommubench/1",
			 "scenario", "name", "w", "backend", "vfio", "host", "kernel", "6.12.0-test", "arch", "x86_64",
			 "drops", drops);
}

/* every counter the probes write has a meaning: a new one without fails */
static void test_meanings(void)
{
	struct ib_err_stats e;
	json_t *d, *v;
	const char *k;

	memset(&e, 0, sizeof(e));
	d = ib_drops_json(&e);
	json_object_set_new(d, "events", json_integer(0)); /* run.c adds it */
	CHECK(json_object_size(d) >= 7, "drops has %zu counters", json_object_size(d));
	json_object_foreach(d, k, v)
		CHECK(ib_drop_meaning(k) != NULL, "drops.%s has no meaning in warnings.c", k);
	CHECK(ib_drop_meaning("no_such_counter") == NULL, "unknown name");
	json_decref(d);
}

static void test_clean(void)
{
	json_t *doc = run_with_drops(json_pack("{s:i, s:i, s:i}", "irq_unknown", 0, "task_map_full", 0,
					       "unmatched_exit", 0)), *w = json_array();
	char *buf = NULL;

	CHECK_EQ_U64(ib_drop_warnings(w, doc, NULL), 0);
	CHECK_EQ_U64(json_array_size(w), 0);
	RENDER(buf, ib_print_summary(f, doc));
	CHECK(strstr(buf, "WARNING") == NULL && strstr(buf, "warning") == NULL, "clean summary warns:\n%s", buf);
	free(buf);
	RENDER(buf, ib_report_md_single(f, doc, "w.json"));
	CHECK(strstr(buf, "## Warnings") == NULL, "clean md warns");
	free(buf);
	RENDER(buf, ib_report_junit_single(f, doc, "w.json"));
	CHECK(strstr(buf, "system-err") == NULL, "clean junit warns");
	free(buf);
	json_decref(w);
	json_decref(doc);
}

static void test_single(void)
{
	json_t *doc = run_with_drops(json_pack("{s:i, s:i, s:i, s:s, s:i}", "irq_unknown", 942,
					       "task_map_full", 2, "unmatched_exit", 0, "stack_overflow", "x",
					       "x|<b>\n", 3)), *w = json_array(), *x;
	char *buf = NULL, *end;

	CHECK_EQ_U64(ib_drop_warnings(w, doc, "candidate"), 3);
	x = json_array_get(w, 0);
	CHECK_STR(json_string_value(json_object_get(x, "counter")), "drops.irq_unknown");
	CHECK_EQ_U64(json_integer_value(json_object_get(x, "value")), 942);
	CHECK_STR(json_string_value(json_object_get(x, "run")), "candidate");
	/* a key from the document stays as it is in the model (escaped where
	 * printed); its meaning says it is unknown */
	x = json_array_get(w, 2);
	CHECK_STR(json_string_value(json_object_get(x, "counter")), "drops.x|<b>\n");
	CHECK(strstr(json_string_value(json_object_get(x, "meaning")), "does not know") != NULL, "unknown meaning");

	RENDER(buf, ib_print_summary(f, doc));
	CHECK(strstr(buf, "\nWARNINGS\n  warning: " IRQ_LINE) != NULL, "summary:\n%s", buf);
	CHECK(strstr(buf, "warning: drops.task_map_full = 2: calls not timed") != NULL, "summary task_map_full");
	CHECK(strstr(buf, "unmatched_exit") == NULL && strstr(buf, "stack_overflow") == NULL,
	      "zero and non-numeric counters are not warned about");
	free(buf);

	RENDER(buf, ib_report_md_single(f, doc, "w.json"));
	CHECK(strstr(buf, "\n## Warnings\n\n- **warning**: " IRQ_LINE) != NULL, "md:\n%s", buf);
	CHECK(strstr(buf, "- **warning**: drops.x\\|&lt;b&gt;\\n = 3") != NULL, "md: hostile key inert:\n%s", buf);
	CHECK(strstr(buf, "<b>") == NULL && strstr(buf, "x|") == NULL, "md: no markup or cell break from the document");
	free(buf);

	RENDER(buf, ib_report_junit_single(f, doc, "w.json"));
	CHECK(strstr(buf, "  <system-err>\nwarning: " IRQ_LINE) != NULL, "junit:\n%s", buf);
	end = strstr(buf, "</system-err>");
	CHECK(end && strstr(end, "</testsuite>") && !strstr(end, "<testcase"), "junit: block closes the suite");
	CHECK(strstr(buf, "<b>") == NULL, "junit: no markup from the document");
	free(buf);

	RENDER(buf, ib_report_html_single(f, doc, "w.json"));
	CHECK(strstr(buf, "<h2>Warnings</h2>\n<p class=\"warn\">warning: " IRQ_LINE) != NULL, "html:\n%s", buf);
	CHECK(strstr(buf, "<b>") == NULL, "html: no markup from the document");
	free(buf);
	json_decref(w);
	json_decref(doc);
}

/* a comparison warns about each run's drops, naming the run */
static void test_compare(void)
{
	json_t *cand = load(BASE), *base = load(BASE), *m, *w;
	struct ib_report_opts o;
	char err[512], *buf = NULL;

	if (!cand || !base)
		return;
	json_object_set_new(json_object_get(cand, "drops"), "irq_unknown", json_integer(942));
	json_object_set_new(json_object_get(base, "drops"), "unmatched_exit", json_integer(5));
	ib_report_opts_default(&o);
	o.cmp.resamples = 200;
	m = ib_report_compare(cand, "cand.json", base, "base.json", &o, err, sizeof(err));
	CHECK(m != NULL, "compare: %s", err);
	if (!m)
		return;
	w = json_object_get(m, "drop_warnings");
	CHECK_EQ_U64(json_array_size(w), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(w, 0), "run")), "candidate");
	CHECK_STR(json_string_value(json_object_get(json_array_get(w, 1), "counter")), "drops.unmatched_exit");

	RENDER(buf, ib_report_md_compare(f, m));
	CHECK(strstr(buf, "\n## Warnings\n\n- **warning**: candidate: " IRQ_LINE) != NULL, "md compare:\n%s", buf);
	CHECK(strstr(buf, "- **warning**: baseline: drops.unmatched_exit = 5: exits seen without") != NULL,
	      "md compare: baseline");
	free(buf);
	RENDER(buf, ib_report_junit(f, m));
	CHECK(strstr(buf, "<system-err>\nwarning: candidate: " IRQ_LINE) != NULL, "junit compare:\n%s", buf);
	free(buf);
	RENDER(buf, ib_report_html_compare(f, m, cand, base));
	CHECK(strstr(buf, "<p class=\"warn\">warning: baseline: drops.unmatched_exit = 5") != NULL,
	      "html compare");
	free(buf);
	json_decref(m);
	json_decref(cand);
	json_decref(base);
}

int main(void)
{
	test_meanings();
	test_clean();
	test_single();
	test_compare();
	return CHECK_DONE();
}
