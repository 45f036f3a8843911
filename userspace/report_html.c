// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * HTML report: one self-contained file. Plots come from gnuplot (svg
 * terminal, written inline); without gnuplot the page says so where the
 * plots would be.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "escape.h"
#include "report.h"
#include "tmpfiles.h"
#include "summary.h"
#include "warnings.h"

#define geti ib_report_geti
#define gets_ ib_report_gets

/*
 * gnuplot reads a script that is constant text and numbers only, and data
 * files of numbers: nothing from a results document ever reaches it, so no
 * document can make it run a command (its system, ! and `...` forms), and
 * its SVG carries no text of the document. Labels that name something of
 * the document are in the HTML around the plot, escaped. The files live in
 * a private directory (mkdtemp under $TMPDIR or /tmp), removed on every
 * path; gnuplot is executed directly, without a shell.
 */
#define MAX_DATA 2

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *o;
	int e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (ib_tmp_add(path))
		return -ENOSPC;
	o = fopen(path, "wx");
	if (!o)
		return -errno;
	fputs(text, o);
	e = ferror(o) ? EIO : 0;
	if (fclose(o) && !e)
		e = errno;
	return -e;
}

/* tests/fuzz: when set, each plot's script goes here instead of to gnuplot */
void (*ib_report_plot_hook)(const char *script);

static void remove_files(const char *dir)
{
	static const char *const names[] = { "plot.gp", "0.dat", "1.dat" };
	char path[4200];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
		ib_tmp_del(path);
	}
	rmdir(dir);
	ib_tmp_del(dir);
}

