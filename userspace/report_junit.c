// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JUnit XML: one test case per gated figure, a failure when it trips. */
#include <string.h>
#include "report.h"
#include "warnings.h"


static json_t *find(json_t *arr, const char *name)
{
	json_t *r;
	size_t i;

	json_array_foreach(arr, i, r)
		if (!strcmp(ib_report_gets(r, "figure"), name))
			return r;
	return NULL;
}

void ib_report_junit(FILE *f, json_t *m)
{
	json_t *gate = json_object_get(json_object_get(m, "settings"), "gate"), *g;
	json_t *t = json_object_get(m, "timings"), *inc = json_object_get(m, "incomplete");
	const char *scen = ib_report_gets(json_object_get(m, "candidate"), "scenario");
	double gp = json_number_value(json_object_get(json_object_get(m, "settings"), "gate_pct"));
	bool emu = json_is_true(json_object_get(m, "emulated"));
	size_t i;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"iommubench.");
	ib_report_xml_escape(f, scen);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n", json_array_size(gate) + json_array_size(inc),
		json_array_size(json_object_get(m, "tripped")) + json_array_size(inc));
	ib_report_junit_incomplete(f, inc);
	json_array_foreach(gate, i, g) {
		const char *name = json_string_value(g);
		json_t *r = find(json_object_get(t, "figures"), name), *c = find(json_object_get(m, "counts"), name);
		char msg[512];

		fprintf(f, "  <testcase classname=\"iommubench.%s\" name=\"", r ? "timing" : "count");
		ib_report_xml_escape(f, name);
		fprintf(f, "\">\n");
		if (r && !json_object_get(r, "skipped") && json_object_get(r, "ratio")) {
			json_t *ra = json_object_get(r, "ratio");

			snprintf(msg, sizeof(msg), "%s%s: median %.0f ns -> %.0f ns, ratio %.3f [%.3f, %.3f], p (Holm) %.3g, "
				 "verdict %s (%s); gate: significantly slower by more than %.3g %%", name,
				 emu ? " (EMULATED timings)" : "",
				 json_number_value(json_object_get(r, "base_median")),
				 json_number_value(json_object_get(r, "cand_median")),
				 json_number_value(json_object_get(ra, "value")), json_number_value(json_object_get(ra, "lo")),
				 json_number_value(json_object_get(ra, "hi")), json_number_value(json_object_get(r, "p_holm")),
				 ib_report_gets(r, "verdict"), ib_report_gets(r, "why"), gp);
		} else if (r || !c) {
			snprintf(msg, sizeof(msg), "%s: not compared: %s", name,
				 r && json_object_get(r, "skipped") ? ib_report_gets(r, "skipped") : ib_report_gets(t, "note"));
			fprintf(f, "    <skipped message=\"");
			ib_report_xml_escape(f, msg);
			fprintf(f, "\"/>\n  </testcase>\n");
			continue;
		} else {
			snprintf(msg, sizeof(msg), "%s: %.6g -> %.6g (exact count); gate: higher by more than %.3g %%", name,
				 json_number_value(json_object_get(c, "base")), json_number_value(json_object_get(c, "cand")), gp);
			r = c;
		}
		if (json_is_true(json_object_get(r, "tripped"))) {
			fprintf(f, "    <failure type=\"gate\" message=\"");
			ib_report_xml_escape(f, msg);
			fprintf(f, "\"/>\n");
		} else {
			fprintf(f, "    <system-out>");
			ib_report_xml_escape(f, msg);
			fprintf(f, "</system-out>\n");
		}
		fprintf(f, "  </testcase>\n");
	}
	ib_warnings_print(f, json_object_get(m, "drop_warnings"), IB_WARN_JUNIT);
	fprintf(f, "</testsuite>\n</testsuites>\n");
}

/* one run: one test case, the isolation checks */
void ib_report_junit_single(FILE *f, json_t *doc, const char *path)
{
	json_t *iso = json_object_get(json_object_get(doc, "checks"), "isolation");
	long long failed = ib_report_geti(iso, "failed");
	json_t *inc = ib_report_incomplete_single(doc, path);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"iommubench.");
	ib_report_xml_escape(f, ib_report_gets(json_object_get(doc, "scenario"), "name"));
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n", 1 + json_array_size(inc),
		(failed > 0) + json_array_size(inc));
	ib_report_junit_incomplete(f, inc);
	json_decref(inc);
	fprintf(f, "  <testcase classname=\"iommubench.checks\" name=\"isolation\">\n");
	if (failed > 0)
		fprintf(f, "    <failure type=\"isolation\" message=\"%lld isolation check(s) failed\"/>\n", failed);
	else if (json_is_string(json_object_get(iso, "skipped"))) {
		fprintf(f, "    <skipped message=\"isolation checks skipped (checks=auto): ");
		ib_report_xml_escape(f, json_string_value(json_object_get(iso, "skipped")));
		fprintf(f, "\"/>\n");
	} else if (!json_is_true(json_object_get(iso, "enabled")))
		fprintf(f, "    <skipped message=\"no isolation checks in this run\"/>\n");
	fprintf(f, "    <system-out>");
	ib_report_xml_escape(f, path);
	fprintf(f, "</system-out>\n  </testcase>\n");
	ib_doc_warnings_print(f, doc, IB_WARN_JUNIT);
	fprintf(f, "</testsuite>\n</testsuites>\n");
}
