// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The comparison model on synthetic results documents with known shifts,
 * counts and scenarios: verdicts, exact count differences, the gate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "report.h"

/* A results document: R repetitions whose map/unmap p50/p99 are base_ns
 * times (1 + shift) times noise of +-noise (uniform, seeded). */
static json_t *doc(const char *scen, size_t reps, double shift, double noise, uint64_t seed,
		   long long unmaps, long long descs)
{
	struct ib_rng rng;
	json_t *figs = json_object();
	static const char *const ops[] = { "map", "unmap" };

	ib_rng_seed(&rng, seed);
	for (int o = 0; o < 2; o++) {
		json_t *f = json_object(), *c = json_array(), *p50 = json_array(), *p99 = json_array();

		for (size_t r = 0; r < reps; r++) {
			double n1 = 1 + noise * (2 * ib_rng_unit(&rng) - 1), n2 = 1 + noise * (2 * ib_rng_unit(&rng) - 1);

			json_array_append_new(c, json_integer(64));
			json_array_append_new(p50, json_integer((json_int_t)(5000 * (o + 1) * (1 + shift) * n1)));
			json_array_append_new(p99, json_integer((json_int_t)(40000 * (o + 1) * (1 + shift) * n2)));
		}
		json_object_set_new(f, "count", c);
		json_object_set_new(f, "p50_ns", p50);
		json_object_set_new(f, "p99_ns", p99);
		json_object_set_new(figs, ops[o], f);
	}
	return json_pack("{s:s, s:{s:s, s:s, s:i, s:I}, s:{s:s, s:s}, s:n, s:b, s:s, s:[{s:s, s:s, s:b}],"
			 " s:{s:{s:I, s:I}, s:{s:I, s:{s:{s:I}}}},"
			 " s:{s:{s:I, s:I, s:f}}, s:{s:I, s:s, s:o}}",
			 "schema", "iommubench/1",
			 "scenario", "name", scen, "backend", "vfio", "contexts", 1, "loops", (json_int_t)reps,
			 "host", "kernel", "6.1.0-test", "arch", "x86_64", "lab", "timings_emulated", 0,
			 "backend", "vfio", "hooks", "name", "iommu_unmap_fast", "mode", "fentry", "attached", 1,
			 "ops", "map", "count", (json_int_t)(reps * 64), "bytes", (json_int_t)(reps * 64 * 4096),
			 "unmap", "count", (json_int_t)unmaps, "hooks", "iommu_unmap_fast", "count", (json_int_t)unmaps,
			 "derived", "descriptors_per_unmap", "numerator", (json_int_t)descs, "denominator",
			 (json_int_t)unmaps, "value", (double)descs / (double)unmaps,
			 "repetitions", "count", (json_int_t)reps, "unit", "measured pass", "figures", figs);
}

static json_t *fig(json_t *m, const char *name)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(m, "timings"), "figures"), i, r)
		if (!strcmp(ib_report_gets(r, "figure"), name))
			return r;
	json_array_foreach(json_object_get(m, "counts"), i, r)
		if (!strcmp(ib_report_gets(r, "figure"), name))
			return r;
	return NULL;
}

static json_t *cmp(json_t *cand, json_t *base, const struct ib_report_opts *o, char *err, size_t len)
{
	err[0] = '\0';
	return ib_report_compare(cand, "cand.json", base, "base.json", o, err, len);
}

static const char *verdict(json_t *m, const char *f)
{
	return ib_report_gets(fig(m, f), "verdict");
}

