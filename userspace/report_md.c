// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Markdown reports (GitHub-flavoured tables: fit a CI job summary). */
#include <math.h>
#include <string.h>
#include "escape.h"
#include "report.h"
#include "warnings.h"
#include "trace.h"
#include "summary.h"

#define geti ib_report_geti
#define gets_ ib_report_gets

static void ns_cell(char *buf, size_t len, json_t *o, const char *k)
{
	ib_report_fmt_ns(buf, len, geti(o, "count") > 0 && json_is_integer(json_object_get(o, k)) ?
			 (double)geti(o, k) : -1);
}

/* name is untrusted (escaped here), pre and post are Markdown of ours */
static void op_row(FILE *f, const char *pre, const char *name, const char *post, json_t *o, const char *mode)
{
	char a[32], b[32], c[32];
	bool timed = !json_is_false(json_object_get(o, "timed"));

	ns_cell(a, sizeof(a), o, "p50_ns");
	ns_cell(b, sizeof(b), o, "p90_ns");
	ns_cell(c, sizeof(c), o, "p99_ns");
	fprintf(f, "| %s%s%s | %s | %lld | %s | %s | %s |\n", pre, ib_md(name), post, ib_md(mode), geti(o, "count"),
		timed ? a : "count only", timed ? b : "", timed ? c : "");
}

/* hooks[] by the key they have in ops (per-driver hooks: name@layer, their
 * "id"), built once: a lookup per row would make the report quadratic */
static const char *hook_mode(json_t *by_key, const char *name)
{
	const char *m = json_string_value(json_object_get(by_key, name));

	return m ? m : "";
}

static void md_repetitions(FILE *f, json_t *doc)
{
	json_t *rep = json_object_get(doc, "repetitions"), *fig, *arr;
	const char *op, *k;

	if (!json_is_object(rep)) {
		fprintf(f, "\nNo per-repetition figures in this document: it cannot take part in a timing comparison.\n");
		return;
	}
	fprintf(f, "\n## Repetitions: %lld\n\n%s.\n\n| figure | per repetition | spread (max-min)/median |\n|---|---|---|\n",
		geti(rep, "count"), ib_md(gets_(rep, "unit")));
	json_object_foreach(json_object_get(rep, "figures"), op, fig) {
		json_object_foreach(fig, k, arr) {
			double lo = INFINITY, hi = 0, v[1024];
			size_t i, n = 0;
			json_t *x;

			if (!strcmp(k, "count"))
				continue;
			fprintf(f, "| %s.%s |", ib_md(op), ib_md(k));
			json_array_foreach(arr, i, x) {
				char b[32];

				ib_report_fmt_ns(b, sizeof(b), json_is_number(x) ? json_number_value(x) : -1);
				fprintf(f, " %s", b);
				if (json_is_number(x) && n < 1024) {
					v[n++] = json_number_value(x);
					lo = fmin(lo, v[n - 1]);
					hi = fmax(hi, v[n - 1]);
				}
			}
			if (n > 1 && ib_median(v, n) > 0)
				fprintf(f, " | %.1f %% |\n", 100 * (hi - lo) / ib_median(v, n));
			else
				fprintf(f, " | - |\n");
		}
	}
}

/* lab.smmu's totals (names without a bank or ASID prefix), one line; the
 * names come from the document and are escaped */
static void smmu_line(FILE *f, json_t *smmu)
{
	json_t *cnt = json_object_get(smmu, "counters"), *v;
	const char *k;
	int n = 0;

	if (!json_is_object(cnt))
		return;
	fprintf(f, "\n> Counted by the lab's QEMU MMU-500 model (lab/qemu), not by the kernel (`lab.smmu`, totals):");
	json_object_foreach(cnt, k, v) {
		if (strchr(k, '.') || !json_is_integer(v))
			continue;
		fprintf(f, "%s %s %lld", n++ ? "," : "", ib_md(k), (long long)json_integer_value(v));
	}
	fprintf(f, "%s\n", n ? "." : " nothing changed.");
}

