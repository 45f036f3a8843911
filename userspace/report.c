// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `iommubench report`: options, input, output, exit status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"
#include "escape.h"
#include "report.h"
#include "results.h"
#include "tmpfiles.h"

#define IB_STR_(x) #x
#define IB_STR(x) IB_STR_(x)

#include "warnings.h"

static const char report_usage[] =
"usage: iommubench report RUN.json [BASELINE.json] [--format md|html|junit|json] [-o FILE]\n"
"                         [--fail-above PCT] [--gate LIST] [--threshold PCT] [--confidence C]\n"
"                         [--resamples N] [--force] [--allow-incomplete] [--max-size MIB]\n"
"\n"
"With one results document: a summary of that run (per role and hook: count,\n"
"p50/p90/p99, histogram; per context; checks; drops; hooks that did not attach).\n"
"With two: RUN.json (the candidate) compared with BASELINE.json. Counts are\n"
"compared exactly and every difference is listed. Timings are compared per\n"
"repetition (each measured pass's p50 and p99, loops= in the scenario): medians,\n"
"the ratio candidate/baseline with a bootstrap confidence interval, a\n"
"Mann-Whitney U test, Holm's correction across the figures compared, a verdict\n"
"(faster, slower, no change) and a geometric-mean row. Fewer than 3 repetitions\n"
"in a run: no timing verdict. Lab timings are marked emulated and never gated.\n"
"\n"
"  --format F        md (default: fits a CI job summary), html (one file, plots by\n"
"                    gnuplot inline as SVG), junit (one test case per gated figure),\n"
"                    json (machine-readable verdicts)\n"
"  -o, --output FILE write there instead of stdout, atomically (whole or not at all);\n"
"                    an existing file is never overwritten\n"
"  --fail-above PCT  exit 1 when a gated timing is significantly slower by more than PCT %\n"
"                    (Holm-adjusted p <= 1 - confidence and the ratio interval's lower bound\n"
"                    above 1 + PCT/100) or a gated count is higher by more than PCT %\n"
"  --gate LIST       gated figures, comma-separated (default\n"
"                    " IB_REPORT_DEFAULT_GATE ");\n"
"                    counts by their name in the count table, e.g.\n"
"                    derived.descriptors_per_switch,ops.tlb_inv.count\n"
"  --threshold PCT   noise threshold of the verdicts (default 5)\n"
"  --confidence C    of the intervals and the tests, alpha = 1 - C (default 0.95)\n"
"  --resamples N     bootstrap resamples (default 10000; seeded, reproducible)\n"
"  --force           compare runs of different scenarios (refused otherwise, exit 2)\n"
"  --allow-incomplete  a failed run (\"error\" set: run exited 1) or an interrupted one\n"
"                    (\"interrupted\": the signal) is shown in every format and trips the\n"
"                    gate (--fail-above exits 1); with this option it is still shown, but\n"
"                    does not trip the gate\n"
"  --max-size MIB    largest results document read (default " IB_STR(IB_RESULTS_MAX_MIB) "; or the environment\n"
"                    variable IOMMUBENCH_REPORT_MAX_MIB): a document takes about 7 times\n"
"                    its size in memory\n"
"\n"
"Every document is checked against the results contract (docs/results.schema.json)\n"
"before anything is rendered: a missing or mistyped field exits 2, naming the file\n"
"and the JSON path, e.g. 'base.json: .ops.map.count: expected an integer >= 0, got string'.\n"
"\n"
"exit status: 0 report written (and no gate tripped), 1 a gate tripped (--fail-above: a\n"
"gated figure, or a failed or interrupted run without --allow-incomplete),\n"
"2 usage error, unreadable or invalid input (or over --max-size), different scenarios,\n"
"output exists.\n"
"\n"
"examples:\n"
"  iommubench report results/reference/x86-vtd-6.1-aux-switch.json\n"
"  iommubench report results/new.json results/reference/x86-vtd-6.1-aux-switch.json\n"
"  iommubench report new.json base.json --format html -o report.html\n"
"  iommubench report new.json base.json --fail-above 10 >> \"$GITHUB_STEP_SUMMARY\"\n"
"  iommubench report new.json base.json --format junit --fail-above 5 \\\n"
"      --gate unmap.p50,derived.descriptors_per_switch -o report.xml\n"
"  iommubench report new.json base.json --fail-above 10 --allow-incomplete\n"
"  IOMMUBENCH_REPORT_MAX_MIB=512 iommubench report huge.json\n";

static int parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out >= lo && *out <= hi)) {
		fprintf(stderr, "iommubench: report: %s '%s': want a number from %g to %g\n", opt, ib_term(s), lo, hi);
		return -EINVAL;
	}
	return 0;
}