static void test_shifts(void)
{
	struct ib_report_opts o;
	json_t *base = doc("s", 10, 0, 0.01, 1, 640, 640), *m, *c;
	char err[512];
	static const char *const figs[] = { "map.p50", "map.p99", "unmap.p50", "unmap.p99" };

	ib_report_opts_default(&o);
	o.cmp.resamples = 2000;
	/* 0 %: an A/A pair, different noise */
	m = cmp((c = doc("s", 10, 0, 0.01, 2, 640, 640)), base, &o, err, sizeof(err));
	CHECK(m != NULL, "%s", err);
	CHECK_STR(ib_report_gets(json_object_get(m, "timings"), "status"), "ok");
	for (size_t i = 0; i < 4; i++)
		CHECK_STR(verdict(m, figs[i]), "no change");
	CHECK_EQ_U64(json_array_size(json_object_get(m, "tripped")), 0);
	CHECK_EQ_U64(ib_report_geti(m, "counts_changed"), 0);
	json_decref(m);
	json_decref(c);
	/* 3 %, noise 1 %: a real difference, inside the 5 % threshold */
	m = cmp((c = doc("s", 10, 0.03, 0.01, 3, 640, 640)), base, &o, err, sizeof(err));
	for (size_t i = 0; i < 4; i++) {
		CHECK_STR(verdict(m, figs[i]), "no change");
		CHECK(json_is_true(json_object_get(fig(m, figs[i]), "significant")), "%s significant", figs[i]);
		CHECK_STR(ib_report_gets(fig(m, figs[i]), "why"), "within threshold");
	}
	json_decref(m);
	json_decref(c);
	/* 20 %, noise 5 %: slower, and the gate trips above 10 % but not 30 % */
	o.fail_above = 10;
	m = cmp((c = doc("s", 10, 0.20, 0.05, 4, 640, 640)), base, &o, err, sizeof(err));
	for (size_t i = 0; i < 4; i++) {
		double r = json_number_value(json_object_get(json_object_get(fig(m, figs[i]), "ratio"), "value"));

		CHECK_STR(verdict(m, figs[i]), "slower");
		CHECK(r > 1.12 && r < 1.28, "%s ratio %g", figs[i], r);
	}
	CHECK_EQ_U64(json_array_size(json_object_get(m, "tripped")), 4);
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 1);
	CHECK(json_number_value(json_object_get(json_object_get(json_object_get(m, "timings"), "geomean"), "value")) > 1.1,
	      "geomean");
	json_decref(m);
	json_decref(c);
	o.fail_above = 30;
	m = cmp((c = doc("s", 10, 0.20, 0.05, 4, 640, 640)), base, &o, err, sizeof(err));
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 0);
	json_decref(m);
	json_decref(c);
	/* faster the other way round */
	o.fail_above = 10;
	m = cmp(base, (c = doc("s", 10, 0.20, 0.05, 4, 640, 640)), &o, err, sizeof(err));
	CHECK_STR(verdict(m, "unmap.p50"), "faster");
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 0);
	json_decref(m);
	json_decref(c);
	json_decref(base);
}

/* Many A/A pairs through the whole report (loud noise, so an interval
 * alone often clears the threshold): the share of pairs with any verdict
 * other than "no change", or any tripped gate with --fail-above 0, must
 * stay at the significance level (Holm controls the family). 200 pairs at
 * alpha 0.05: 10 expected at most; 21 is the binomial 99.9 % bound. */
static void test_aa_false_positives(void)
{
	static const char *const figs[] = { "map.p50", "map.p99", "unmap.p50", "unmap.p99" };
	struct ib_report_opts o;
	unsigned any = 0, trips = 0;
	char err[512];

	ib_report_opts_default(&o);
	o.cmp.resamples = 400;
	o.fail_above = 0;
	for (unsigned i = 0; i < 200; i++) {
		json_t *b = doc("s", 8, 0, 0.3, 1000 + 2 * i, 512, 512), *a = doc("s", 8, 0, 0.3, 1001 + 2 * i, 512, 512);
		json_t *m = cmp(a, b, &o, err, sizeof(err));
		bool moved = false;

		CHECK(m != NULL, "pair %u: %s", i, err);
		for (size_t k = 0; m && k < 4; k++)
			moved |= strcmp(verdict(m, figs[k]), "no change") != 0;
		any += moved;
		trips += m && ib_report_geti(m, "exit") == 1;
		json_decref(m);
		json_decref(a);
		json_decref(b);
	}
	printf("  A/A: %u of 200 pairs with a faster/slower verdict, %u tripped --fail-above 0\n", any, trips);
	CHECK(any <= 21, "%u of 200 A/A pairs got a verdict (alpha 0.05)", any);
	CHECK(trips <= 21, "%u of 200 A/A pairs tripped the gate", trips);
}

