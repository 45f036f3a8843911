/*
 * Baseline-versus-candidate statistics: the numbers behind a comparison
 * report. No I/O, no JSON: callers pass per-repetition figures (one value
 * per repetition of the workload, e.g. that repetition's p50 of unmap in
 * ns) and get back tests, intervals and verdicts.
 *
 * What a comparison of timings does, per figure:
 *   - medians of baseline and candidate, and their ratio candidate/baseline
 *     (> 1: the candidate is slower);
 *   - a percentile-bootstrap confidence interval of that ratio;
 *   - a two-sided Mann-Whitney U test (candidate as the first sample);
 * then across the figures compared together (a "family"):
 *   - Holm's step-down correction of the U tests' p-values;
 *   - a verdict per figure (rule at ib_compare_timings());
 *   - the geometric mean of the ratios with its own bootstrap interval.
 * Counts are compared exactly (ib_compare_count()).
 *
 * Everything is deterministic: the bootstrap draws from a seeded PRNG, so
 * the same inputs and seed give the same interval on every machine.
 * Reference values: tests/data/stats/gen_reference.py (SciPy).
 */
#ifndef IB_COMPARE_H
#define IB_COMPARE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- deterministic PRNG (splitmix64) ---- */

struct ib_rng {
	uint64_t state;
};

void ib_rng_seed(struct ib_rng *r, uint64_t seed);
uint64_t ib_rng_next(struct ib_rng *r);
/* Uniform in [0, n), without modulo bias (Lemire's multiply-and-reject);
 * n must be > 0. */
uint64_t ib_rng_below(struct ib_rng *r, uint64_t n);
/* Uniform in [0, 1), 53 random bits. */
double ib_rng_unit(struct ib_rng *r);

/* ---- one-number summaries ---- */

/* Median (mean of the two middle values for even n, as numpy.median).
 * NaN for n == 0 or when memory for a sorted copy is lacking. */
double ib_median(const double *x, size_t n);

/* Quantile q in [0, 1] of sorted values, linear between closest ranks
 * (numpy.quantile's default, "type 7"). NaN for n == 0. */
double ib_quantile_sorted(const double *sorted, size_t n, double q);

/* ---- Mann-Whitney U test, two-sided ---- */

enum ib_mwu_method {
	IB_MWU_AUTO,		/* as SciPy's method="auto" (below) */
	IB_MWU_EXACT,		/* exact null distribution, not corrected for ties */
	IB_MWU_ASYMPTOTIC,	/* normal approximation, tie and continuity corrected */
};

struct ib_mwu {
	double u;		/* U of the first sample: R1 - n1 (n1 + 1) / 2 */
	double p;		/* two-sided p-value, in [0, 1] */
	enum ib_mwu_method method; /* IB_MWU_EXACT or IB_MWU_ASYMPTOTIC, as used */
	bool ties;		/* some value occurs more than once in x and y together */
};

/*
 * Same statistic and p-value as scipy.stats.mannwhitneyu(x, y,
 * use_continuity=True, alternative="two-sided", method=...):
 *   - ranks of x and y pooled, tied values get their average rank;
 *     u = U1 = sum of x's ranks - n1 (n1 + 1) / 2, so u / (n1 n2) is the
 *     probability that a value of x exceeds one of y (ties count half);
 *   - U = max(U1, n1 n2 - U1);
 *   - exact: p = 2 P(U' >= floor(U)) under the null, clipped to 1;
 *   - asymptotic: z = (U - n1 n2 / 2 - 0.5) / s with
 *     s^2 = n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))), t the sizes of
 *     the tie groups; p = 2 (1 - Phi(z)), clipped to 1; p = 1 when every
 *     value is the same (s = 0);
 *   - auto: exact when there are no ties and n1 <= 8 or n2 <= 8, else
 *     asymptotic (SciPy 1.10's rule).
 * Returns 0, -EINVAL for an empty sample or a NaN, -ENOMEM, or -E2BIG when
 * the exact distribution would take more than about 64 MiB
 * (min(n1, n2)^2 max(n1, n2) / 2 doubles; 250 x 250 still fits, in about
 * a second: the time grows as (n1 n2)^2).
 */
int ib_mwu_test(const double *x, size_t n1, const double *y, size_t n2,
		enum ib_mwu_method method, struct ib_mwu *out);

/* ---- Holm-Bonferroni ---- */

/*
 * Holm's step-down adjustment of m p-values: with p sorted ascending,
 * adjusted p_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)) (1-based), placed
 * back in the input order (same values as statsmodels' multipletests(...,
 * method="holm")). reject[i] = p_adj[i] <= alpha; that rejects a set whose
 * family-wise error rate is at most alpha. p_adj may be p itself; reject
 * may be NULL. Returns 0, -EINVAL for a NaN or a p outside [0, 1], -ENOMEM.
 */
int ib_holm(const double *p, size_t m, double alpha, double *p_adj, bool *reject);

/* ---- comparing timings ---- */

