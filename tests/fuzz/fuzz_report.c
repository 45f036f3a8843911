// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer targets of `iommubench report`, one per FUZZ_FORMAT:
 *   0 (fuzz_results): the results reader and the comparison model only
 *   1 md, 2 html, 3 junit, 4 json: that renderer, output checked
 * The input is one results document, or two separated by a NUL byte
 * (candidate, then baseline). Each document goes through the reader
 * (ib_results_load); an accepted one is rendered alone (the single-run
 * report) and compared with the other (or with itself), and that
 * comparison is rendered too. Every output must pass its format's check
 * (wellformed.h); a violation prints the output and aborts, which
 * libFuzzer records as a crash with the input that caused it. The HTML
 * renderer runs no gnuplot here (ib_report_plot_hook): each plot's script
 * is checked instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "report.h"
#include "results.h"
#include "wellformed.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=0..4"
#endif

static void violation(const char *fmt, const char *why, const char *out, size_t n, size_t at)
{
	size_t from = at > 200 ? at - 200 : 0;

	fprintf(stderr, "fuzz_report: VIOLATION in %s output at byte %zu: %s\n--- output around it ---\n%.*s\n"
		"--- (marker) ---\n%.*s\n--- end ---\n", fmt, at, why, (int)(at - from), out + from,
		(int)(n - at < 200 ? n - at : 200), out + at);
	abort();
}

static void check(const char *fmt, const char *out, size_t n)
{
	size_t at = 0;
	const char *why = NULL;

	switch (FUZZ_FORMAT) {
	case 1: why = wf_markdown(out, n, &at); break;
	case 2: why = wf_html(out, n, &at); break;
	case 3: why = wf_xml(out, n, &at); break;
	case 4: {
		json_error_t je;
		json_t *back = json_loadb(out, n, 0, &je);

		if (!back)
			why = "the JSON does not parse back", at = (size_t)je.position;
		json_decref(back);
		if (!why)
			why = wf_no_control(out, n, 0, &at);
		break;
	}
	default: break;
	}
	if (why)
		violation(fmt, why, out, n, at);
}

static void plot_script(const char *script)
{
	size_t at = 0;
	const char *why = wf_gnuplot(script, strlen(script), &at);

	if (why)
		violation("gnuplot script", why, script, strlen(script), at);
}

static void render(json_t *doc, const char *path, json_t *model, json_t *cand, json_t *base)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	if (!f)
		abort();
	switch (FUZZ_FORMAT) {
	case 1: model ? ib_report_md_compare(f, model) : ib_report_md_single(f, doc, path); break;
	case 2: model ? ib_report_html_compare(f, model, cand, base) : ib_report_html_single(f, doc, path); break;
	case 3: model ? ib_report_junit(f, model) : ib_report_junit_single(f, doc, path); break;
	case 4: ib_report_json(f, model ? model : doc); break;	/* what --format json prints */
	default: break;	/* fuzz_results: nothing rendered */
	}
	fclose(f);
	check(model ? "compare" : "single-run", out, n);
	free(out);
}

static json_t *load(int i, const uint8_t *data, size_t size, char *path, size_t plen)
{
	static int fd[2] = { -1, -1 };
	char err[2048];
	json_t *doc;

	if (fd[i] < 0 && (fd[i] = memfd_create(i ? "base.json" : "cand.json", 0)) < 0) {
		perror("fuzz_report: memfd_create");
		abort();
	}
	snprintf(path, plen, "/proc/self/fd/%d", fd[i]);
	if (ftruncate(fd[i], 0) || pwrite(fd[i], data, size, 0) != (ssize_t)size) {
		perror("fuzz_report: writing the input to a memfd");
		abort();
	}
	doc = ib_results_load(path, err, sizeof(err));
	if (!doc && strncmp(err, path, strlen(path))) {
		fprintf(stderr, "fuzz_report: VIOLATION: a refused document's message does not name the file: %s\n", err);
		abort();
	}
	return doc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	char pa[64], pb[64], err[2048];
	json_t *a, *b = NULL, *model;
	struct ib_report_opts o;

	ib_report_plot_hook = plot_script;
	a = load(0, data, nul ? (size_t)(nul - data) : size, pa, sizeof(pa));
	if (!a)
		return 0;
	if (nul)
		b = load(1, nul + 1, size - (size_t)(nul - data) - 1, pb, sizeof(pb));
	if (FUZZ_FORMAT)
		render(a, pa, NULL, NULL, NULL);
	ib_report_opts_default(&o);
	o.cmp.resamples = 200;	/* the CLI's floor is 100: fuzzing wants speed, not precision */
	o.fail_above = 5;
	o.force = true;
	model = ib_report_compare(a, pa, b ? b : a, b ? pb : pa, &o, err, sizeof(err));
	if (model && FUZZ_FORMAT)
		render(NULL, NULL, model, a, b ? b : a);
	if (!model && !err[0]) {
		fprintf(stderr, "fuzz_report: VIOLATION: a refused comparison without a message\n");
		abort();
	}
	json_decref(model);
	json_decref(a);
	json_decref(b);
	return 0;
}