static void test_counts(void)
{
	struct ib_report_opts o;
	json_t *base = doc("s", 5, 0, 0.01, 1, 640, 640), *cand = doc("s", 5, 0, 0.01, 1, 832, 2560), *m, *r;
	char err[512];

	ib_report_opts_default(&o);
	o.cmp.resamples = 500;
	o.gate = "ops.unmap.count,derived.descriptors_per_unmap";
	o.fail_above = 25;
	m = cmp(cand, base, &o, err, sizeof(err));
	CHECK(m != NULL, "%s", err);
	r = fig(m, "ops.unmap.count");
	CHECK(json_number_value(json_object_get(r, "diff")) == 192, "unmap diff");
	CHECK(fabs(json_number_value(json_object_get(r, "pct")) - 30) < 1e-9, "unmap pct");
	CHECK(json_is_true(json_object_get(r, "tripped")), "30 %% > 25 %% trips");
	r = fig(m, "ops.unmap.hooks.iommu_unmap_fast.count");
	CHECK(json_is_true(json_object_get(r, "changed")) && !json_is_true(json_object_get(r, "gated")), "hook count");
	r = fig(m, "derived.descriptors_per_unmap");
	CHECK(fabs(json_number_value(json_object_get(r, "cand")) - 2560.0 / 832) < 1e-12, "ratio exact");
	CHECK(json_is_true(json_object_get(r, "tripped")), "descriptors per unmap 3.08 vs 1 trips");
	CHECK_EQ_U64(ib_report_geti(m, "counts_changed"), 3);
	CHECK(!json_is_true(json_object_get(fig(m, "ops.map.count"), "changed")), "map count same");
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 1);
	json_decref(m);
	/* at the bound: 30 % is not more than 30 % */
	o.gate = "ops.unmap.count";
	o.fail_above = 30;
	m = cmp(cand, base, &o, err, sizeof(err));
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 0);
	json_decref(m);
	/* unknown gate names are refused */
	o.gate = "ops.unmap.cuont";
	CHECK(cmp(cand, base, &o, err, sizeof(err)) == NULL, "unknown gate");
	CHECK(strstr(err, "no figure 'ops.unmap.cuont'") != NULL, "%s", err);
	json_decref(cand);
	json_decref(base);
}

static void test_identity(void)
{
	struct ib_report_opts o;
	json_t *base = doc("aux-switch", 5, 0, 0.01, 1, 64, 64), *cand = doc("basic", 5, 0, 0.01, 2, 64, 64), *m, *w;
	char err[512];

	ib_report_opts_default(&o);
	o.cmp.resamples = 500;
	CHECK(cmp(cand, base, &o, err, sizeof(err)) == NULL, "different scenarios refused");
	CHECK(strstr(err, "different scenarios (name \"aux-switch\" (baseline) vs \"basic\" (candidate))") != NULL,
	      "%s", err);
	CHECK(strstr(err, "--force") != NULL, "%s", err);
	o.force = true;
	m = cmp(cand, base, &o, err, sizeof(err));
	CHECK(m != NULL, "--force compares");
	w = json_object_get(m, "warnings");
	CHECK(strstr(json_string_value(json_array_get(w, 0)), "different scenarios compared") != NULL, "warned");
	json_decref(m);
	/* kernels differ: a warning, not a refusal */
	o.force = false;
	json_decref(cand);
	cand = doc("aux-switch", 5, 0, 0.01, 2, 64, 64);
	json_object_set_new(json_object_get(cand, "host"), "kernel", json_string("7.3.0-test"));
	json_object_set_new(cand, "lab", json_pack("{s:s}", "target", "x86-vtd"));
	m = cmp(cand, base, &o, err, sizeof(err));
	w = json_object_get(m, "warnings");
	CHECK_STR(json_string_value(json_array_get(w, 0)), "kernels differ: baseline 6.1.0-test, candidate 7.3.0-test");
	CHECK_STR(json_string_value(json_array_get(w, 1)), "lab targets differ: baseline none (hardware), candidate x86-vtd");
	CHECK(json_is_true(json_object_get(m, "emulated")), "lab run: emulated");
	json_decref(m);
	json_decref(cand);
	json_decref(base);
}

