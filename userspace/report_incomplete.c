// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Failed and interrupted runs in a report. A run that exits 1 still writes
 * its document with "error" set, and one stopped by a signal names it in
 * "interrupted": their figures cover only the part that ran, so every
 * format says so at the top, and the gate trips on them unless
 * --allow-incomplete. The list is the model's "incomplete" (one entry per
 * such run: run, file, reason, detail, gated).
 */
#include <string.h>
#include "escape.h"
#include "report.h"
#include "results.h"

json_t *ib_report_incomplete_json(json_t *doc, const char *run, const char *path, bool gated)
{
	const char *why = ib_results_incomplete(doc);
	const char *detail;

	if (!why)
		return NULL;
	detail = json_string_value(json_object_get(doc, !strcmp(why, "failed") ? "error" : "interrupted"));
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "run", run, "file", path, "reason", why,
			 "detail", detail ? detail : "", "gated", gated);
}

static void text(char *buf, size_t len, json_t *x)
{
	/* plain text here: each format escapes the whole line for itself */
	snprintf(buf, len, "INCOMPLETE RUN: the %s (%s) %s: %.400s. Its figures cover only the part that ran; %s",
		 ib_report_gets(x, "run"), ib_report_gets(x, "file"),
		 !strcmp(ib_report_gets(x, "reason"), "failed") ? "failed" : "was interrupted",
		 ib_report_gets(x, "detail"),
		 json_is_true(json_object_get(x, "gated")) ? "it trips the gate (--allow-incomplete to allow it)" :
		 "allowed by --allow-incomplete, not gated");
}

/* one line per incomplete run, between pre and post, escaped as kind */
static void banner(FILE *f, json_t *list, const char *pre, enum ib_esc kind, const char *post)
{
	json_t *x;
	size_t i;
	char t[1024];

	json_array_foreach(list, i, x) {
		text(t, sizeof(t), x);
		fputs(pre, f);
		ib_esc_put(f, t, kind);
		fputs(post, f);
	}
}

/* Markdown: a quote block, escaped as every Markdown cell is */
void ib_report_md_incomplete(FILE *f, json_t *list)
{
	banner(f, list, "> **", IB_ESC_MD, "**\n\n");
}

void ib_report_html_incomplete(FILE *f, json_t *list)
{
	banner(f, list, "<p class=\"incomplete\">", IB_ESC_HTML, "</p>\n");
}

void ib_report_junit_incomplete(FILE *f, json_t *list)
{
	json_t *x;
	size_t i;
	char t[1024];

	json_array_foreach(list, i, x) {
		text(t, sizeof(t), x);
		fputs("  <testcase classname=\"iommubench.run\" name=\"", f);
		ib_report_xml_escape(f, ib_report_gets(x, "run"));
		fputs(".complete\">\n    <failure type=\"incomplete\" message=\"", f);
		ib_report_xml_escape(f, t);
		fputs("\"/>\n  </testcase>\n", f);
	}
}

/* For the one-run renderers: the list of that run (empty when complete) */
json_t *ib_report_incomplete_single(json_t *doc, const char *path)
{
	json_t *l = json_array(), *x = ib_report_incomplete_json(doc, "run", path, true);

	if (x)
		json_array_append_new(l, x);
	return l;
}
