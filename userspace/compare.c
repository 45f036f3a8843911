// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Baseline-versus-candidate statistics: U test, bootstrap, Holm, verdicts. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

/* ---- PRNG ---- */

void ib_rng_seed(struct ib_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t ib_rng_next(struct ib_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t ib_rng_below(struct ib_rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)ib_rng_next(r) * n;
	uint64_t low = (uint64_t)m;

	/* the top 64 bits of x * n are uniform once the low part is past
	 * 2^64 mod n: redraw the few x that would favour small results */
	if (low < n) {
		uint64_t reject = -n % n;

		while (low < reject) {
			m = (unsigned __int128)ib_rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double ib_rng_unit(struct ib_rng *r)
{
	return (double)(ib_rng_next(r) >> 11) * 0x1p-53;
}

/* ---- summaries ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double ib_median(const double *x, size_t n)
{
	double *s, m;

	if (!n)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = (s[(n - 1) / 2] + s[n / 2]) / 2;
	free(s);
	return m;
}

double ib_quantile_sorted(const double *s, size_t n, double q)
{
	double h, t;
	size_t i;

	if (!n || isnan(q))
		return NAN;
	if (q <= 0)
		return s[0];
	if (q >= 1)
		return s[n - 1];
	h = q * (double)(n - 1);
	i = (size_t)h;
	if (i >= n - 1)
		return s[n - 1];
	t = h - (double)i;
	/* numpy's lerp: from the nearer end, so t = 1 gives s[i + 1] exactly */
	if (t >= 0.5)
		return s[i + 1] - (s[i + 1] - s[i]) * (1 - t);
	return s[i] + (s[i + 1] - s[i]) * t;
}

/* ---- Mann-Whitney U ---- */

struct ranked {
	double v;
	size_t from_x;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

/*
 * Null distribution of U for sample sizes (m, n), as probabilities, by the
 * recurrence on the largest of the m + n values: it belongs to the first
 * sample with probability i / (i + j) and then beats all j values of the
 * second, so P_ij(k) = i/(i+j) P_(i-1)j(k - j) + j/(i+j) P_i(j-1)(k). Every
 * term is a non-negative probability: no cancellation, no overflow.
 * Returns P(U >= k), or -1 without memory.
 */
#define MWU_EXACT_MAX_DOUBLES (8u << 20)

static double mwu_exact_sf(size_t m, size_t n, double k)
{
	double **row, sf = -1;
	size_t i, j, c;

	if (m > n) { /* U's distribution is the same for (m, n) and (n, m) */
		size_t t = m;

		m = n;
		n = t;
	}
	row = calloc(m + 1, sizeof(*row));
	if (!row)
		return -1;
	/* row[i][c]: P(U = c) for sizes (i, j) at the current j; c <= i n */
	for (i = 0; i <= m; i++) {
		row[i] = calloc(i * n + 1, sizeof(**row));
		if (!row[i])
			goto out;
		row[i][0] = 1; /* j = 0: U is 0 */
	}
	for (j = 1; j <= n; j++) {
		/* ascending i: row[i - 1] already holds j, row[i] still j - 1 */
		for (i = 1; i <= m; i++) {
			double a = (double)i / (double)(i + j), b = (double)j / (double)(i + j);
			size_t top = i * j;

			for (c = top + 1; c-- > 0;) {
				double from_prev = c >= j && c - j <= (i - 1) * j ? row[i - 1][c - j] : 0;
				double from_same = c <= i * (j - 1) ? row[i][c] : 0;

				row[i][c] = a * from_prev + b * from_same;
			}
		}
	}
	sf = 0;
	for (c = (size_t)(k < 0 ? 0 : k); c <= m * n; c++)
		sf += row[m][c];
out:
	for (i = 0; i <= m; i++)
		free(row[i]);
	free(row);
	return sf;
}

int ib_mwu_test(const double *x, size_t n1, const double *y, size_t n2,
		enum ib_mwu_method method, struct ib_mwu *out)
{
	size_t n = n1 + n2, i, j;
	double r1 = 0, tie_term = 0, u1, u, mu, s, z, p;
	struct ranked *all;

	if (!n1 || !n2)
		return -EINVAL;
	all = malloc(n * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		all[i].v = i < n1 ? x[i] : y[i - n1];
		all[i].from_x = i < n1;
		if (isnan(all[i].v)) {
			free(all);
			return -EINVAL;
		}
	}
	qsort(all, n, sizeof(*all), cmp_ranked);
	/* tie groups [i, j) share the average of ranks i + 1 .. j */
	for (i = 0; i < n; i = j) {
		size_t in_x = 0;
		double t;

		for (j = i; j < n && all[j].v == all[i].v; j++)
			in_x += all[j].from_x;
		t = (double)(j - i);
		r1 += (double)in_x * ((double)i + 1 + (double)j) / 2;
		tie_term += t * t * t - t;
	}
	free(all);

	u1 = r1 - (double)n1 * ((double)n1 + 1) / 2;
	u = fmax(u1, (double)n1 * (double)n2 - u1);
	out->u = u1;
	out->ties = tie_term > 0;
	if (method == IB_MWU_AUTO)
		method = !out->ties && (n1 <= 8 || n2 <= 8) ? IB_MWU_EXACT : IB_MWU_ASYMPTOTIC;
	out->method = method;

	if (method == IB_MWU_EXACT) {
		size_t lo = n1 < n2 ? n1 : n2, hi = n1 < n2 ? n2 : n1;

		if ((double)lo * (double)lo * (double)hi / 2 > MWU_EXACT_MAX_DOUBLES)
			return -E2BIG;
		p = mwu_exact_sf(n1, n2, floor(u));
		if (p < 0)
			return -ENOMEM;
		p *= 2;
	} else {
		mu = (double)n1 * (double)n2 / 2;
		s = sqrt((double)n1 * (double)n2 / 12 *
			 (((double)n + 1) - tie_term / ((double)n * ((double)n - 1))));
		if (!(s > 0)) {
			p = 1; /* every value the same: nothing to tell apart */
		} else {
			z = (u - mu - 0.5) / s;
			p = erfc(z / M_SQRT2); /* 2 (1 - Phi(z)) */
		}
	}
	out->p = p > 1 ? 1 : p < 0 ? 0 : p;
	return 0;
}

/* ---- Holm ---- */

struct indexed {
	double p;
	size_t i;
};

static int cmp_indexed(const void *a, const void *b)
{
	const struct indexed *x = a, *y = b;

	/* ties in input order, so equal p-values get a stable treatment */
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int ib_holm(const double *p, size_t m, double alpha, double *p_adj, bool *reject)
{
	struct indexed *s;
	double run = 0;
	size_t k;

	if (!m)
		return 0;
	s = malloc(m * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (k = 0; k < m; k++) {
		if (!(p[k] >= 0 && p[k] <= 1)) {
			free(s);
			return -EINVAL;
		}
		s[k].p = p[k];
		s[k].i = k;
	}
	qsort(s, m, sizeof(*s), cmp_indexed);
	for (k = 0; k < m; k++) {
		double a = (double)(m - k) * s[k].p;

		/* step-down: an adjusted p never falls below an earlier one */
		run = fmax(run, a > 1 ? 1 : a);
		p_adj[s[k].i] = run;
	}
	if (reject)
		for (k = 0; k < m; k++)
			reject[k] = p_adj[k] <= alpha;
	free(s);
	return 0;
}

/* ---- bootstrap ---- */

void ib_compare_opts_default(struct ib_compare_opts *o)
{
	o->confidence = IB_COMPARE_CONFIDENCE;
	o->threshold = IB_COMPARE_THRESHOLD;
	o->resamples = IB_COMPARE_RESAMPLES;
	o->seed = IB_COMPARE_SEED;
	o->method = IB_MWU_AUTO;
}

/* One side of one figure, ready for resampling: its values sorted, and
 * where each repetition's value landed in that order. */
struct side {
	double *sorted;
	size_t *rank;
};

static int side_init(struct side *sd, const double *v, size_t n)
{
	struct indexed *s = malloc(n * sizeof(*s));
	size_t i;

	sd->sorted = malloc(n * sizeof(*sd->sorted));
	sd->rank = malloc(n * sizeof(*sd->rank));
	if (!s || !sd->sorted || !sd->rank) {
		free(s);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		s[i].p = v[i];
		s[i].i = i;
	}
	qsort(s, n, sizeof(*s), cmp_indexed);
	for (i = 0; i < n; i++) {
		sd->sorted[i] = s[i].p;
		sd->rank[s[i].i] = i;
	}
	free(s);
	return 0;
}

/*
 * Median of a resample given as multiplicities of the repetitions: since
 * the sorted values are monotone in rank, the resample's k-th smallest is
 * sorted[r] for the rank r where the running count of draws passes k.
 * O(n), no sorting per replicate. cnt is scratch of n entries.
 */
static double side_median(const struct side *sd, const uint32_t *mult, size_t n,
			  uint32_t *cnt)
{
	size_t k1 = (n - 1) / 2, k2 = n / 2, seen = 0, r;
	double v1 = NAN;

	memset(cnt, 0, n * sizeof(*cnt));
	for (r = 0; r < n; r++)
		cnt[sd->rank[r]] += mult[r];
	for (r = 0; r < n; r++) {
		seen += cnt[r];
		if (isnan(v1) && seen > k1)
			v1 = sd->sorted[r];
		if (seen > k2)
			return (v1 + sd->sorted[r]) / 2;
	}
	return v1; /* not reached: the counts add up to n */
}

static void interval(double *rep, size_t b, double alpha, double *lo, double *hi)
{
	qsort(rep, b, sizeof(*rep), cmp_double);
	*lo = ib_quantile_sorted(rep, b, alpha / 2);
	*hi = ib_quantile_sorted(rep, b, 1 - alpha / 2);
}

static bool valid_values(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(isfinite(v[i]) && v[i] > 0))
			return false;
	return true;
}

static void verdict(struct ib_timing_cmp *c, double alpha, double t)
{
	c->significant = c->p_adj <= alpha;
	c->verdict = IB_NO_CHANGE;
	if (!c->significant) {
		c->why = IB_WHY_NOT_SIGNIFICANT;
	} else if (c->ratio.lo > 1 + t) {
		c->verdict = IB_SLOWER;
		c->why = IB_WHY_BEYOND;
	} else if (c->ratio.hi < 1 - t) {
		c->verdict = IB_FASTER;
		c->why = IB_WHY_BEYOND;
	} else if (c->ratio.lo >= 1 - t && c->ratio.hi <= 1 + t) {
		c->why = IB_WHY_WITHIN;
	} else {
		c->why = IB_WHY_STRADDLES;
	}
}

int ib_compare_timings(const struct ib_timing_in *fig, size_t nfig,
		       size_t nbase, size_t ncand, const struct ib_compare_opts *opts,
		       struct ib_timing_cmp *out, struct ib_ratio_ci *geomean)
{
	size_t nmax = nbase > ncand ? nbase : ncand, nb = opts->resamples, f, b, i;
	double alpha = 1 - opts->confidence, *rep = NULL, *geo = NULL, *p = NULL;
	struct side *bs = NULL, *cs = NULL;
	uint32_t *mb = NULL, *mc = NULL, *cnt = NULL;
	double log_sum = 0;
	struct ib_rng rng;
	int err = -ENOMEM;

	if (!nfig || !nbase || !ncand || !nb || !(alpha > 0 && alpha < 1) ||
	    nbase > UINT32_MAX || ncand > UINT32_MAX)
		return -EINVAL;
	for (f = 0; f < nfig; f++)
		if (!valid_values(fig[f].base, nbase) || !valid_values(fig[f].cand, ncand))
			return -EINVAL;

	bs = calloc(nfig, sizeof(*bs));
	cs = calloc(nfig, sizeof(*cs));
	rep = malloc(nfig * nb * sizeof(*rep));
	geo = geomean ? malloc(nb * sizeof(*geo)) : NULL;
	p = malloc(nfig * sizeof(*p));
	mb = malloc(nbase * sizeof(*mb));
	mc = malloc(ncand * sizeof(*mc));
	cnt = malloc(nmax * sizeof(*cnt));
	if (!bs || !cs || !rep || (geomean && !geo) || !p || !mb || !mc || !cnt)
		goto out;
	for (f = 0; f < nfig; f++) {
		if (side_init(&bs[f], fig[f].base, nbase) || side_init(&cs[f], fig[f].cand, ncand))
			goto out;
		err = ib_mwu_test(fig[f].cand, ncand, fig[f].base, nbase, opts->method,
				  &out[f].mwu);
		if (err)
			goto out;
		err = -ENOMEM;
		p[f] = out[f].mwu.p;
		out[f].base_median = (bs[f].sorted[(nbase - 1) / 2] + bs[f].sorted[nbase / 2]) / 2;
		out[f].cand_median = (cs[f].sorted[(ncand - 1) / 2] + cs[f].sorted[ncand / 2]) / 2;
		out[f].ratio.ratio = out[f].cand_median / out[f].base_median;
		log_sum += log(out[f].ratio.ratio);
	}

	ib_rng_seed(&rng, opts->seed);
	for (b = 0; b < nb; b++) {
		double lsum = 0;

		memset(mb, 0, nbase * sizeof(*mb));
		memset(mc, 0, ncand * sizeof(*mc));
		for (i = 0; i < nbase; i++)
			mb[ib_rng_below(&rng, nbase)]++;
		for (i = 0; i < ncand; i++)
			mc[ib_rng_below(&rng, ncand)]++;
		for (f = 0; f < nfig; f++) {
			double r = side_median(&cs[f], mc, ncand, cnt) /
				   side_median(&bs[f], mb, nbase, cnt);

			rep[f * nb + b] = r;
			lsum += log(r);
		}
		if (geo)
			geo[b] = exp(lsum / (double)nfig);
	}
	for (f = 0; f < nfig; f++)
		interval(rep + f * nb, nb, alpha, &out[f].ratio.lo, &out[f].ratio.hi);
	if (geomean) {
		geomean->ratio = exp(log_sum / (double)nfig);
		interval(geo, nb, alpha, &geomean->lo, &geomean->hi);
	}

	err = ib_holm(p, nfig, alpha, p, NULL);
	if (err)
		goto out;
	for (f = 0; f < nfig; f++) {
		out[f].p_adj = p[f];
		verdict(&out[f], alpha, opts->threshold);
	}
	err = 0;
out:
	for (f = 0; bs && cs && f < nfig; f++) {
		free(bs[f].sorted);
		free(bs[f].rank);
		free(cs[f].sorted);
		free(cs[f].rank);
	}
	free(bs);
	free(cs);
	free(rep);
	free(geo);
	free(p);
	free(mb);
	free(mc);
	free(cnt);
	return err;
}

int ib_ratio_ci(const double *base, size_t nbase, const double *cand, size_t ncand,
		size_t resamples, double confidence, uint64_t seed,
		struct ib_ratio_ci *out)
{
	struct ib_timing_in in = { .base = base, .cand = cand };
	struct ib_compare_opts o;
	struct ib_timing_cmp c;
	int err;

	ib_compare_opts_default(&o);
	o.resamples = resamples;
	o.confidence = confidence;
	o.seed = seed;
	err = ib_compare_timings(&in, 1, nbase, ncand, &o, &c, NULL);
	if (!err)
		*out = c.ratio;
	return err;
}

/* ---- counts ---- */

void ib_compare_count(double base, double cand, struct ib_count_cmp *out)
{
	out->base = base;
	out->cand = cand;
	out->diff = cand - base;
	out->changed = cand != base;
	if (base != 0)
		out->pct = 100 * (cand - base) / base;
	else
		out->pct = cand > 0 ? INFINITY : cand < 0 ? -INFINITY : 0;
}

bool ib_count_above(double base, double cand, double pct)
{
	double bound = base * pct / 100;

	if (base == 0)
		return cand > 0;
	return cand - base > bound + 1e-9 * fmax(fabs(base), fabs(cand));
}

const char *ib_verdict_str(enum ib_verdict v)
{
	switch (v) {
	case IB_FASTER:
		return "faster";
	case IB_SLOWER:
		return "slower";
	default:
		return "no change";
	}
}

const char *ib_verdict_why_str(enum ib_verdict_why w)
{
	switch (w) {
	case IB_WHY_NOT_SIGNIFICANT:
		return "not significant";
	case IB_WHY_WITHIN:
		return "within threshold";
	case IB_WHY_STRADDLES:
		return "interval crosses threshold";
	case IB_WHY_BEYOND:
		return "beyond threshold";
	}
	return "?";
}