static void test_repetitions(void)
{
	struct ib_report_opts o;
	json_t *base = doc("s", 2, 0, 0.01, 1, 64, 64), *cand = doc("s", 2, 0.5, 0.01, 2, 64, 64), *m, *t;
	char err[512];

	ib_report_opts_default(&o);
	o.cmp.resamples = 500;
	o.fail_above = 1;
	m = cmp(cand, base, &o, err, sizeof(err));
	t = json_object_get(m, "timings");
	CHECK_STR(ib_report_gets(t, "status"), "too-few");
	CHECK_STR(verdict(m, "map.p50"), "n/a");
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 0);
	json_decref(m);
	json_decref(base);
	json_decref(cand);
	/* 3 against 3: smallest p 0.1, never significant: weak, said so */
	base = doc("s", 3, 0, 0.01, 1, 64, 64);
	cand = doc("s", 3, 0.5, 0.01, 2, 64, 64);
	m = cmp(cand, base, &o, err, sizeof(err));
	t = json_object_get(m, "timings");
	CHECK_STR(ib_report_gets(t, "status"), "weak");
	CHECK(strstr(ib_report_gets(t, "note"), "smallest possible p-value is 0.1") != NULL, "%s", ib_report_gets(t, "note"));
	CHECK(strstr(ib_report_gets(t, "note"), "run at least 5 repetitions") != NULL, "%s", ib_report_gets(t, "note"));
	json_decref(m);
	/* no repetitions at all */
	json_object_del(base, "repetitions");
	m = cmp(cand, base, &o, err, sizeof(err));
	CHECK_STR(ib_report_gets(json_object_get(m, "timings"), "status"), "unavailable");
	json_decref(m);
	json_decref(base);
	json_decref(cand);
}

static void test_render(void)
{
	struct ib_report_opts o;
	json_t *base = doc("s", 10, 0, 0.01, 1, 640, 640), *cand = doc("s", 10, 0.2, 0.05, 4, 700, 700), *m;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	ib_report_opts_default(&o);
	o.cmp.resamples = 500;
	m = cmp(cand, base, &o, err, sizeof(err));
	f = open_memstream(&buf, &len);
	ib_report_md_compare(f, m);
	fclose(f);
	CHECK(strstr(buf, "| unmap.p50 | yes | 9989ns | 12.1us | 1.212 | [1.18") != NULL, "md timing row\n%s", buf);
	CHECK(strstr(buf, "**slower**") != NULL, "md verdict");
	CHECK(strstr(buf, "| ops.unmap.count | 640 | 700 | +60 | +9.38 % |  |") != NULL, "md count row");
	CHECK(strstr(buf, "noise threshold 5 %, confidence 0.95, 500 bootstrap resamples") != NULL, "defaults stated");
	CHECK(strstr(buf, "geometric mean (4 figures)") != NULL, "geomean row");
	CHECK(strstr(buf, "nan") == NULL && strstr(buf, "NaN") == NULL, "no NaN");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ib_report_junit(f, m);
	fclose(f);
	CHECK(strstr(buf, "tests=\"6\" failures=\"4\"") != NULL, "junit: 6 gated, 4 failures\n%s", buf);
	CHECK(strstr(buf, "name=\"switch.p50\">\n    <skipped") != NULL, "junit: no switches, skipped");
	free(buf);
	json_decref(m);
	json_decref(base);
	json_decref(cand);
}

/* hooks[] and contexts[] are matched by key through an index (linear,
 * not a search per entry): the same rows and warnings, in any order */
