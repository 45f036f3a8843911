/*
 * `iommubench report`: one run summarised, or a candidate compared with a
 * baseline. The comparison is built once as a JSON object (the "model",
 * which `--format json` prints as it is) and every other format renders
 * that model, so md, html and junit cannot disagree about a verdict.
 */
#ifndef IB_REPORT_H
#define IB_REPORT_H
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "compare.h"

#define IB_REPORT_SCHEMA "iommubench-report/1"
/* gated when --gate is not given */
#define IB_REPORT_DEFAULT_GATE "map.p50,map.p99,unmap.p50,unmap.p99,switch.p50,switch.p99"
/* below this many repetitions in either run no timing verdict is given */
#define IB_REPORT_MIN_REPS 3

struct ib_report_opts {
	struct ib_compare_opts cmp;	/* threshold, confidence, resamples, seed */
	const char *gate;		/* comma-separated figure names */
	double fail_above;		/* percent; < 0: not given */
	bool force;			/* compare different scenarios anyway */
	bool allow_incomplete;		/* failed/interrupted runs do not trip the gate */
};

void ib_report_opts_default(struct ib_report_opts *o);

/*
 * Build the comparison model of cand against base (documents already
 * loaded). Returns NULL with err set when the runs may not be compared
 * (different scenarios without force: *refused = true) or an option is
 * wrong (unknown gate figure). The model's "exit" is 1 when
 * fail_above >= 0 and a gated figure tripped, else 0.
 */
json_t *ib_report_compare(json_t *cand, const char *cand_path, json_t *base,
			  const char *base_path, const struct ib_report_opts *o,
			  char *err, size_t errlen);

/* Renderers: model (or, for the single-run ones, the results document). */
/* --format json (and `hooks --json`): indented, sorted, ASCII only; DEL
 * escaped too, so no control character reaches a terminal raw */
int ib_report_json(FILE *f, json_t *j);
void ib_report_md_single(FILE *f, json_t *doc, const char *path);
void ib_report_md_compare(FILE *f, json_t *model);
void ib_report_junit(FILE *f, json_t *model);
void ib_report_junit_single(FILE *f, json_t *doc, const char *path);
int ib_report_html_single(FILE *f, json_t *doc, const char *path);
int ib_report_html_compare(FILE *f, json_t *model, json_t *cand, json_t *base);

/*
 * Test seam (tests/fuzz): when set, the HTML renderers hand each gnuplot
 * script to it instead of running gnuplot, and the figure has no plot.
 */
extern void (*ib_report_plot_hook)(const char *script);

/* shared helpers (report_model.c) */
void ib_report_fmt_ns(char *buf, size_t len, double ns);
/* s with <, >, & and " escaped, for HTML and JUnit XML */
void ib_report_xml_escape(FILE *f, const char *s);
bool ib_report_emulated(json_t *doc);
/* hooks[] as an object: the key a hook has in ops (its id, else its name)
 * to that hook's field (e.g. "mode"); the first hook of a key wins */
json_t *ib_report_hook_index(json_t *doc, const char *field);
long long ib_report_geti(json_t *o, const char *k);
const char *ib_report_gets(json_t *o, const char *k);


/* failed and interrupted runs (report_incomplete.c) */
/* s with control characters as spaces, cut to len (ending "...") */
/* {run, file, reason: failed|interrupted, detail, gated}, or NULL when the
 * run is complete */
json_t *ib_report_incomplete_json(json_t *doc, const char *run, const char *path, bool gated);
json_t *ib_report_incomplete_single(json_t *doc, const char *path);
/* banners of a list of the above, at the top of each format */
void ib_report_md_incomplete(FILE *f, json_t *list);
void ib_report_html_incomplete(FILE *f, json_t *list);
void ib_report_junit_incomplete(FILE *f, json_t *list);

#endif
