// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * HTML report: one self-contained file. Plots come from gnuplot (svg
 * terminal, written inline); without gnuplot the page says so where the
 * plots would be.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report.h"
#include "summary.h"
#include "warnings.h"

#define geti ib_report_geti
#define gets_ ib_report_gets

void ib_report_xml_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Runs gnuplot on script, copies its SVG (without the XML prolog) to f. */
static void plot(FILE *f, const char *title, const char *script)
{
	char path[] = "/tmp/iommubench-plot-XXXXXX", cmd[128], line[4096];
	int fd = mkstemp(path), rc = -1;
	FILE *p;
	bool body = false;

	fprintf(f, "<figure><figcaption>");
	ib_report_xml_escape(f, title);
	fprintf(f, "</figcaption>\n");
	if (fd < 0 || write(fd, script, strlen(script)) != (ssize_t)strlen(script)) {
		fprintf(f, "<p class=\"warn\">no plot: temporary file for gnuplot: %s</p></figure>\n", strerror(errno));
		if (fd >= 0)
			close(fd), unlink(path);
		return;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "gnuplot %s 2>/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		body |= !strncmp(line, "<svg", 4);
		if (body)
			fputs(line, f);
	}
	if (p)
		rc = pclose(p);
	unlink(path);
	if (!body)
		fprintf(f, "<p class=\"warn\">no plot: gnuplot %s (install the Debian package gnuplot-nox)</p>\n",
			rc == 127 << 8 ? "is not installed" : "failed");
	fprintf(f, "</figure>\n");
}

static const char head[] =
"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n"
"body{font-family:sans-serif;margin:1.5em;max-width:75em}table{border-collapse:collapse;margin:.5em 0}"
"td,th{border:1px solid #bbb;padding:.2em .5em;text-align:right}td:first-child{text-align:left}"
".warn{background:#fff3cd;padding:.3em .6em}.slower{color:#b00;font-weight:bold}.faster{color:#070;font-weight:bold}"
"figure{display:inline-block;margin:.5em;vertical-align:top}figcaption{font-weight:bold}pre{background:#f6f6f6;padding:.5em}\n"
"</style></head><body>\n";

static const char term[] = "set terminal svg size 560,340 dynamic font 'sans,10' background '#ffffff'\n"
			   "set key top left\nset grid\n";

/* "$name << EOD" with (upper bound, count, cumulative fraction) per bucket */
static size_t hist_block(char *buf, size_t len, const char *name, json_t *hist)
{
	json_t *b = json_object_get(hist, "bounds"), *c = json_object_get(hist, "counts");
	double total = 0, cum = 0;
	size_t used, i;

	for (i = 0; i < json_array_size(c); i++)
		total += (double)json_integer_value(json_array_get(c, i));
	used = (size_t)snprintf(buf, len, "$%s << EOD\n", name);
	for (i = 0; i < json_array_size(c) && used < len && total > 0; i++) {
		double n = (double)json_integer_value(json_array_get(c, i));

		cum += n;
		used += (size_t)snprintf(buf + used, len - used, "%g %g %g %g\n",
			(double)json_integer_value(json_array_get(json_array_get(b, i), 0)) / 1e3,
			(double)json_integer_value(json_array_get(json_array_get(b, i), 1)) / 1e3, n, cum / total);
	}
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, "EOD\n");
	return used < len ? used : len;
}