static void test_lookups(void)
{
	struct ib_report_opts o;
	json_t *b = doc("s", 3, 0, 0.01, 1, 640, 640), *a = doc("s", 3, 0, 0.01, 2, 640, 640), *m, *w, *ca, *cb;
	json_t *hb, *ha;
	char err[512];
	const char *text = "";
	size_t i;

	ib_report_opts_default(&o);
	o.cmp.resamples = 200;
	/* hooks: a name in both (mode differs), a per-driver id whose name
	 * repeats with another layer, and a hook in one run only */
	hb = json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:s, s:b},"
		" {s:s, s:s, s:s, s:b}, {s:s, s:s, s:b}]",
		"name", "iommu_map", "mode", "fentry", "attached", 1,
		"name", "arm_smmu_map_pages", "id", "arm_smmu_map_pages@smmu", "mode", "kprobe", "attached", 1,
		"name", "arm_smmu_map_pages", "id", "arm_smmu_map_pages@smmu-v3", "mode", "kprobe", "attached", 1,
		"name", "only_in_base", "mode", "fentry", "attached", 1);
	ha = json_pack("[{s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:b},"
		" {s:s, s:s, s:b}]",
		"name", "arm_smmu_map_pages", "id", "arm_smmu_map_pages@smmu-v3", "mode", "kprobe", "attached", 1,
		"name", "arm_smmu_map_pages", "id", "arm_smmu_map_pages@smmu", "mode", "none", "attached", 0,
		"name", "iommu_map", "mode", "kprobe", "attached", 1);
	/* json_array_extend takes no reference */
	json_array_extend(json_object_get(b, "hooks"), hb);
	json_array_extend(json_object_get(a, "hooks"), ha);
	json_decref(hb);
	json_decref(ha);
	/* contexts in another order in each run, one only in the candidate */
	cb = json_pack("[{s:i, s:{s:i}}, {s:i, s:{s:i}}]", "id", 1, "harness", "map_calls", 10,
		       "id", 0, "harness", "map_calls", 5);
	ca = json_pack("[{s:i, s:{s:i}}, {s:i, s:{s:i}}, {s:i, s:{s:i}}]", "id", 0, "harness", "map_calls", 5,
		       "id", 2, "harness", "map_calls", 7, "id", 1, "harness", "map_calls", 12);
	json_object_set_new(b, "contexts", cb);
	json_object_set_new(a, "contexts", ca);
	m = cmp(a, b, &o, err, sizeof(err));
	CHECK(m != NULL, "%s", err);
	json_array_foreach(json_object_get(m, "warnings"), i, w)
		if (strstr(json_string_value(w), "hook modes differ"))
			text = json_string_value(w);
	CHECK_STR(text, "hook modes differ (baseline/candidate) for 2 hook(s): iommu_map fentry/kprobe, "
		  "arm_smmu_map_pages@smmu kprobe/none");
	CHECK(json_number_value(json_object_get(fig(m, "contexts.1.harness.map_calls"), "base")) == 10 &&
	      json_number_value(json_object_get(fig(m, "contexts.1.harness.map_calls"), "cand")) == 12,
	      "context 1 matched by id across orders");
	CHECK(json_is_true(json_object_get(fig(m, "contexts.1.harness.map_calls"), "changed")), "context 1 changed");
	CHECK(json_is_false(json_object_get(fig(m, "contexts.0.harness.map_calls"), "changed")), "context 0 same");
	CHECK(json_is_null(json_object_get(fig(m, "contexts.2.harness.map_calls"), "base")) &&
	      json_number_value(json_object_get(fig(m, "contexts.2.harness.map_calls"), "cand")) == 7,
	      "context 2 only in the candidate");
	{
		size_t rows = 0;
		json_t *r;

		json_array_foreach(json_object_get(m, "counts"), i, r)
			rows += !strncmp(ib_report_gets(r, "figure"), "contexts.", 9) &&
				strstr(ib_report_gets(r, "figure"), ".harness.map_calls") != NULL;
		CHECK_EQ_U64(rows, 3);
	}
	json_decref(m);
	json_decref(a);
	json_decref(b);
}