/*
 * As JSON, in ASCII: strings of the document keep their content, but no
 * control character (jansson escapes C0, JSON_ENSURE_ASCII C1, and DEL,
 * which jansson leaves raw, is escaped here) reaches a terminal raw.
 */
int ib_report_json(FILE *f, json_t *j)
{
	char *t = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10) | JSON_ENSURE_ASCII);

	if (!t)
		return -ENOMEM;
	for (char *p = t; *p; p++)
		*p == 0x7f ? fputs("\\u007f", f) : fputc(*p, f);
	fputc('\n', f);
	free(t);
	return 0;
}


enum { OPT_FORMAT = 256, OPT_FAIL, OPT_GATE, OPT_THRESH, OPT_CONF, OPT_RES, OPT_FORCE, OPT_ALLOW_INC, OPT_MAX_SIZE };

/* Says on stderr that a run is incomplete; true when it is. */
static bool warn_incomplete(json_t *doc, const char *what, const char *path, bool allowed)
{
	const char *why = ib_results_incomplete(doc);
	const char *detail;

	if (!why)
		return false;
	detail = json_string_value(json_object_get(doc, !strcmp(why, "failed") ? "error" : "interrupted"));
	fprintf(stderr, "iommubench: report: %s %s is an incomplete run (%s: %s): its figures cover only what "
		"ran; %s\n", what, ib_term(path), why, ib_term(detail), allowed ? "shown, not gated (--allow-incomplete)" :
		"it trips the gate (--fail-above exits 1; --allow-incomplete to compare it anyway)");
	return true;
}