void ib_report_md_single(FILE *f, json_t *doc, const char *path)
{
	json_t *sc = json_object_get(doc, "scenario"), *ops = json_object_get(doc, "ops"), *role, *h, *x;
	json_t *inc = ib_report_incomplete_single(doc, path), *modes = ib_report_hook_index(doc, "mode");
	const char *rn, *hn;
	size_t i, missing = 0;

	if (json_is_object(json_object_get(doc, "trace")))
		fprintf(f, "# iommubench trace\n\n%s: every process on %s %s, %s, started %s.\n", ib_md(path),
			ib_md(gets_(json_object_get(doc, "host"), "kernel")), ib_md(gets_(json_object_get(doc, "host"), "arch")),
			json_is_object(json_object_get(doc, "lab")) ? "lab target" : "hardware", ib_md(gets_(doc, "started")));
	else
		fprintf(f, "# iommubench run: %s\n\n%s: %s backend on %s %s, %s, started %s.\n", ib_md(gets_(sc, "name")),
			ib_md(path), ib_md(gets_(sc, "backend")),
			ib_md(gets_(json_object_get(doc, "host"), "kernel")), ib_md(gets_(json_object_get(doc, "host"), "arch")),
			json_is_object(json_object_get(doc, "lab")) ? "lab target" : "hardware", ib_md(gets_(doc, "started")));
	if (json_array_size(inc))
		fputc('\n', f);
	ib_report_md_incomplete(f, inc);
	json_decref(inc);
	if (json_is_object(json_object_get(doc, "lab")))
		fprintf(f, " Lab target %s.", ib_md(gets_(json_object_get(doc, "lab"), "target")));
	if (ib_report_emulated(doc))
		fprintf(f, "\n\n> **Timings are emulated** (QEMU TCG): counts are exact, times are not hardware figures.\n");
	smmu_line(f, json_object_get(json_object_get(doc, "lab"), "smmu"));
	ib_doc_warnings_print(f, doc, IB_WARN_MD);
	fprintf(f, "\n## Operations (kernel, outermost hook per role; hooks by name)\n\n"
		"| role / hook | mode | count | p50 | p90 | p99 |\n|---|---|---:|---:|---:|---:|\n");
	json_object_foreach(ops, rn, role) {
		if (!strcmp(rn, "switch"))
			continue;
		op_row(f, "**", rn, "**", role, "");
		json_object_foreach(json_object_get(role, "kinds"), hn, h)
			op_row(f, "&nbsp;&nbsp;kind ", hn, "", h, "");
		json_object_foreach(json_object_get(role, "hooks"), hn, h)
			op_row(f, "&nbsp;&nbsp;", hn, "", h, hook_mode(modes, hn));
	}
	json_object_foreach(json_object_get(ops, "switch"), rn, role) {
		if (!json_is_object(role) || !json_object_get(role, "steps"))
			continue;
		fprintf(f, "\n## Switches: kind %s (user space)\n\n| step | calls | p50 | p99 | kernel work (calls) |\n"
			"|---|---:|---:|---:|---|\n", ib_md(rn));
		{
			char a[32], b[32];

			ns_cell(a, sizeof(a), role, "p50_ns");
			ns_cell(b, sizeof(b), role, "p99_ns");
			fprintf(f, "| **whole switch** | %lld | %s | %s | |\n", geti(role, "count"), a, b);
		}
		json_object_foreach(json_object_get(role, "steps"), hn, h) {
			json_t *hs = json_object_get(h, "harness"), *r;
			char a[32], b[32];
			const char *k;

			ns_cell(a, sizeof(a), hs, "p50_ns");
			ns_cell(b, sizeof(b), hs, "p99_ns");
			fprintf(f, "| %s | %lld | %s | %s |", ib_md(hn), geti(hs, "count"), a, b);
			json_object_foreach(json_object_get(json_object_get(h, "kernel"), "roles"), k, r)
				fprintf(f, " %s %lld", ib_md(k), geti(r, "count"));
			fprintf(f, " |\n");
		}
	}
	if (json_object_size(json_object_get(doc, "derived"))) {
		fprintf(f, "\n## Derived ratios\n\n| ratio | value | numerator | denominator |\n|---|---:|---|---|\n");
		json_object_foreach(json_object_get(doc, "derived"), rn, x)
			fprintf(f, "| %s | %.4g | %.0f %s | %.0f %s |\n", ib_md(rn), json_number_value(json_object_get(x, "value")),
				json_number_value(json_object_get(x, "numerator")), ib_md(gets_(x, "numerator_is")),
				json_number_value(json_object_get(x, "denominator")),
				ib_md(gets_(x, "denominator_is")));
	}
	if (json_array_size(json_object_get(doc, "contexts"))) {
		fprintf(f, "\n## Contexts\n\n| context | maps | unmaps | switches in | tlb_inv | descriptors |\n"
			"|---:|---:|---:|---:|---:|---:|\n");
		json_array_foreach(json_object_get(doc, "contexts"), i, x) {
			json_t *k = json_object_get(x, "kernel"), *hs = json_object_get(x, "harness"), *s;
			const char *sk;
			long long sw = 0;

			json_object_foreach(json_object_get(x, "switches_in"), sk, s)
				sw += json_is_integer(s) ? json_integer_value(s) : 0;
			fprintf(f, "| %lld | %lld | %lld | %lld | %lld | %lld |\n", geti(x, "id"), geti(hs, "map_calls"),
				geti(hs, "unmap_calls"), sw, geti(k, "tlb_inv_count"), geti(k, "tlb_inv_descriptors"));
		}
		x = json_object_get(doc, "deferred");
		if (json_is_object(x))
			fprintf(f, "\nDeferred (no harness operation owned them): %lld tlb_inv, %lld descriptors.\n",
				geti(x, "tlb_inv_count"), geti(x, "tlb_inv_descriptors"));
	}
	x = json_object_get(json_object_get(doc, "checks"), "isolation");
	fprintf(f, "\n## Checks\n\n");
	if (json_is_true(json_object_get(x, "enabled")))
		fprintf(f, "Isolation (DMA through unmapped or switched-away IOVAs): **%lld run, %lld failed**; "
			"positive controls %lld run, %lld failed.\n", geti(x, "run"), geti(x, "failed"),
			geti(x, "positive_run"), geti(x, "positive_failed"));
	else if (json_is_string(json_object_get(x, "skipped")))
		fprintf(f, "Isolation checks skipped (checks=auto): %s.\n",
			ib_md(json_string_value(json_object_get(x, "skipped"))));
	else
		fprintf(f, "No isolation checks in this run.\n");
	fprintf(f, "\n## Drops (probe bookkeeping)\n\n");
	json_object_foreach(json_object_get(doc, "drops"), rn, x)
		fprintf(f, "- %s: %lld\n", ib_md(rn), json_is_integer(x) ? (long long)json_integer_value(x) : -1);
	fprintf(f, "\n## Hooks that did not attach\n\n");
	json_array_foreach(json_object_get(doc, "hooks"), i, h) {
		if (json_is_true(json_object_get(h, "attached")))
			continue;
		if (!json_is_true(json_object_get(h, "exists"))) {
			missing++;
			continue;
		}
		fprintf(f, "- %s (%s, %s): %s\n", ib_md(gets_(h, "name")), ib_md(gets_(h, "role")), ib_md(gets_(h, "layer")),
			ib_md(gets_(h, "reason")));
	}
	fprintf(f, "%s%zu catalog hook(s) are not in this kernel (see `hooks[]`).\n", missing ? "\n" : "", missing);
	md_repetitions(f, doc);
	fprintf(f, "\n## Latency histograms (kernel, outermost hook)\n");
	json_object_foreach(ops, rn, role) {
		json_t *hist = json_object_get(role, "hist_ns");

		if (!strcmp(rn, "switch") || !json_is_object(hist) || geti(role, "count") <= 0)
			continue;
		fprintf(f, "\n**%s**%s\n\n```\n", ib_md(rn), ib_report_emulated(doc) ? " (emulated)" : "");
		ib_summary_histogram(f, hist);
		fprintf(f, "```\n");
	}
	if (json_is_object(json_object_get(doc, "trace"))) {
		fprintf(f, "\n## Processes and pagetables (trace)\n\n```\n");
		ib_trace_print(f, doc);
		fprintf(f, "```\n");
	}
	if (json_is_string(json_object_get(doc, "interrupted")))
		fprintf(f, "\n**Interrupted (%s)**: the figures cover the part that ran.\n", ib_md(gets_(doc, "interrupted")));
	json_decref(modes);
}