/* histogram and CDF of one role, of one run or two */
static void role_plots(FILE *f, const char *role, json_t *a, json_t *b, bool emu)
{
	static char s[1 << 18];
	json_t *ha = json_object_get(json_object_get(json_object_get(a, "ops"), role), "hist_ns");
	json_t *hb = b ? json_object_get(json_object_get(json_object_get(b, "ops"), role), "hist_ns") : NULL;
	size_t u = 0;
	char title[128];

	if (!json_array_size(json_object_get(ha, "counts")))
		return;
	u += (size_t)snprintf(s + u, sizeof(s) - u, "%s", term);
	u += hist_block(s + u, sizeof(s) - u, "A", ha);
	if (hb && json_array_size(json_object_get(hb, "counts")))
		u += hist_block(s + u, sizeof(s) - u, "B", hb);
	else
		hb = NULL;
	snprintf(s + u, sizeof(s) - u, "set logscale x 2\nset xlabel 'latency (us)%s'\nset ylabel 'operations'\n"
		 "set style fill transparent solid 0.4\nplot $A using 1:3:($2-$1) with boxes title '%s'%s\n",
		 emu ? ", emulated" : "", b ? "candidate" : role, hb ? ", $B using 1:3:($2-$1) with boxes title 'baseline'" : "");
	snprintf(title, sizeof(title), "%s latency histogram (kernel, outermost hook)%s", role, emu ? " — emulated" : "");
	plot(f, title, s);
	snprintf(s + u, sizeof(s) - u, "set logscale x 2\nset xlabel 'latency (us)%s'\nset ylabel 'fraction of operations'\n"
		 "set yrange [0:1]\nplot $A using 2:4 with steps lw 2 title '%s'%s\n", emu ? ", emulated" : "",
		 b ? "candidate" : role, hb ? ", $B using 2:4 with steps lw 2 title 'baseline'" : "");
	snprintf(title, sizeof(title), "%s latency CDF%s", role, emu ? " — emulated" : "");
	plot(f, title, s);
}

/* invalidations per context, of one run or two */
static void context_plot(FILE *f, json_t *a, json_t *b)
{
	static char s[1 << 16];
	json_t *c;
	size_t u, i;

	if (!json_array_size(json_object_get(a, "contexts")))
		return;
	u = (size_t)snprintf(s, sizeof(s), "%s$C << EOD\n", term);
	json_array_foreach(json_object_get(a, "contexts"), i, c) {
		json_t *o = b ? json_array_get(json_object_get(b, "contexts"), i) : NULL;

		if (u < sizeof(s))
			u += (size_t)snprintf(s + u, sizeof(s) - u, "%lld %lld %lld\n", geti(c, "id"),
				geti(json_object_get(c, "kernel"), "tlb_inv_descriptors"),
				o ? geti(json_object_get(o, "kernel"), "tlb_inv_descriptors") : 0);
	}
	if (u < sizeof(s))
		snprintf(s + u, sizeof(s) - u, "EOD\nset style data histograms\nset style histogram clustered\n"
			 "set style fill solid 0.7\nset xlabel 'context'\nset ylabel 'invalidation descriptors'\n"
			 "set yrange [0:*]\nplot $C using 2:xtic(1) title '%s'%s\n", b ? "candidate" : "descriptors",
			 b ? ", '' using 3 title 'baseline'" : "");
	plot(f, "invalidation descriptors per context", s);
}

int ib_report_html_single(FILE *f, json_t *doc, const char *path)
{
	json_t *role;
	const char *rn;
	char *md = NULL;
	size_t len = 0;
	FILE *m;

	fprintf(f, head, "iommubench run");
	fprintf(f, "<h1>iommubench run: ");
	ib_report_xml_escape(f, gets_(json_object_get(doc, "scenario"), "name"));
	fprintf(f, "</h1>\n<p>");
	ib_report_xml_escape(f, path);
	fprintf(f, "</p>\n");
	if (ib_report_emulated(doc))
		fprintf(f, "<p class=\"warn\">Timings are emulated (lab, QEMU TCG): counts are exact, times are not "
			"hardware figures.</p>\n");
	ib_doc_warnings_print(f, doc, IB_WARN_HTML);
	fprintf(f, "<h2>Plots</h2>\n");
	json_object_foreach(json_object_get(doc, "ops"), rn, role)
		if (strcmp(rn, "switch") && geti(role, "count") > 0)
			role_plots(f, rn, doc, NULL, ib_report_emulated(doc));
	context_plot(f, doc, NULL);
	/* the tables: the Markdown report, as text */
	m = open_memstream(&md, &len);
	if (m) {
		ib_report_md_single(m, doc, path);
		fclose(m);
		fprintf(f, "<h2>Figures</h2>\n<pre>");
		ib_report_xml_escape(f, md);
		fprintf(f, "</pre>\n");
		free(md);
	}
	fprintf(f, "</body></html>\n");
	return 0;
}