struct ib_compare_opts {
	double confidence;	/* of every interval; alpha = 1 - confidence */
	double threshold;	/* noise threshold, relative: 0.05 is 5 % */
	size_t resamples;	/* bootstrap resamples */
	uint64_t seed;		/* bootstrap PRNG seed */
	enum ib_mwu_method method;
};

#define IB_COMPARE_CONFIDENCE	0.95
#define IB_COMPARE_THRESHOLD	0.05
#define IB_COMPARE_RESAMPLES	10000
#define IB_COMPARE_SEED		0x696f6d6d75ull	/* "iommu" */

/* The defaults above, IB_MWU_AUTO. */
void ib_compare_opts_default(struct ib_compare_opts *o);

/* A point estimate with its confidence interval [lo, hi]. */
struct ib_ratio_ci {
	double ratio, lo, hi;
};

enum ib_verdict {
	IB_NO_CHANGE,
	IB_FASTER,
	IB_SLOWER,
};

/* Why a verdict came out as it did. */
enum ib_verdict_why {
	IB_WHY_NOT_SIGNIFICANT,	/* Holm-adjusted p > alpha */
	IB_WHY_WITHIN,		/* significant, interval inside [1 - t, 1 + t] */
	IB_WHY_STRADDLES,	/* significant, interval crosses 1 - t or 1 + t */
	IB_WHY_BEYOND,		/* significant, interval wholly beyond: faster/slower */
};

/* One figure of a family: per-repetition values, all > 0 (e.g. ns). */
struct ib_timing_in {
	const double *base;
	const double *cand;
};

struct ib_timing_cmp {
	double base_median, cand_median;
	struct ib_ratio_ci ratio;	/* cand_median / base_median */
	struct ib_mwu mwu;		/* ib_mwu_test(cand, base): u counts cand > base */
	double p_adj;			/* Holm across the family */
	bool significant;		/* p_adj <= alpha */
	enum ib_verdict verdict;
	enum ib_verdict_why why;
};

/*
 * Compare nfig figures as one family. Every figure has nbase baseline and
 * ncand candidate values, one per repetition, and value i of every figure
 * comes from repetition i of its run.
 *
 * Bootstrap: resample the repetitions, not the figures: replicate b draws
 * nbase baseline repetitions and then ncand candidate repetitions with
 * replacement (ib_rng_below(), seeded once with opts->seed), and every
 * figure takes its values of those repetitions, so figures measured in the
 * same repetitions keep their correlation. Per figure the replicate is
 * median(cand*) / median(base*); the interval is the percentile interval:
 * ib_quantile_sorted() of the replicates at alpha / 2 and 1 - alpha / 2.
 * A figure's interval does not depend on the other figures of the family.
 *
 * Verdict, with t = opts->threshold, alpha = 1 - opts->confidence and
 * [lo, hi] the figure's ratio interval:
 *   slower     p_adj <= alpha and lo > 1 + t
 *   faster     p_adj <= alpha and hi < 1 - t
 *   no change  otherwise (why says which condition failed)
 * A verdict other than "no change" needs the Holm-adjusted U test to
 * reject, so over figures with no real difference the chance of any
 * faster/slower verdict in the family is at most alpha (Holm controls the
 * family-wise error; the interval condition can only remove rejections).
 * The interval is per figure at the stated confidence, not simultaneous.
 *
 * geomean (may be NULL): exp(mean of log ratios) over the figures, and the
 * percentile interval of the same statistic over the same replicates.
 *
 * Returns 0; -EINVAL for nfig, nbase or ncand 0, a confidence outside
 * (0, 1), resamples 0, a value that is not finite and > 0; -ENOMEM; or
 * what ib_mwu_test() returned.
 */
int ib_compare_timings(const struct ib_timing_in *fig, size_t nfig,
		       size_t nbase, size_t ncand, const struct ib_compare_opts *opts,
		       struct ib_timing_cmp *out, struct ib_ratio_ci *geomean);

/* The ratio interval of one figure alone: the same numbers as
 * ib_compare_timings() gives for it with the same seed and resamples. */
int ib_ratio_ci(const double *base, size_t nbase, const double *cand, size_t ncand,
		size_t resamples, double confidence, uint64_t seed,
		struct ib_ratio_ci *out);

/* ---- comparing counts ---- */

/* Counts (or per-operation rates of counts) compared exactly. */
struct ib_count_cmp {
	double base, cand;
	double diff;		/* cand - base */
	double pct;		/* 100 diff / base; 0 when both are 0, +-INFINITY from 0 */
	bool changed;		/* cand != base: any difference is reported */
};

void ib_compare_count(double base, double cand, struct ib_count_cmp *out);

/*
 * Gate: true when cand is higher than base by more than pct percent,
 * i.e. cand - base > base * pct / 100. A difference within 1e-9 (relative)
 * of that bound counts as at the bound, not above it, so that 110 against
 * 100 is not "more than 10 %" through rounding. From a base of 0 any
 * cand > 0 is above.
 */
bool ib_count_above(double base, double cand, double pct);

const char *ib_verdict_str(enum ib_verdict v);	/* "faster", "slower", "no change" */
const char *ib_verdict_why_str(enum ib_verdict_why w);

#endif