static void run_row(FILE *f, const char *what, json_t *r)
{
	json_t *rep = json_object_get(r, "repetitions");

	char n[32];

	snprintf(n, sizeof(n), json_is_integer(rep) ? "%lld" : "none", (long long)json_integer_value(rep));
	fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", what, ib_md(gets_(r, "file")), ib_md(gets_(r, "kernel")),
		ib_md(gets_(r, "lab")), ib_md(gets_(r, "backend")), ib_md(gets_(r, "git")), n,
		json_is_true(json_object_get(r, "emulated")) ? "emulated" : "hardware");
}

static void pct_cell(char *b, size_t len, json_t *r)
{
	json_t *p = json_object_get(r, "pct");

	if (json_is_number(p))
		snprintf(b, len, "%+.2f %%", json_number_value(p));
	else
		snprintf(b, len, "new");
}

static void num_cell(char *b, size_t len, json_t *v)
{
	double d = json_number_value(v);

	if (!json_is_number(v))
		snprintf(b, len, "absent");
	else if (d == floor(d) && fabs(d) < 1e15)
		snprintf(b, len, "%.0f", d);
	else
		snprintf(b, len, "%.4g", d);
}

void ib_report_md_compare(FILE *f, json_t *m)
{
	json_t *s = json_object_get(m, "settings"), *t = json_object_get(m, "timings"), *r, *x;
	json_t *cand = json_object_get(m, "candidate"), *base = json_object_get(m, "baseline");
	bool emu = json_is_true(json_object_get(m, "emulated"));
	size_t i, ncounts = json_array_size(json_object_get(m, "counts"));
	const char *status = gets_(t, "status");

	fprintf(f, "# iommubench comparison: %s\n\n", ib_md(gets_(cand, "scenario")));
	ib_report_md_incomplete(f, json_object_get(m, "incomplete"));
	fprintf(f, "| run | file | kernel | lab | backend | git | repetitions | timings |\n|---|---|---|---|---|---|---|---|\n");
	run_row(f, "candidate", cand);
	run_row(f, "baseline", base);
	ib_warnings_print(f, json_object_get(m, "drop_warnings"), IB_WARN_MD);
	fprintf(f, "\nRepetitions: candidate %lld, baseline %lld. Settings: noise threshold %.3g %%, confidence %.3g, "
		"%lld bootstrap resamples (seed %lld), gate %.3g %%%s.\n",
		geti(cand, "repetitions"), geti(base, "repetitions"),
		json_number_value(json_object_get(s, "threshold_pct")), json_number_value(json_object_get(s, "confidence")),
		geti(s, "resamples"), geti(s, "seed"), json_number_value(json_object_get(s, "gate_pct")),
		json_is_number(json_object_get(s, "fail_above_pct")) ? " (--fail-above)" : " (the noise threshold; no --fail-above: exit 0)");
	fprintf(f, "Gated figures:");
	json_array_foreach(json_object_get(s, "gate"), i, x)
		fprintf(f, " %s", ib_md(json_string_value(x)));
	fprintf(f, ".\n");
	json_array_foreach(json_object_get(m, "warnings"), i, x)
		fprintf(f, "%s> **warning:** %s\n", i ? "" : "\n", ib_md(json_string_value(x)));
	if (json_array_size(json_object_get(m, "tripped")))
		fprintf(f, "\n**Gate tripped** by %zu figure(s).\n", json_array_size(json_object_get(m, "tripped")));
	else
		fprintf(f, "\nNo gated figure tripped the gate.\n");

	fprintf(f, "\n## Timings per repetition%s\n\n", emu ? " (EMULATED: lab timings, not hardware figures)" : "");
	if (strcmp(status, "ok"))
		fprintf(f, "> **%s:** %s\n\n", !strcmp(status, "weak") ? "weak comparison" : "no timing verdict",
			ib_md(gets_(t, "note")));
	if (json_array_size(json_object_get(t, "figures"))) {
		fprintf(f, "| figure | gated | baseline median | candidate median | ratio | %.3g %% CI | U | p | p (Holm) | verdict |\n"
			"|---|---|---:|---:|---:|---|---:|---:|---:|---|\n", 100 * json_number_value(json_object_get(s, "confidence")));
		json_array_foreach(json_object_get(t, "figures"), i, r) {
			json_t *ra = json_object_get(r, "ratio");
			char bm[32], cm[32];
			const char *v = gets_(r, "verdict");

			if (json_object_get(r, "skipped")) {
				fprintf(f, "| %s | %s | | | | | | | | not compared: %s |\n", ib_md(gets_(r, "figure")),
					json_is_true(json_object_get(r, "gated")) ? "yes" : "", ib_md(gets_(r, "skipped")));
				continue;
			}
			ib_report_fmt_ns(bm, sizeof(bm), json_number_value(json_object_get(r, "base_median")));
			ib_report_fmt_ns(cm, sizeof(cm), json_number_value(json_object_get(r, "cand_median")));
			fprintf(f, "| %s | %s | %s%s | %s%s | %.3f | [%.3f, %.3f] | %.1f | %.3g | %.3g | %s%s%s%s |\n",
				ib_md(gets_(r, "figure")), json_is_true(json_object_get(r, "gated")) ? "yes" : "",
				bm, emu ? " (emu)" : "", cm, emu ? " (emu)" : "",
				json_number_value(json_object_get(ra, "value")), json_number_value(json_object_get(ra, "lo")),
				json_number_value(json_object_get(ra, "hi")), json_number_value(json_object_get(r, "u")),
				json_number_value(json_object_get(r, "p")), json_number_value(json_object_get(r, "p_holm")),
				strcmp(v, "no change") ? "**" : "", ib_md(v), strcmp(v, "no change") ? "**" : "",
				json_is_true(json_object_get(r, "tripped")) ? " — GATE" :
				!strcmp(v, "no change") ? (strcmp(gets_(r, "why"), "not significant") ?
							   (strcmp(gets_(r, "why"), "within threshold") ? " (interval crosses threshold)" :
							    " (within threshold)") : "") : "");
		}
		x = json_object_get(t, "geomean");
		if (json_is_object(x))
			fprintf(f, "| geometric mean (%lld figures) | | | | %.3f | [%.3f, %.3f] | | | | |\n", geti(x, "figures"),
				json_number_value(json_object_get(x, "value")), json_number_value(json_object_get(x, "lo")),
				json_number_value(json_object_get(x, "hi")));
		fprintf(f, "\nRatio = candidate / baseline median of the per-repetition figures (> 1: slower). "
			"Verdict: slower/faster when the Holm-adjusted Mann-Whitney p <= %.3g and the ratio interval lies "
			"wholly beyond 1 ± %.3g %%.\n", 1 - json_number_value(json_object_get(s, "confidence")),
			json_number_value(json_object_get(s, "threshold_pct")));
	}

	fprintf(f, "\n## Counts (exact): %lld of %zu differ\n\n", geti(m, "counts_changed"), ncounts);
	if (geti(m, "counts_changed") > 0) {
		fprintf(f, "| figure | baseline | candidate | difference | change | gated |\n|---|---:|---:|---:|---:|---|\n");
		json_array_foreach(json_object_get(m, "counts"), i, r) {
			char b[32], c[32], d[32], p[32];

			if (!json_is_true(json_object_get(r, "changed")))
				continue;
			num_cell(b, sizeof(b), json_object_get(r, "base"));
			num_cell(c, sizeof(c), json_object_get(r, "cand"));
			num_cell(d, sizeof(d), json_object_get(r, "diff"));
			pct_cell(p, sizeof(p), r);
			fprintf(f, "| %s | %s | %s | %s%s | %s | %s |\n", ib_md(gets_(r, "figure")), b, c,
				json_number_value(json_object_get(r, "diff")) > 0 ? "+" : "", d, p,
				json_is_true(json_object_get(r, "tripped")) ? "**GATE**" :
				json_is_true(json_object_get(r, "gated")) ? "yes" : "");
		}
	} else {
		fprintf(f, "Every count is identical.\n");
	}
	json_array_foreach(json_object_get(m, "counts"), i, r) {
		char b[32];

		if (json_is_true(json_object_get(r, "gated")) && !json_is_true(json_object_get(r, "changed"))) {
			num_cell(b, sizeof(b), json_object_get(r, "base"));
			fprintf(f, "\nGated count %s: %s in both runs.\n", ib_md(gets_(r, "figure")), b);
		}
	}
}