/* failed and interrupted runs: listed in the model, gate tripped (exit 1
 * with --fail-above) unless allow_incomplete */
static void test_incomplete(void)
{
	struct ib_report_opts o;
	json_t *b = doc("s", 3, 0, 0.01, 1, 640, 640), *a = doc("s", 3, 0, 0.01, 2, 640, 640), *m, *x;
	char err[512];

	ib_report_opts_default(&o);
	o.cmp.resamples = 200;
	o.fail_above = 50;
	m = cmp(a, b, &o, err, sizeof(err));
	CHECK_EQ_U64(json_array_size(json_object_get(m, "incomplete")), 0);
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 0);
	json_decref(m);
	json_object_set_new(a, "error", json_string("MAP_DMA: Cannot allocate memory"));
	json_object_set_new(b, "interrupted", json_string("Terminated"));
	m = cmp(a, b, &o, err, sizeof(err));
	CHECK_EQ_U64(json_array_size(json_object_get(m, "incomplete")), 2);
	x = json_array_get(json_object_get(m, "incomplete"), 0);
	CHECK_STR(ib_report_gets(x, "run"), "candidate");
	CHECK_STR(ib_report_gets(x, "reason"), "failed");
	CHECK_STR(ib_report_gets(x, "detail"), "MAP_DMA: Cannot allocate memory");
	x = json_array_get(json_object_get(m, "incomplete"), 1);
	CHECK_STR(ib_report_gets(x, "run"), "baseline");
	CHECK_STR(ib_report_gets(x, "reason"), "interrupted");
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 1);
	json_decref(m);
	o.allow_incomplete = true;
	m = cmp(a, b, &o, err, sizeof(err));
	CHECK_EQ_U64(json_array_size(json_object_get(m, "incomplete")), 2);
	CHECK(json_is_false(json_object_get(json_array_get(json_object_get(m, "incomplete"), 0), "gated")), "not gated");
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 0);
	json_decref(m);
	/* without --fail-above the gate decides nothing: exit 0 */
	o.allow_incomplete = false;
	o.fail_above = -1;
	m = cmp(a, b, &o, err, sizeof(err));
	CHECK_EQ_U64(ib_report_geti(m, "exit"), 0);
	json_decref(m);
	json_decref(a);
	json_decref(b);
}

/*
 * Found by tests/fuzz (fuzz_report_md): a document whose repetitions has no
 * count made the model's json_pack() fail, and the comparison came back
 * NULL with no message (report printed an uninitialised buffer). Every
 * partial document is either compared or refused with a message.
 */
static void test_partial_documents(void)
{
	static const char *const drop[][2] = {
		{ "repetitions", "count" }, { "repetitions", NULL }, { "scenario", NULL }, { "host", NULL },
		{ "tool", NULL }, { "ops", NULL }, { "hooks", NULL },
	};
	struct ib_report_opts o;
	char err[512];

	ib_report_opts_default(&o);
	o.cmp.resamples = 200;
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		json_t *a = doc("s", 5, 0, 0.01, 7, 320, 320), *b = doc("s", 5, 0, 0.01, 8, 320, 320), *m;

		if (drop[i][1])
			json_object_del(json_object_get(a, drop[i][0]), drop[i][1]);
		else
			json_object_del(a, drop[i][0]);
		m = cmp(a, b, &o, err, sizeof(err));
		CHECK(m != NULL || err[0], "without %s%s%s: refused without a message", drop[i][0],
		      drop[i][1] ? "." : "", drop[i][1] ? drop[i][1] : "");
		if (drop[i][1] && !strcmp(drop[i][1], "count"))
			CHECK(m != NULL, "without repetitions.count: %s", err);
		json_decref(m);
		json_decref(a);
		json_decref(b);
	}
}

int main(void)
{
	test_partial_documents();
	test_shifts();
	test_aa_false_positives();
	test_counts();
	test_identity();
	test_repetitions();
	test_render();
	test_lookups();
	test_incomplete();
	return CHECK_DONE();
}
