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
#include "report.h"
#include "results.h"

void ib_report_sanitize(char *buf, size_t len, const char *s)
{
	size_t i = 0;

	if (!len)
		return;
	for (; s && *s && i + 1 < len; s++)
		buf[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	buf[i] = '\0';
	if (s && *s && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

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
	char d[512];

	ib_report_sanitize(d, sizeof(d), ib_report_gets(x, "detail"));
	snprintf(buf, len, "INCOMPLETE RUN: the %s (%s) %s: %s. Its figures cover only the part that ran; %s",
		 ib_report_gets(x, "run"), ib_report_gets(x, "file"),
		 !strcmp(ib_report_gets(x, "reason"), "failed") ? "failed" : "was interrupted", d,
		 json_is_true(json_object_get(x, "gated")) ? "it trips the gate (--allow-incomplete to allow it)" :
		 "allowed by --allow-incomplete, not gated");
}

/* Markdown: a quote block; characters that mean something in Markdown or
 * HTML are backslash-escaped or replaced */
void ib_report_md_incomplete(FILE *f, json_t *list)
{
	json_t *x;
	size_t i;
	char t[1024];

	json_array_foreach(list, i, x) {
		text(t, sizeof(t), x);
		fputs("> **", f);
		for (const char *s = t; *s; s++) {
			if (*s == '<')
				fputs("&lt;", f);
			else if (*s == '>')
				fputs("&gt;", f);
			else if (*s == '&')
				fputs("&amp;", f);
			else {
				if (strchr("\\`*_[]|#!~", *s))
					fputc('\\', f);
				fputc(*s, f);
			}
		}
		fputs("**\n\n", f);
	}
}

void ib_report_html_incomplete(FILE *f, json_t *list)
{
	json_t *x;
	size_t i;
	char t[1024];

	json_array_foreach(list, i, x) {
		text(t, sizeof(t), x);
		fputs("<p class=\"incomplete\">", f);
		ib_report_xml_escape(f, t);
		fputs("</p>\n", f);
	}
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