int ib_report_html_compare(FILE *f, json_t *mo, json_t *cand, json_t *base)
{
	json_t *t = json_object_get(mo, "timings"), *r, *x;
	bool emu = json_is_true(json_object_get(mo, "emulated"));
	size_t i;
	char *md = NULL;
	size_t len = 0;
	FILE *m;

	fprintf(f, head, "iommubench comparison");
	fprintf(f, "<h1>iommubench comparison: ");
	ib_report_xml_escape(f, gets_(json_object_get(mo, "candidate"), "scenario"));
	fprintf(f, "</h1>\n<p>candidate <code>");
	ib_report_xml_escape(f, gets_(json_object_get(mo, "candidate"), "file"));
	fprintf(f, "</code>, baseline <code>");
	ib_report_xml_escape(f, gets_(json_object_get(mo, "baseline"), "file"));
	fprintf(f, "</code></p>\n");
	ib_warnings_print(f, json_object_get(mo, "drop_warnings"), IB_WARN_HTML);
	json_array_foreach(json_object_get(mo, "warnings"), i, x) {
		fprintf(f, "<p class=\"warn\">warning: ");
		ib_report_xml_escape(f, json_string_value(x));
		fprintf(f, "</p>\n");
	}
	fprintf(f, "<h2>Timings per repetition%s</h2>\n", emu ? " (emulated)" : "");
	if (strcmp(gets_(t, "status"), "ok")) {
		fprintf(f, "<p class=\"warn\">");
		ib_report_xml_escape(f, gets_(t, "note"));
		fprintf(f, "</p>\n");
	}
	fprintf(f, "<table><tr><th>figure</th><th>baseline median</th><th>candidate median</th><th>ratio</th>"
		"<th>CI</th><th>p (Holm)</th><th>verdict</th></tr>\n");
	json_array_foreach(json_object_get(t, "figures"), i, r) {
		json_t *ra = json_object_get(r, "ratio");
		char bm[32], cm[32];

		if (!ra)
			continue;
		ib_report_fmt_ns(bm, sizeof(bm), json_number_value(json_object_get(r, "base_median")));
		ib_report_fmt_ns(cm, sizeof(cm), json_number_value(json_object_get(r, "cand_median")));
		fprintf(f, "<tr><td>%s%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>[%.3f, %.3f]</td><td>%.3g</td>"
			"<td class=\"%s\">%s%s</td></tr>\n", gets_(r, "figure"),
			json_is_true(json_object_get(r, "gated")) ? " (gated)" : "", bm, cm,
			json_number_value(json_object_get(ra, "value")), json_number_value(json_object_get(ra, "lo")),
			json_number_value(json_object_get(ra, "hi")), json_number_value(json_object_get(r, "p_holm")),
			gets_(r, "verdict"), gets_(r, "verdict"), json_is_true(json_object_get(r, "tripped")) ? " (gate)" : "");
	}
	fprintf(f, "</table>\n<h2>Plots: baseline against candidate</h2>\n");
	json_array_foreach(json_object_get(t, "figures"), i, r) {
		static char s[1 << 14];
		size_t u;
		json_t *v;
		size_t k;
		char title[128];

		if (!json_object_get(r, "ratio"))
			continue;
		u = (size_t)snprintf(s, sizeof(s), "%s$D << EOD\n", term);
		json_array_foreach(json_object_get(r, "base_values"), k, v)
			u += (size_t)snprintf(s + u, sizeof(s) - u, "%zu %g %g\n", k + 1, json_number_value(v) / 1e3,
					      json_number_value(json_array_get(json_object_get(r, "cand_values"), k)) / 1e3);
		snprintf(s + u, sizeof(s) - u, "EOD\nset xlabel 'repetition'\nset ylabel 'us%s'\nset yrange [0:*]\n"
			 "plot $D using 1:2 with linespoints pt 7 title 'baseline', '' using 1:3 with linespoints pt 5 title 'candidate'\n",
			 emu ? ", emulated" : "");
		snprintf(title, sizeof(title), "%s per repetition%s", gets_(r, "figure"), emu ? " — emulated" : "");
		plot(f, title, s);
	}
	role_plots(f, "map", cand, base, emu);
	role_plots(f, "unmap", cand, base, emu);
	context_plot(f, cand, base);
	m = open_memstream(&md, &len);
	if (m) {
		ib_report_md_compare(m, mo);
		fclose(m);
		fprintf(f, "<h2>Full comparison</h2>\n<pre>");
		ib_report_xml_escape(f, md);
		fprintf(f, "</pre>\n");
		free(md);
	}
	fprintf(f, "</body></html>\n");
	return 0;
}