int cmd_report(int argc, char **argv, const struct ib_global *g)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-above", required_argument, NULL, OPT_FAIL },
		{ "gate", required_argument, NULL, OPT_GATE },
		{ "threshold", required_argument, NULL, OPT_THRESH },
		{ "confidence", required_argument, NULL, OPT_CONF },
		{ "resamples", required_argument, NULL, OPT_RES },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "allow-incomplete", no_argument, NULL, OPT_ALLOW_INC },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ib_report_opts o;
	const char *fmt = "md", *out = NULL;
	json_t *docs[2] = { NULL, NULL }, *model = NULL;
	char err[2048] = "";
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	double d, max_mib = IB_RESULTS_MAX_MIB;
	const char *env = getenv("IOMMUBENCH_REPORT_MAX_MIB");
	bool incomplete = false;
	int c, rc = 2, nin, e = 0;
	FILE *f;

	(void)g;
	ib_report_opts_default(&o);
	if (env && *env && parse_double("IOMMUBENCH_REPORT_MAX_MIB", env, 1, 1 << 20, &max_mib))
		return 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(report_usage, stdout);
			return 0;
		case 'o':
			out = optarg;
			break;
		case OPT_FORMAT:
			fmt = optarg;
			if (strcmp(fmt, "md") && strcmp(fmt, "html") && strcmp(fmt, "junit") && strcmp(fmt, "json")) {
				fprintf(stderr, "iommubench: report: --format '%s': want md, html, junit or json\n", ib_term(fmt));
				return 2;
			}
			break;
		case OPT_FAIL:
			if (parse_double("--fail-above", optarg, 0, 1e6, &o.fail_above))
				return 2;
			break;
		case OPT_GATE:
			o.gate = optarg;
			break;
		case OPT_THRESH:
			if (parse_double("--threshold", optarg, 0, 1000, &d))
				return 2;
			o.cmp.threshold = d / 100;
			break;
		case OPT_CONF:
			if (parse_double("--confidence", optarg, 0.5, 0.9999, &o.cmp.confidence))
				return 2;
			break;
		case OPT_RES:
			if (parse_double("--resamples", optarg, 100, 1e7, &d) || d != floor(d))
				return 2;
			o.cmp.resamples = (size_t)d;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case OPT_ALLOW_INC:
			o.allow_incomplete = true;
			break;
		case OPT_MAX_SIZE:
			if (parse_double("--max-size", optarg, 1, 1 << 20, &max_mib))
				return 2;
			break;
		default:
			fputs(report_usage, stderr);
			return 2;
		}
	}
	/* Ctrl-C, SIGTERM, SIGHUP: no plot directory, no temporary report left */
	ib_tmp_remove_on_signals();
	/* over RLIMIT_FSIZE a write fails (EFBIG, said and cleaned up) instead of killing */
	signal(SIGXFSZ, SIG_IGN);
	nin = argc - optind;
	if (nin < 1 || nin > 2) {
		fprintf(stderr, "iommubench: report: want one results file (a summary) or two (candidate, baseline), got %d\n%s",
			nin, report_usage);
		return 2;
	}
	for (int i = 0; i < nin; i++) {
		docs[i] = ib_results_load_max(argv[optind + i], (size_t)(max_mib * (1 << 20)), err, sizeof(err));
		if (!docs[i]) {
			fprintf(stderr, "iommubench: report: %s%s\n", ib_term(err), strstr(err, "MiB for a results document") ? "" :
				" (is it an iommubench results document, and complete?)");
			goto out;
		}
		/* the whole document, before anything is rendered */
		if (ib_results_validate(docs[i], argv[optind + i], err, sizeof(err))) {
			fprintf(stderr, "iommubench: report: %s (not a valid iommubench/1 results document: "
				"docs/results.schema.json is the contract)\n", ib_term(err));
			goto out;
		}
	}
	for (int i = 0; i < nin; i++)
		incomplete |= warn_incomplete(docs[i], nin == 1 ? "run" : i ? "baseline" : "candidate",
					      argv[optind + i], o.allow_incomplete);
	if (nin == 2) {
		model = ib_report_compare(docs[0], argv[optind], docs[1], argv[optind + 1], &o, err, sizeof(err));
		if (!model) {
			fprintf(stderr, "iommubench: report: %s\n", ib_term(err));
			goto out;
		}
	}
	/* refused before the work; ib_write_atomic refuses again if it appears meanwhile */
	if (out && !lstat(out, &st)) {
		fprintf(stderr, "iommubench: report: %s: %s: reports are never overwritten; choose another -o\n",
			ib_term(out), strerror(EEXIST));
		goto out;
	}
	/* the whole report in memory first: -o writes it atomically, stdout whole */
	f = open_memstream(&text, &len);
	if (!f) {
		fprintf(stderr, "iommubench: report: %s\n", strerror(errno));
		goto out;
	}
	/* warnings on stderr too, whatever the format: a CI log shows them */
	for (int i = 0; i < nin; i++) {
		json_t *w = json_array(), *x;
		size_t j;

		ib_drop_warnings(w, docs[i], NULL);
		json_array_foreach(w, j, x)
			fprintf(stderr, "iommubench: report: warning: %s: %s = %lld: %s\n", ib_term(argv[optind + i]),
				ib_term(json_string_value(json_object_get(x, "counter"))),
				(long long)json_integer_value(json_object_get(x, "value")),
				json_string_value(json_object_get(x, "meaning")));
		if (!model && !strcmp(fmt, "json"))
			json_object_set_new(docs[0], "drop_warnings", w); /* the document as read, plus these */
		else
			json_decref(w);
	}
	if (!strcmp(fmt, "json")) {
		e = ib_report_json(f, model ? model : docs[0]);
	} else if (!strcmp(fmt, "junit")) {
		model ? ib_report_junit(f, model) : ib_report_junit_single(f, docs[0], argv[optind]);
	} else if (!strcmp(fmt, "html")) {
		model ? ib_report_html_compare(f, model, docs[0], docs[1]) :
			ib_report_html_single(f, docs[0], argv[optind]);
	} else {
		model ? ib_report_md_compare(f, model) : ib_report_md_single(f, docs[0], argv[optind]);
	}
	if (fclose(f) && !e)
		e = -errno;
	if (e) {
		fprintf(stderr, "iommubench: report: rendering the report in memory: %s\n", strerror(-e));
		goto out;
	}
	rc = model ? (int)ib_report_geti(model, "exit") :
	     o.fail_above >= 0 && incomplete && !o.allow_incomplete ? 1 : 0;
	if (out && ib_write_atomic(out, text, len, false, err, sizeof(err))) {
		fprintf(stderr, "iommubench: report: %s\n", ib_term(err));
		rc = 2;
	} else if (!out && (fwrite(text, 1, len, stdout) != len || fflush(stdout))) {
		fprintf(stderr, "iommubench: report: writing stdout: %s\n", strerror(errno));
		rc = 2;
	}
	if (rc == 1 && model) {
		char *t = json_dumps(json_object_get(model, "tripped"), JSON_COMPACT);

		fprintf(stderr, "iommubench: report: gate tripped (--fail-above %g): %s%s\n", o.fail_above, t ? ib_term(t) : "?",
			json_array_size(json_object_get(model, "incomplete")) && !o.allow_incomplete ?
			" and an incomplete run (above)" : "");
		free(t);
	}
out:
	free(text);
	json_decref(model);
	json_decref(docs[0]);
	json_decref(docs[1]);
	return rc;
}