/* gnuplot in dir on plot.gp, its stdout in *svg (malloc'd); its exit status or -errno */
static int run_gnuplot(const char *dir, char **svg)
{
	char buf[4096];
	int p[2], st, rc;
	size_t len;
	ssize_t r;
	pid_t pid;
	FILE *m;

	*svg = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(p[0]);
		close(p[1]);
		return rc;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (chdir(dir) || dup2(p[1], STDOUT_FILENO) < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
		    dup2(null, STDERR_FILENO) < 0)
			_exit(126);
		execlp("gnuplot", "gnuplot", "plot.gp", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	m = open_memstream(svg, &len);
	while ((r = read(p[0], buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
		if (r > 0 && m)
			fwrite(buf, 1, (size_t)r, m);
	close(p[0]);
	if (m)
		fclose(m);
	while ((rc = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (rc < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * A figure captioned name (untrusted, escaped; may be NULL) and what (our
 * text): gnuplot run on script and data[0..n) (which the script reads as
 * '0.dat' and '1.dat'), its SVG (from "<svg" on) copied to f, or why not.
 */
static void plot(FILE *f, const char *name, const char *what, const char *script, const char *const *data, int n)
{
	const char *tmp = getenv("TMPDIR"), *svg_at;
	char dir[4096], file[16], *svg = NULL;
	int rc;

	fprintf(f, "<figure><figcaption>");
	ib_esc_put(f, name, IB_ESC_HTML);
	ib_esc_put(f, what, IB_ESC_HTML);
	fprintf(f, "</figcaption>\n");
	if (ib_report_plot_hook) {
		ib_report_plot_hook(script);
		fprintf(f, "</figure>\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/iommubench-plot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(f, "<p class=\"warn\">no plot: temporary directory for gnuplot in %s: %s (set TMPDIR)</p></figure>\n",
			tmp && *tmp ? "$TMPDIR" : "/tmp", strerror(errno));
		return;
	}
	rc = ib_tmp_add(dir) ? -ENOSPC : write_file(dir, "plot.gp", script);
	for (int i = 0; i < n && i < MAX_DATA && !rc; i++) {
		snprintf(file, sizeof(file), "%d.dat", i);
		rc = write_file(dir, file, data[i]);
	}
	if (rc) {
		fprintf(f, "<p class=\"warn\">no plot: temporary file for gnuplot: %s</p>\n", strerror(-rc));
	} else {
		rc = run_gnuplot(dir, &svg);
		svg_at = svg ? strstr(svg, "<svg") : NULL;
		if (rc == 0 && svg_at && strstr(svg_at, "</svg>"))
			fputs(svg_at, f);
		else if (rc < 0)
			fprintf(f, "<p class=\"warn\">no plot: running gnuplot: %s</p>\n", strerror(-rc));
		else if (rc == 127)
			fprintf(f, "<p class=\"warn\">no plot: gnuplot is not installed (install the Debian package gnuplot-nox)</p>\n");
		else
			fprintf(f, "<p class=\"warn\">no plot: gnuplot failed (exit status %d, or no whole SVG)</p>\n", rc);
		free(svg);
	}
	remove_files(dir);
	fprintf(f, "</figure>\n");
}

static const char head[] =
"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n"
"body{font-family:sans-serif;margin:1.5em;max-width:75em}table{border-collapse:collapse;margin:.5em 0}"
"td,th{border:1px solid #bbb;padding:.2em .5em;text-align:right}td:first-child{text-align:left}"
".warn{background:#fff3cd;padding:.3em .6em}.slower{color:#b00;font-weight:bold}.faster{color:#070;font-weight:bold}"
"figure{display:inline-block;margin:.5em;vertical-align:top}figcaption{font-weight:bold}pre{background:#f6f6f6;padding:.5em}\n"
".incomplete{background:#b00;color:#fff;font-weight:bold;padding:.5em .8em}\n"
"</style></head><body>\n";

static const char term[] = "set terminal svg size 560,340 dynamic font 'sans,10' background '#ffffff'\n"
			   "set key top left\nset grid\n";

/* data file: (lower bound, upper bound, count, cumulative fraction) per bucket */
static char *hist_data(json_t *hist)
{
	json_t *b = json_object_get(hist, "bounds"), *c = json_object_get(hist, "counts");
	double total = 0, cum = 0;
	char *text = NULL;
	size_t len, i;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	for (i = 0; i < json_array_size(c); i++)
		total += (double)json_integer_value(json_array_get(c, i));
	for (i = 0; i < json_array_size(c) && total > 0; i++) {
		double n = (double)json_integer_value(json_array_get(c, i));

		cum += n;
		fprintf(m, "%g %g %g %g\n", (double)json_integer_value(json_array_get(json_array_get(b, i), 0)) / 1e3,
			(double)json_integer_value(json_array_get(json_array_get(b, i), 1)) / 1e3, n, cum / total);
	}
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}

/* histogram and CDF of one role, of one run or two */
static void role_plots(FILE *f, const char *role, json_t *a, json_t *b, bool emu)
{
	json_t *ha = json_object_get(json_object_get(json_object_get(a, "ops"), role), "hist_ns");
	json_t *hb = b ? json_object_get(json_object_get(json_object_get(b, "ops"), role), "hist_ns") : NULL;
	char s[1024], *d[2] = { NULL, NULL };
	int n = 1;

	if (!json_array_size(json_object_get(ha, "counts")))
		return;
	d[0] = hist_data(ha);
	if (hb && json_array_size(json_object_get(hb, "counts")))
		d[n++] = hist_data(hb);
	if (!d[0] || (n > 1 && !d[1]))
		goto out;
	snprintf(s, sizeof(s), "%sset logscale x 2\nset xlabel 'latency (us)%s'\nset ylabel 'operations'\n"
		 "set style fill transparent solid 0.4\nplot '0.dat' using 1:3:($2-$1) with boxes title '%s'%s\n",
		 term, emu ? ", emulated" : "", b ? "candidate" : "this run",
		 n > 1 ? ", '1.dat' using 1:3:($2-$1) with boxes title 'baseline'" : "");
	plot(f, role, emu ? " latency histogram (kernel, outermost hook) — emulated" :
	     " latency histogram (kernel, outermost hook)", s, (const char *const *)d, n);
	snprintf(s, sizeof(s), "%sset logscale x 2\nset xlabel 'latency (us)%s'\nset ylabel 'fraction of operations'\n"
		 "set yrange [0:1]\nplot '0.dat' using 2:4 with steps lw 2 title '%s'%s\n", term,
		 emu ? ", emulated" : "", b ? "candidate" : "this run",
		 n > 1 ? ", '1.dat' using 2:4 with steps lw 2 title 'baseline'" : "");
	plot(f, role, emu ? " latency CDF — emulated" : " latency CDF", s, (const char *const *)d, n);
out:
	free(d[0]);
	free(d[1]);
}

/* invalidations per context, of one run or two */
static void context_plot(FILE *f, json_t *a, json_t *b)
{
	char s[1024], *d = NULL;
	size_t len, i;
	json_t *c;
	FILE *m;

	if (!json_array_size(json_object_get(a, "contexts")))
		return;
	m = open_memstream(&d, &len);
	if (!m)
		return;
	json_array_foreach(json_object_get(a, "contexts"), i, c) {
		json_t *o = b ? json_array_get(json_object_get(b, "contexts"), i) : NULL;

		fprintf(m, "%lld %lld %lld\n", geti(c, "id"), geti(json_object_get(c, "kernel"), "tlb_inv_descriptors"),
			o ? geti(json_object_get(o, "kernel"), "tlb_inv_descriptors") : 0);
	}
	if (!fclose(m)) {
		snprintf(s, sizeof(s), "%sset style data histograms\nset style histogram clustered\n"
			 "set style fill solid 0.7\nset xlabel 'context'\nset ylabel 'invalidation descriptors'\n"
			 "set yrange [0:*]\nplot '0.dat' using 2:xtic(1) title '%s'%s\n", term,
			 b ? "candidate" : "descriptors", b ? ", '' using 3 title 'baseline'" : "");
		plot(f, NULL, "invalidation descriptors per context", s, (const char *const *)&d, 1);
	}
	free(d);
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
	{
		json_t *inc = ib_report_incomplete_single(doc, path);

		ib_report_html_incomplete(f, inc);
		json_decref(inc);
	}
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
	ib_report_html_incomplete(f, json_object_get(mo, "incomplete"));

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
		const char *v = gets_(r, "verdict");
		char bm[32], cm[32];

		if (!ra)
			continue;
		ib_report_fmt_ns(bm, sizeof(bm), json_number_value(json_object_get(r, "base_median")));
		ib_report_fmt_ns(cm, sizeof(cm), json_number_value(json_object_get(r, "cand_median")));
		/* the verdict is one of ours, the class attribute only one of its known values */
		fprintf(f, "<tr><td>%s%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>[%.3f, %.3f]</td><td>%.3g</td>"
			"<td class=\"%s\">%s%s</td></tr>\n", ib_esc(gets_(r, "figure"), IB_ESC_HTML),
			json_is_true(json_object_get(r, "gated")) ? " (gated)" : "", bm, cm,
			json_number_value(json_object_get(ra, "value")), json_number_value(json_object_get(ra, "lo")),
			json_number_value(json_object_get(ra, "hi")), json_number_value(json_object_get(r, "p_holm")),
			!strcmp(v, "slower") ? "slower" : !strcmp(v, "faster") ? "faster" : "same",
			ib_esc(v, IB_ESC_HTML), json_is_true(json_object_get(r, "tripped")) ? " (gate)" : "");
	}
	fprintf(f, "</table>\n<h2>Plots: baseline against candidate</h2>\n");
	json_array_foreach(json_object_get(t, "figures"), i, r) {
		char s[1024], *d = NULL;
		size_t k, len;
		json_t *v;
		FILE *m;

		if (!json_object_get(r, "ratio") || !(m = open_memstream(&d, &len)))
			continue;
		json_array_foreach(json_object_get(r, "base_values"), k, v)
			fprintf(m, "%zu %g %g\n", k + 1, json_number_value(v) / 1e3,
				json_number_value(json_array_get(json_object_get(r, "cand_values"), k)) / 1e3);
		if (!fclose(m)) {
			snprintf(s, sizeof(s), "%sset xlabel 'repetition'\nset ylabel 'us%s'\nset yrange [0:*]\n"
				 "plot '0.dat' using 1:2 with linespoints pt 7 title 'baseline', "
				 "'' using 1:3 with linespoints pt 5 title 'candidate'\n", term, emu ? ", emulated" : "");
			plot(f, gets_(r, "figure"), emu ? " per repetition — emulated" : " per repetition", s,
			     (const char *const *)&d, 1);
		}
		free(d);
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
