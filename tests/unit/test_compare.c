// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for userspace/compare.c. Reference values come from
 * tests/data/stats/reference.json, made by gen_reference.py with SciPy,
 * NumPy and statsmodels; the synthetic-data tests are seeded, so every run
 * sees the same samples.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "check.h"

#define REFERENCE "tests/data/stats/reference.json"

static json_t *ref;

/* |got - want| within rel of want (and a hair absolute, for zeros) */
static bool close_to(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want) + 1e-300 || (isinf(got) && got == want);
}

/* the trailing arguments (a format and its values) say which case failed */
#define CHECK_CLOSE(got, want, rel, ...) do {				\
	double _g = (got), _w = (want);					\
	CHECK(close_to(_g, _w, rel), "%s = %.17g, expected %.17g", #got, _g, _w); \
	if (!close_to(_g, _w, rel)) {					\
		fprintf(stderr, "    in: ");				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

/* A JSON array of numbers as a malloc'ed double array. */
static double *doubles(json_t *a, size_t *n)
{
	double *v = malloc((json_array_size(a) + 1) * sizeof(*v));
	size_t i;

	*n = json_array_size(a);
	for (i = 0; v && i < *n; i++)
		v[i] = json_number_value(json_array_get(a, i));
	return v;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* ---- PRNG and summaries ---- */

static void test_rng(void)
{
	struct ib_rng r;
	uint64_t hist[7] = { 0 };
	int i, bad = 0;

	/* splitmix64's published first output for seed 0 */
	ib_rng_seed(&r, 0);
	CHECK_EQ_U64(ib_rng_next(&r), 0xe220a8397b1dcdafull);
	ib_rng_seed(&r, 1);
	for (i = 0; i < 70000; i++) {
		uint64_t k = ib_rng_below(&r, 7);

		if (k >= 7)
			bad++;
		else
			hist[k]++;
	}
	CHECK(bad == 0, "%d draws out of [0, 7)", bad);
	/* 10000 expected per value, sd ~93: 5 sd */
	for (i = 0; i < 7; i++)
		CHECK(hist[i] > 9535 && hist[i] < 10465, "value %d drawn %llu times of 70000", i,
		      (unsigned long long)hist[i]);
	CHECK_EQ_U64(ib_rng_below(&r, 1), 0);
	for (i = 0, bad = 0; i < 1000; i++) {
		double u = ib_rng_unit(&r);

		bad += !(u >= 0 && u < 1);
	}
	CHECK(bad == 0, "%d unit draws outside [0, 1)", bad);
}

static void test_quantiles(void)
{
	json_t *cases = json_object_get(ref, "quantile"), *c;
	size_t i, k;

	CHECK(json_array_size(cases) > 0, "no quantile cases in " REFERENCE);
	json_array_foreach(cases, i, c) {
		size_t n, nq;
		double *x = doubles(json_object_get(c, "x"), &n);
		double *q = doubles(json_object_get(c, "q"), &nq);
		double *want = doubles(json_object_get(c, "quantile"), &nq);
		double *sorted = doubles(json_object_get(c, "x"), &n);

		for (k = 1; k < n; k++) { /* insertion sort: a handful of values */
			double v = sorted[k];
			size_t j = k;

			for (; j > 0 && sorted[j - 1] > v; j--)
				sorted[j] = sorted[j - 1];
			sorted[j] = v;
		}
		CHECK_CLOSE(ib_median(x, n), num(c, "median"), 1e-15, "median, case %zu", i);
		for (k = 0; k < nq; k++)
			CHECK_CLOSE(ib_quantile_sorted(sorted, n, q[k]), want[k], 1e-15,
				    "case %zu, q %g", i, q[k]);
		free(x);
		free(q);
		free(want);
		free(sorted);
	}
	CHECK(isnan(ib_median(NULL, 0)), "median of nothing is not NaN");
	CHECK(isnan(ib_quantile_sorted(NULL, 0, 0.5)), "quantile of nothing is not NaN");
}

/* ---- Mann-Whitney U against scipy.stats.mannwhitneyu ---- */

static void test_mwu(void)
{
	static const struct {
		const char *key;
		enum ib_mwu_method m;
	} methods[] = {
		{ "p_auto", IB_MWU_AUTO },
		{ "p_exact", IB_MWU_EXACT },
		{ "p_asymptotic", IB_MWU_ASYMPTOTIC },
	};
	json_t *cases = json_object_get(ref, "mwu"), *c;
	size_t i, k, nexact = 0, nties = 0;

	CHECK(json_array_size(cases) >= 10, "too few U cases in " REFERENCE);
	json_array_foreach(cases, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		size_t n1, n2;
		double *x = doubles(json_object_get(c, "x"), &n1);
		double *y = doubles(json_object_get(c, "y"), &n2);

		for (k = 0; k < 3; k++) {
			json_t *want = json_object_get(c, methods[k].key);
			struct ib_mwu r, swapped;
			int err;

			if (!want)
				continue;
			err = ib_mwu_test(x, n1, y, n2, methods[k].m, &r);
			CHECK(err == 0, "%s %s: error %d", name, methods[k].key, err);
			CHECK_CLOSE(r.u, num(c, "u"), 1e-12, "%s", name);
			/* exact p: sums of probabilities; asymptotic: erfc vs SciPy's
			 * norm.sf; both agree to far better than 1e-9 */
			CHECK_CLOSE(r.p, json_number_value(want), 1e-9, "%s %s", name,
				    methods[k].key);
			if (methods[k].m == IB_MWU_EXACT)
				nexact++;
			nties += r.ties;
			/* the other sample first: U2 = n1 n2 - U1, same two-sided p */
			err = ib_mwu_test(y, n2, x, n1, methods[k].m, &swapped);
			CHECK(err == 0 && swapped.u == (double)n1 * n2 - r.u &&
			      close_to(swapped.p, r.p, 1e-12),
			      "%s %s swapped: u %g p %g against u %g p %g", name,
			      methods[k].key, swapped.u, swapped.p, r.u, r.p);
		}
		free(x);
		free(y);
	}
	CHECK(nexact >= 10 && nties >= 5, "fixture covers %zu exact, %zu tied runs", nexact, nties);
}

/* Which method auto picks, and the p-values that follow from the design. */
static void test_mwu_known(void)
{
	double a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };
	double big_a[9], big_b[9], tie[3] = { 1, 1, 2 }, nan_v[1] = { NAN };
	struct ib_mwu r;
	int i;

	/* complete separation, 8 + 8: exactly 2 / C(16, 8) */
	CHECK(ib_mwu_test(a, 8, b, 8, IB_MWU_AUTO, &r) == 0, "8x8");
	CHECK(r.method == IB_MWU_EXACT && r.u == 0 && !r.ties, "8x8: method %d u %g", r.method, r.u);
	CHECK_CLOSE(r.p, 2.0 / 12870, 1e-13, "8x8 separated");
	/* 9 + 9: past SciPy's auto limit, asymptotic */
	for (i = 0; i < 9; i++) {
		big_a[i] = i;
		big_b[i] = i + 0.5;
	}
	CHECK(ib_mwu_test(big_a, 9, big_b, 9, IB_MWU_AUTO, &r) == 0 &&
	      r.method == IB_MWU_ASYMPTOTIC, "9x9 auto: method %d", r.method);
	/* a tie forces asymptotic even for small samples */
	CHECK(ib_mwu_test(tie, 3, b, 2, IB_MWU_AUTO, &r) == 0 && r.ties &&
	      r.method == IB_MWU_ASYMPTOTIC, "ties auto: method %d", r.method);
	CHECK(ib_mwu_test(a, 0, b, 8, IB_MWU_AUTO, &r) == -EINVAL, "empty x accepted");
	{
		/* an exact distribution past the memory cap is refused, and auto
		 * never asks for one that large */
		static double many[300];

		for (i = 0; i < 300; i++)
			many[i] = i;
		CHECK(ib_mwu_test(many, 300, many, 300, IB_MWU_EXACT, &r) == -E2BIG,
		      "300x300 exact not refused");
		CHECK(ib_mwu_test(many, 300, many, 300, IB_MWU_AUTO, &r) == 0 &&
		      r.method == IB_MWU_ASYMPTOTIC && r.p == 1, "300x300 auto: p %g", r.p);
	}
	CHECK(ib_mwu_test(nan_v, 1, b, 8, IB_MWU_AUTO, &r) == -EINVAL, "NaN accepted");
}

/* ---- Holm against statsmodels' multipletests(method="holm") ---- */

static void test_holm(void)
{
	json_t *cases = json_object_get(ref, "holm"), *c;
	size_t i, k;

	CHECK(json_array_size(cases) >= 5, "too few Holm cases in " REFERENCE);
	json_array_foreach(cases, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		json_t *rej = json_object_get(c, "reject");
		size_t m, mm;
		double *p = doubles(json_object_get(c, "p"), &m);
		double *want = doubles(json_object_get(c, "p_adj"), &mm);
		double *adj = malloc(m * sizeof(*adj));
		bool *reject = malloc(m * sizeof(*reject));

		CHECK(ib_holm(p, m, num(c, "alpha"), adj, reject) == 0, "%s", name);
		for (k = 0; k < m; k++) {
			CHECK_CLOSE(adj[k], want[k], 1e-15, "%s [%zu]", name, k);
			CHECK(reject[k] == json_is_true(json_array_get(rej, k)),
			      "%s [%zu]: reject %d", name, k, reject[k]);
		}
		/* in place, no reject array */
		CHECK(ib_holm(p, m, num(c, "alpha"), p, NULL) == 0, "%s in place", name);
		for (k = 0; k < m; k++)
			CHECK_CLOSE(p[k], want[k], 1e-15, "%s in place [%zu]", name, k);
		free(p);
		free(want);
		free(adj);
		free(reject);
	}
	{
		double bad[2] = { 0.1, 1.5 }, adj[2];

		CHECK(ib_holm(bad, 2, 0.05, adj, NULL) == -EINVAL, "p > 1 accepted");
		bad[1] = NAN;
		CHECK(ib_holm(bad, 2, 0.05, adj, NULL) == -EINVAL, "NaN p accepted");
	}
}

/* ---- bootstrap: exact reproduction and SciPy's own bootstrap ---- */

static void test_bootstrap_reference(void)
{
	json_t *cases = json_object_get(ref, "bootstrap"), *c;
	size_t i, f;

	CHECK(json_array_size(cases) >= 3, "too few bootstrap cases in " REFERENCE);
	json_array_foreach(cases, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		json_t *jb = json_object_get(c, "base"), *jc = json_object_get(c, "cand");
		size_t nfig = json_array_size(jb), nb = 0, nc = 0;
		struct ib_timing_in *in = calloc(nfig, sizeof(*in));
		struct ib_timing_cmp *out = calloc(nfig, sizeof(*out));
		struct ib_compare_opts o;
		struct ib_ratio_ci geo, alone;
		json_t *g = json_object_get(c, "geo");
		int err;

		for (f = 0; f < nfig; f++) {
			in[f].base = doubles(json_array_get(jb, f), &nb);
			in[f].cand = doubles(json_array_get(jc, f), &nc);
		}
		ib_compare_opts_default(&o);
		o.resamples = (size_t)num(c, "resamples");
		o.confidence = num(c, "confidence");
		o.seed = (uint64_t)json_integer_value(json_object_get(c, "seed"));
		err = ib_compare_timings(in, nfig, nb, nc, &o, out, &geo);
		CHECK(err == 0, "%s: error %d", name, err);
		for (f = 0; f < nfig; f++) {
			json_t *s = json_array_get(json_object_get(c, "scipy"), f);
			double seeds = num(s, "seeds");
			/* SciPy's bootstrap resamples with its own generator: ours
			 * is one more draw of the same random interval, so allow 5
			 * sd of the difference (sd from SciPy's 30 seeds) */
			double tol_lo = 5 * num(s, "lo_sd") * sqrt(1 + 1 / seeds);
			double tol_hi = 5 * num(s, "hi_sd") * sqrt(1 + 1 / seeds);

			/* numpy redoing compare.c's resampling: the same numbers */
			CHECK_CLOSE(out[f].ratio.ratio,
				    json_number_value(json_array_get(json_object_get(c, "ratio"), f)),
				    1e-15, "%s fig %zu", name, f);
			CHECK_CLOSE(out[f].ratio.lo,
				    json_number_value(json_array_get(json_object_get(c, "lo"), f)),
				    1e-12, "%s fig %zu", name, f);
			CHECK_CLOSE(out[f].ratio.hi,
				    json_number_value(json_array_get(json_object_get(c, "hi"), f)),
				    1e-12, "%s fig %zu", name, f);
			CHECK(fabs(out[f].ratio.lo - num(s, "lo_mean")) <= tol_lo &&
			      fabs(out[f].ratio.hi - num(s, "hi_mean")) <= tol_hi,
			      "%s fig %zu: [%.6f, %.6f], SciPy [%.6f, %.6f] +- [%.6f, %.6f]",
			      name, f, out[f].ratio.lo, out[f].ratio.hi, num(s, "lo_mean"),
			      num(s, "hi_mean"), tol_lo, tol_hi);
			/* alone, a figure gets the interval it had in the family */
			err = ib_ratio_ci(in[f].base, nb, in[f].cand, nc, o.resamples,
					  o.confidence, o.seed, &alone);
			CHECK(err == 0 && alone.ratio == out[f].ratio.ratio &&
			      alone.lo == out[f].ratio.lo && alone.hi == out[f].ratio.hi,
			      "%s fig %zu alone: [%g, %g] vs [%g, %g]", name, f, alone.lo,
			      alone.hi, out[f].ratio.lo, out[f].ratio.hi);
		}
		CHECK_CLOSE(geo.ratio, num(g, "ratio"), 1e-14, "%s geomean", name);
		CHECK_CLOSE(geo.lo, num(g, "lo"), 1e-12, "%s geomean lo", name);
		CHECK_CLOSE(geo.hi, num(g, "hi"), 1e-12, "%s geomean hi", name);
		for (f = 0; f < nfig; f++) {
			free((void *)in[f].base);
			free((void *)in[f].cand);
		}
		free(in);
		free(out);
	}
}

/* ---- synthetic per-repetition figures ---- */

static double normal(struct ib_rng *r)
{
	double u = 1 - ib_rng_unit(r); /* (0, 1]: log() is safe */

	return sqrt(-2 * log(u)) * cos(2 * M_PI * ib_rng_unit(r));
}

/* n repetitions of a figure with median mu and lognormal noise sigma */
static void lognormal(struct ib_rng *r, double *v, size_t n, double mu, double sigma)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = mu * exp(sigma * normal(r));
}

/*
 * Coverage: 200 pairs of 20 + 20 repetitions, lognormal noise (sigma 0.05),
 * candidate 10 % slower in truth. The percentile interval of the median
 * ratio is not exactly at 95 % for small samples: gen_reference.py
 * simulated this design 3000 times with numpy and got the estimate in the
 * fixture (0.966: medians of 20 values are lumpy and the interval runs
 * wide). The count must lie in the 99.9 % binomial range for 200 trials
 * at that estimate widened by 3 of its standard errors ([180, 200]), and
 * the mean width within 4 sd of numpy's, so intervals that are too wide
 * (which would cover every time) fail too.
 */
static void test_coverage(void)
{
	json_t *cov = json_object_get(ref, "coverage");
	json_t *bounds = json_object_get(cov, "bounds_200");
	double base[20], cand[20], width = 0, w_mean = num(cov, "width_mean");
	double w_sd = num(cov, "width_sd"), w_tol;
	int trial, covered = 0, failed = 0, lo = (int)json_integer_value(json_array_get(bounds, 0));
	int hi = (int)json_integer_value(json_array_get(bounds, 1));
	struct ib_rng r;

	ib_rng_seed(&r, 0xc0ffee);
	for (trial = 0; trial < 200; trial++) {
		struct ib_ratio_ci ci;
		int err;

		lognormal(&r, base, 20, 1000, 0.05);
		lognormal(&r, cand, 20, 1100, 0.05);
		err = ib_ratio_ci(base, 20, cand, 20, IB_COMPARE_RESAMPLES, 0.95,
				  IB_COMPARE_SEED + trial, &ci);
		failed += err != 0;
		covered += ci.lo <= 1.1 && 1.1 <= ci.hi;
		width += ci.hi - ci.lo;
	}
	CHECK(failed == 0, "%d intervals failed", failed);
	width /= 200;
	w_tol = 4 * sqrt(w_sd * w_sd / 200 + w_sd * w_sd / num(cov, "trials"));
	CHECK(covered >= lo && covered <= hi, "covered the true ratio %d of 200 times, "
	      "expected %d..%d (numpy: %.3f)", covered, lo, hi, num(cov, "estimate"));
	CHECK(fabs(width - w_mean) <= w_tol, "mean width %.5f, numpy %.5f +- %.5f",
	      width, w_mean, w_tol);
	printf("coverage: %d/200 (numpy estimate %.3f), mean width %.4f (numpy %.4f)\n",
	       covered, num(cov, "estimate"), width, w_mean);
}

/*
 * Verdicts: 15 + 15 repetitions, lognormal noise, 100 pairs per row,
 * default options but 2000 resamples. With sigma 0.02 (a quiet machine's
 * per-repetition medians) a median's standard error is about
 * 1.25 * 0.02 / sqrt(15) = 0.0065, the ratio's about 0.009, so the 95 %
 * interval is about +-0.018 around the true ratio:
 *   0 %: U rejects in ~5 % of pairs, and then the interval is inside
 *        +-5 %: every verdict "no change";
 *   3 %: the interval [~1.012, ~1.048] almost always excludes 1
 *        (significant) and its upper end lands on either side of 1.05
 *        about equally ("within" or "straddles"), but it never clears 1.05
 *        (that is 2 standard errors plus 1.96 more away): "no change";
 *   3 % with sigma 0.01: the interval [~1.021, ~1.039] is inside: "no
 *        change", why "within threshold";
 *  20 %: "slower" every time, -20 % (1/1.2): "faster" every time.
 */
static void test_verdicts(void)
{
	static const struct {
		double shift, sigma;
	} row[5] = { { 1.0, 0.02 }, { 1.03, 0.02 }, { 1.03, 0.01 }, { 1.20, 0.02 },
		     { 1 / 1.20, 0.02 } };
	struct ib_compare_opts o;
	struct ib_rng r;
	int s, trial;

	ib_compare_opts_default(&o);
	o.resamples = 2000;
	ib_rng_seed(&r, 0x5eed);
	for (s = 0; s < 5; s++) {
		int n[3] = { 0 }, why[4] = { 0 }, significant = 0, failed = 0;

		for (trial = 0; trial < 100; trial++) {
			double base[15], cand[15];
			struct ib_timing_in in = { base, cand };
			struct ib_timing_cmp c;

			lognormal(&r, base, 15, 2000, row[s].sigma);
			lognormal(&r, cand, 15, 2000 * row[s].shift, row[s].sigma);
			o.seed = trial;
			if (ib_compare_timings(&in, 1, 15, 15, &o, &c, NULL)) {
				failed++;
				continue;
			}
			n[c.verdict]++;
			why[c.why]++;
			significant += c.significant;
		}
		printf("shift %+.1f %%, sigma %.2f: no change %d, faster %d, slower %d; "
		       "not significant %d, within %d, straddles %d, beyond %d\n",
		       100 * (row[s].shift - 1), row[s].sigma, n[IB_NO_CHANGE], n[IB_FASTER],
		       n[IB_SLOWER], why[IB_WHY_NOT_SIGNIFICANT], why[IB_WHY_WITHIN],
		       why[IB_WHY_STRADDLES], why[IB_WHY_BEYOND]);
		CHECK(failed == 0, "%d comparisons failed", failed);
		switch (s) {
		case 0:
			CHECK(n[IB_NO_CHANGE] == 100, "A/A: %d of 100 not 'no change'",
			      100 - n[IB_NO_CHANGE]);
			CHECK(significant <= 12, "A/A: %d of 100 significant (binomial "
			      "99.9 %% bound at 5 %%: 12)", significant);
			break;
		case 1:
			CHECK(n[IB_NO_CHANGE] == 100, "3 %%: %d of 100 not 'no change'",
			      100 - n[IB_NO_CHANGE]);
			CHECK(significant >= 90, "3 %%: only %d of 100 significant", significant);
			CHECK(why[IB_WHY_WITHIN] + why[IB_WHY_STRADDLES] == significant &&
			      why[IB_WHY_WITHIN] >= 20 && why[IB_WHY_STRADDLES] >= 20,
			      "3 %%: within %d, straddles %d, significant %d",
			      why[IB_WHY_WITHIN], why[IB_WHY_STRADDLES], significant);
			break;
		case 2:
			CHECK(n[IB_NO_CHANGE] == 100 && why[IB_WHY_WITHIN] >= 95,
			      "3 %%, quiet: %d no change, %d within threshold",
			      n[IB_NO_CHANGE], why[IB_WHY_WITHIN]);
			break;
		case 3:
			CHECK(n[IB_SLOWER] == 100, "20 %%: %d of 100 slower", n[IB_SLOWER]);
			break;
		case 4:
			CHECK(n[IB_FASTER] == 100, "-20 %%: %d of 100 faster", n[IB_FASTER]);
			break;
		}
	}
}

/*
 * A/A false positives: 500 pairs of 10 + 10 repetitions from the same
 * distribution. The asymptotic U test at 0.05 has an exact size of 0.0433
 * for 10 + 10 without ties (enumerated by gen_reference.py); the number of
 * p <= 0.05 must be in the 99.9 % binomial range around it ([8, 38]), and
 * the number of faster/slower verdicts at most what a rate of exactly
 * alpha reaches with probability 0.001 (41 of 500). The bootstrap uses
 * 1000 resamples here: no verdict can differ from "no change" without
 * the U test rejecting, whatever the interval.
 */
static void test_aa_false_positives(void)
{
	json_t *aa = json_object_get(ref, "aa"), *bounds = json_object_get(aa, "bounds_500");
	int lo = (int)json_integer_value(json_array_get(bounds, 0));
	int hi = (int)json_integer_value(json_array_get(bounds, 1));
	int max_fp = (int)json_integer_value(json_object_get(aa, "max_500_at_alpha"));
	int trial, rejected = 0, fp = 0, failed = 0;
	struct ib_compare_opts o;
	struct ib_rng r;

	ib_compare_opts_default(&o);
	o.resamples = 1000;
	ib_rng_seed(&r, 0xa0a0);
	for (trial = 0; trial < 500; trial++) {
		double base[10], cand[10];
		struct ib_timing_in in = { base, cand };
		struct ib_timing_cmp c;

		/* wide noise (sigma 0.3) so that the interval alone would
		 * often clear +-5 %: only the U test holds verdicts back */
		lognormal(&r, base, 10, 5000, 0.3);
		lognormal(&r, cand, 10, 5000, 0.3);
		o.seed = trial;
		if (ib_compare_timings(&in, 1, 10, 10, &o, &c, NULL)) {
			failed++;
			continue;
		}
		rejected += c.mwu.p <= 0.05;
		fp += c.verdict != IB_NO_CHANGE;
	}
	CHECK(failed == 0, "%d comparisons failed", failed);
	printf("A/A: %d of 500 p <= 0.05 (exact size %.4f), %d faster/slower\n", rejected,
	       num(aa, "size"), fp);
	CHECK(rejected >= lo && rejected <= hi, "%d of 500 A/A pairs with p <= 0.05, "
	      "expected %d..%d", rejected, lo, hi);
	CHECK(fp <= max_fp, "%d of 500 A/A pairs faster/slower, at most %d", fp, max_fp);
}

/*
 * Family-wise: 300 A/A families of 6 figures (p50/p99 of map, unmap and
 * switch, say) measured in the same 12 repetitions, so they share a
 * per-repetition factor. With Holm the chance of any faster/slower in a
 * family is at most alpha: at most 28 of 300 (what exactly 5 % reaches
 * with probability 0.001). Without the correction, 6 tests would reject
 * about 1 - 0.95^6 = 26 % of families if they were independent; the
 * count of families where some unadjusted p <= alpha shows the correction
 * had work to do.
 */
static void test_family_fwer(void)
{
	int max_fp = (int)json_integer_value(json_object_get(json_object_get(ref, "aa"),
							     "max_300_at_alpha"));
	int trial, fam_fp = 0, fam_raw = 0, fam_holm = 0, failed = 0, below = 0;
	struct ib_compare_opts o;
	struct ib_rng r;

	ib_compare_opts_default(&o);
	o.resamples = 500;
	ib_rng_seed(&r, 0xfa111);
	for (trial = 0; trial < 300; trial++) {
		double base[6][12], cand[6][12], rb[12], rc[12];
		struct ib_timing_in in[6];
		struct ib_timing_cmp c[6];
		bool fp = false, raw = false, holm = false;
		int f, i;

		lognormal(&r, rb, 12, 1, 0.1);
		lognormal(&r, rc, 12, 1, 0.1);
		for (f = 0; f < 6; f++) {
			lognormal(&r, base[f], 12, 1000 * (f + 1), 0.2);
			lognormal(&r, cand[f], 12, 1000 * (f + 1), 0.2);
			for (i = 0; i < 12; i++) {
				base[f][i] *= rb[i];
				cand[f][i] *= rc[i];
			}
			in[f].base = base[f];
			in[f].cand = cand[f];
		}
		o.seed = trial;
		if (ib_compare_timings(in, 6, 12, 12, &o, c, NULL)) {
			failed++;
			continue;
		}
		for (f = 0; f < 6; f++) {
			fp |= c[f].verdict != IB_NO_CHANGE;
			raw |= c[f].mwu.p <= 0.05;
			holm |= c[f].significant;
			below += c[f].p_adj < c[f].mwu.p;
		}
		fam_fp += fp;
		fam_raw += raw;
		fam_holm += holm;
	}
	CHECK(failed == 0, "%d comparisons failed", failed);
	CHECK(below == 0, "%d adjusted p-values below their raw p", below);
	printf("A/A families: %d of 300 with an unadjusted p <= 0.05, %d Holm-significant, "
	       "%d faster/slower\n", fam_raw, fam_holm, fam_fp);
	CHECK(fam_holm <= max_fp && fam_fp <= max_fp, "A/A families: %d Holm-significant, "
	      "%d faster/slower of 300, at most %d", fam_holm, fam_fp, max_fp);
	CHECK(fam_raw > fam_holm, "unadjusted %d, Holm %d: the correction removed nothing",
	      fam_raw, fam_holm);
}

/* Verdict rule on hand-made figures whose intervals are known. */
static void test_verdict_rule(void)
{
	double base[8] = { 100, 101, 102, 103, 104, 105, 106, 107 }, cand[8], same[8];
	struct ib_timing_in in[2] = { { base, cand }, { base, same } };
	struct ib_timing_cmp c[2];
	struct ib_ratio_ci geo;
	struct ib_compare_opts o;
	int i;

	ib_compare_opts_default(&o);
	for (i = 0; i < 8; i++) {
		cand[i] = base[i] * 1.5; /* every candidate value above every baseline one */
		same[i] = base[i];
	}
	CHECK(ib_compare_timings(in, 2, 8, 8, &o, c, &geo) == 0, "compare");
	/* exact p for complete separation of 8 + 8 is 2 / 12870; Holm with
	 * m = 2 doubles it for the smallest */
	CHECK_CLOSE(c[0].mwu.p, 2.0 / 12870, 1e-13, "separated");
	CHECK_CLOSE(c[0].p_adj, 4.0 / 12870, 1e-13, "separated, Holm");
	CHECK(c[0].mwu.u == 64, "u %g: every candidate value exceeds every baseline one",
	      c[0].mwu.u);
	CHECK_CLOSE(c[0].ratio.ratio, 1.5, 1e-15, "ratio");
	CHECK(c[0].verdict == IB_SLOWER && c[0].why == IB_WHY_BEYOND, "verdict %s (%s)",
	      ib_verdict_str(c[0].verdict), ib_verdict_why_str(c[0].why));
	CHECK(c[1].mwu.p == 1 && c[1].p_adj == 1 && c[1].verdict == IB_NO_CHANGE &&
	      c[1].why == IB_WHY_NOT_SIGNIFICANT && c[1].ratio.lo <= 1 && c[1].ratio.hi >= 1,
	      "identical: p %g, verdict %s (%s), [%g, %g]", c[1].mwu.p,
	      ib_verdict_str(c[1].verdict), ib_verdict_why_str(c[1].why), c[1].ratio.lo,
	      c[1].ratio.hi);
	CHECK_CLOSE(geo.ratio, sqrt(1.5), 1e-15, "geomean of 1.5 and 1");
	CHECK(geo.lo <= geo.ratio && geo.ratio <= geo.hi, "geomean [%g, %g]", geo.lo, geo.hi);

	/* the threshold decides: 1.5 is "no change" at a 60 % threshold */
	o.threshold = 0.6;
	CHECK(ib_compare_timings(in, 1, 8, 8, &o, c, NULL) == 0 && c[0].verdict == IB_NO_CHANGE &&
	      c[0].why == IB_WHY_WITHIN && c[0].significant, "threshold 60 %%: %s (%s)",
	      ib_verdict_str(c[0].verdict), ib_verdict_why_str(c[0].why));
	/* reversed: faster */
	o.threshold = 0.05;
	in[0].base = cand;
	in[0].cand = base;
	CHECK(ib_compare_timings(in, 1, 8, 8, &o, c, NULL) == 0 && c[0].verdict == IB_FASTER,
	      "reversed: %s", ib_verdict_str(c[0].verdict));

	/* refused inputs */
	same[3] = 0;
	CHECK(ib_compare_timings(&in[1], 1, 8, 8, &o, c, NULL) == -EINVAL, "a zero accepted");
	same[3] = NAN;
	CHECK(ib_compare_timings(&in[1], 1, 8, 8, &o, c, NULL) == -EINVAL, "NaN accepted");
	CHECK(ib_compare_timings(in, 1, 0, 8, &o, c, NULL) == -EINVAL, "no baseline accepted");
	o.confidence = 1;
	CHECK(ib_compare_timings(in, 1, 8, 8, &o, c, NULL) == -EINVAL, "confidence 1 accepted");
	CHECK_STR(ib_verdict_str(IB_NO_CHANGE), "no change");
	CHECK_STR(ib_verdict_str(IB_SLOWER), "slower");
	CHECK_STR(ib_verdict_str(IB_FASTER), "faster");
}

/* ---- counts ---- */

static void test_counts(void)
{
	struct ib_count_cmp c;

	ib_compare_count(16, 64, &c);
	CHECK(c.changed && c.diff == 48 && c.pct == 300, "16 -> 64: diff %g pct %g", c.diff, c.pct);
	ib_compare_count(11, 11, &c);
	CHECK(!c.changed && c.diff == 0 && c.pct == 0, "11 -> 11: changed %d", c.changed);
	ib_compare_count(1000000, 1000001, &c);
	CHECK(c.changed && c.diff == 1, "one in a million is still a change");
	CHECK_CLOSE(c.pct, 1e-4, 1e-9, "one in a million");
	ib_compare_count(4, 3, &c);
	CHECK(c.changed && c.diff == -1 && c.pct == -25, "4 -> 3: pct %g", c.pct);
	ib_compare_count(0, 2, &c);
	CHECK(c.changed && isinf(c.pct) && c.pct > 0, "0 -> 2: pct %g", c.pct);
	ib_compare_count(0, 0, &c);
	CHECK(!c.changed && c.pct == 0, "0 -> 0: pct %g", c.pct);

	CHECK(!ib_count_above(100, 110, 10), "110 vs 100 is not more than 10 %%");
	CHECK(!ib_count_above(1.0, 1.1, 10), "1.1 vs 1.0 is not more than 10 %% (rounding)");
	CHECK(!ib_count_above(3.0, 3.3, 10), "3.3 vs 3.0 is not more than 10 %% (rounding)");
	CHECK(ib_count_above(100, 111, 10), "111 vs 100 is more than 10 %%");
	CHECK(ib_count_above(1.0, 1.1001, 10), "1.1001 vs 1.0 is more than 10 %%");
	CHECK(ib_count_above(4, 16, 10), "16 vs 4");
	CHECK(!ib_count_above(16, 4, 10), "4 vs 16 is lower");
	CHECK(ib_count_above(10, 11, 0), "any increase is above 0 %%");
	CHECK(!ib_count_above(10, 10, 0), "equal is not above 0 %%");
	CHECK(ib_count_above(0, 1, 50), "from 0, any increase is above");
	CHECK(!ib_count_above(0, 0, 50), "0 vs 0");
}

int main(void)
{
	json_error_t jerr;

	ref = json_load_file(REFERENCE, 0, &jerr);
	CHECK(ref != NULL, "%s: %s (line %d)", REFERENCE, jerr.text, jerr.line);
	if (!ref)
		return CHECK_DONE();
	test_rng();
	test_quantiles();
	test_mwu();
	test_mwu_known();
	test_holm();
	test_bootstrap_reference();
	test_verdict_rule();
	test_coverage();
	test_verdicts();
	test_aa_false_positives();
	test_family_fwer();
	test_counts();
	json_decref(ref);
	return CHECK_DONE();
}
