// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for userspace/stats.c: bucket bounds, percentiles, merging. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "stats.h"
#include "check.h"

#define NSAMPLES 100000

/* ---- bucket bounds ---- */

static void test_bucket_bounds(void)
{
	uint32_t i, bad_lower = UINT32_MAX, bad_upper = UINT32_MAX;
	uint32_t bad_contig = UINT32_MAX, bad_below = UINT32_MAX, bad_width = UINT32_MAX;

	for (i = 0; i < IB_HIST_BUCKETS; i++) {
		uint64_t lo = ib_bucket_lower(i), hi = ib_bucket_upper(i);

		if (ib_bucket(lo) != i && bad_lower == UINT32_MAX)
			bad_lower = i;
		if ((hi <= lo || ib_bucket(hi - 1) != i) && bad_upper == UINT32_MAX)
			bad_upper = i;
		/* nothing between buckets, nothing shared by two */
		if (i + 1 < IB_HIST_BUCKETS && hi != ib_bucket_lower(i + 1) &&
		    bad_contig == UINT32_MAX)
			bad_contig = i;
		if (i > 0 && ib_bucket(lo - 1) != i - 1 && bad_below == UINT32_MAX)
			bad_below = i;
		/* the header's promise: width at most 1/16 of the lower bound */
		if (i >= IB_SUB_COUNT && i + 1 < IB_HIST_BUCKETS &&
		    (hi - lo) * IB_SUB_COUNT > lo && bad_width == UINT32_MAX)
			bad_width = i;
	}
	CHECK(bad_lower == UINT32_MAX, "ib_bucket(lower(%u)) = %u", bad_lower,
	      ib_bucket(ib_bucket_lower(bad_lower)));
	CHECK(bad_upper == UINT32_MAX, "ib_bucket(upper(%u) - 1) wrong", bad_upper);
	CHECK(bad_contig == UINT32_MAX, "upper(%u) != lower(%u + 1)", bad_contig, bad_contig);
	CHECK(bad_below == UINT32_MAX, "ib_bucket(lower(%u) - 1) != %u - 1", bad_below, bad_below);
	CHECK(bad_width == UINT32_MAX, "bucket %u wider than lower/16", bad_width);

	/* exact buckets, then the first split ones, by hand */
	for (i = 0; i < 32; i++) {
		CHECK_EQ_U64(ib_bucket_lower(i), i);
		CHECK_EQ_U64(ib_bucket_upper(i), i + 1);
	}
	CHECK_EQ_U64(ib_bucket_lower(32), 32);
	CHECK_EQ_U64(ib_bucket_upper(32), 34);
	CHECK_EQ_U64(ib_bucket(1000), 111);
	CHECK_EQ_U64(ib_bucket_lower(111), 992);
	CHECK_EQ_U64(ib_bucket_upper(111), 1024);
	/* the last bucket: octave 2^39, and everything beyond 2^40 */
	CHECK_EQ_U64(ib_bucket_lower(IB_HIST_BUCKETS - 1), 31ull << 35);
	CHECK_EQ_U64(ib_bucket_upper(IB_HIST_BUCKETS - 2), 31ull << 35);
	CHECK_EQ_U64(ib_bucket_upper(IB_HIST_BUCKETS - 1), UINT64_MAX);
	CHECK_EQ_U64(ib_bucket(1ull << 40), IB_HIST_BUCKETS - 1);
	CHECK_EQ_U64(ib_bucket(UINT64_MAX), IB_HIST_BUCKETS - 1);
	CHECK_EQ_U64(ib_bucket_lower(IB_HIST_BUCKETS), UINT64_MAX);
}

static void test_bucket_monotonic(void)
{
	uint64_t v, prev_b = 0, bad = 0;
	uint32_t e, b;
	int ok = 1;

	/* every value up to 2^20 */
	for (v = 0; v < (1u << 20); v++) {
		b = ib_bucket(v);
		if (b < prev_b || b > prev_b + 1) {
			ok = 0;
			bad = v;
			break;
		}
		prev_b = b;
	}
	CHECK(ok, "ib_bucket not monotonic (or skips a bucket) at %llu",
	      (unsigned long long)bad);

	/* around every power of two up to 2^63 */
	ok = 1;
	for (e = 1; e < 64 && ok; e++) {
		uint64_t p = 1ull << e;
		uint64_t pts[5] = { p - 2, p - 1, p, p + 1, p + (p >> 1) };
		int k;

		for (k = 0; k < 4; k++)
			if (ib_bucket(pts[k]) > ib_bucket(pts[k + 1])) {
				ok = 0;
				bad = pts[k];
			}
	}
	CHECK(ok, "ib_bucket not monotonic near %llu", (unsigned long long)bad);
}

/* ---- small known histograms and sample sets ---- */

static void test_hist_percentile_small(void)
{
	__u64 h[IB_HIST_BUCKETS] = { 0 };

	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.5, 0, UINT64_MAX), 0);

	/* values 3, 5, 5, 7: exact buckets give the values themselves */
	h[3] = 1;
	h[5] = 2;
	h[7] = 1;
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.0, 0, UINT64_MAX), 3);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.25, 0, UINT64_MAX), 3);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.26, 0, UINT64_MAX), 5);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.5, 0, UINT64_MAX), 5);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.75, 0, UINT64_MAX), 5);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.76, 0, UINT64_MAX), 7);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 1.0, 0, UINT64_MAX), 7);
	/* q outside [0, 1] is clamped */
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, -1.0, 0, UINT64_MAX), 3);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 2.0, 0, UINT64_MAX), 7);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, NAN, 0, UINT64_MAX), 3);

	/* one value of 1000 ns: bucket [992, 1024), midpoint 1008 unless clamped */
	memset(h, 0, sizeof(h));
	h[ib_bucket(1000)] = 1;
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.5, 0, UINT64_MAX), 1008);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.5, 1000, 1000), 1000);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.5, 1010, 1020), 1010);

	/* 100 values 1..100 (rank k holds value k) */
	memset(h, 0, sizeof(h));
	for (uint64_t v = 1; v <= 100; v++)
		h[ib_bucket(v)]++;
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.07, 1, 100), 7); /* 0.07*100 rounds up in binary */
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.31, 1, 100), 31);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.5, 1, 100), 51);  /* [50, 52) */
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.9, 1, 100), 90);  /* [88, 92) */
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.99, 1, 100), 98); /* [96, 100) */
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 1.0, 1, 100), 100); /* [100, 104) clamped */

	/* a value past 2^40 lands in the last bucket; max keeps it honest */
	memset(h, 0, sizeof(h));
	h[ib_bucket(5ull << 40)] = 1;
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.5, 5ull << 40, 5ull << 40),
		     5ull << 40);
}

static void test_sample_percentile_small(void)
{
	uint64_t s[5] = { 5, 1, 4, 2, 3 };
	uint64_t orig[5];

	memcpy(orig, s, sizeof(s));
	CHECK_EQ_U64(ib_sample_percentile(s, 0, 0.5), 0);
	CHECK_EQ_U64(ib_sample_percentile(s, 5, 0.0), 1);
	CHECK_EQ_U64(ib_sample_percentile(s, 5, 0.2), 1);
	CHECK_EQ_U64(ib_sample_percentile(s, 5, 0.21), 2);
	CHECK_EQ_U64(ib_sample_percentile(s, 5, 0.5), 3);
	CHECK_EQ_U64(ib_sample_percentile(s, 5, 0.8), 4);
	CHECK_EQ_U64(ib_sample_percentile(s, 5, 0.81), 5);
	CHECK_EQ_U64(ib_sample_percentile(s, 5, 1.0), 5);
	CHECK(memcmp(s, orig, sizeof(s)) == 0, "input was reordered");
}

static void test_summaries(void)
{
	uint64_t s[100];
	__u64 h[IB_HIST_BUCKETS] = { 0 };
	struct ib_summary sum;
	int i;

	/* 100..1 descending, so an unsorted input is exercised */
	for (i = 0; i < 100; i++) {
		s[i] = 100 - i;
		h[ib_bucket(s[i])]++;
	}
	ib_summarize_samples(s, 100, &sum);
	CHECK_EQ_U64(sum.count, 100);
	CHECK_EQ_U64(sum.sum, 5050);
	CHECK_EQ_U64(sum.min, 1);
	CHECK_EQ_U64(sum.p50, 50);
	CHECK_EQ_U64(sum.p90, 90);
	CHECK_EQ_U64(sum.p99, 99);
	CHECK_EQ_U64(sum.max, 100);
	CHECK_EQ_U64(s[0], 100);

	ib_summarize_hist(h, IB_HIST_BUCKETS, 100, 5050, 1, 100, &sum);
	CHECK_EQ_U64(sum.count, 100);
	CHECK_EQ_U64(sum.sum, 5050);
	CHECK_EQ_U64(sum.min, 1);
	CHECK_EQ_U64(sum.p50, 51);
	CHECK_EQ_U64(sum.p90, 90);
	CHECK_EQ_U64(sum.p99, 98);
	CHECK_EQ_U64(sum.max, 100);

	memset(&sum, 0xff, sizeof(sum));
	ib_summarize_samples(s, 0, &sum);
	CHECK(sum.count == 0 && sum.sum == 0 && sum.min == 0 && sum.p50 == 0 &&
	      sum.p90 == 0 && sum.p99 == 0 && sum.max == 0, "empty sample summary not all zero");

	memset(&sum, 0xff, sizeof(sum));
	memset(h, 0, sizeof(h));
	ib_summarize_hist(h, IB_HIST_BUCKETS, 0, 0, 0, 0, &sum);
	CHECK(sum.count == 0 && sum.sum == 0 && sum.min == 0 && sum.p50 == 0 &&
	      sum.p90 == 0 && sum.p99 == 0 && sum.max == 0, "empty hist summary not all zero");
}

/* ---- merging per-CPU slots ---- */

static void test_stats_add(void)
{
	static struct ib_stats dst, a, empty, b;

	a.count = 3;
	a.sum_ns = 600;
	a.min_ns = 100;
	a.max_ns = 300;
	a.bytes = 3 * 4096;
	a.entries = 4;
	a.hist[ib_bucket(100)] = 1;
	a.hist[ib_bucket(200)] = 1;
	a.hist[ib_bucket(300)] = 1;

	b.count = 2;
	b.sum_ns = 550;
	b.min_ns = 50;
	b.max_ns = 500;
	b.bytes = 8192;
	b.entries = 2;
	b.hist[ib_bucket(50)] = 1;
	b.hist[ib_bucket(500)] = 1;

	/* a zeroed destination must not keep its min of 0 */
	ib_stats_add(&dst, &a);
	CHECK_EQ_U64(dst.count, 3);
	CHECK_EQ_U64(dst.min_ns, 100);
	CHECK_EQ_U64(dst.max_ns, 300);

	/* an idle CPU (count 0, min 0) must not drag min to 0 */
	empty.entries = 1; /* an entry whose exit was lost */
	ib_stats_add(&dst, &empty);
	CHECK_EQ_U64(dst.count, 3);
	CHECK_EQ_U64(dst.min_ns, 100);
	CHECK_EQ_U64(dst.max_ns, 300);
	CHECK_EQ_U64(dst.entries, 5);

	ib_stats_add(&dst, &b);
	CHECK_EQ_U64(dst.count, 5);
	CHECK_EQ_U64(dst.sum_ns, 1150);
	CHECK_EQ_U64(dst.min_ns, 50);
	CHECK_EQ_U64(dst.max_ns, 500);
	CHECK_EQ_U64(dst.bytes, 5 * 4096);
	CHECK_EQ_U64(dst.entries, 7);
	CHECK_EQ_U64(dst.hist[ib_bucket(50)], 1);
	CHECK_EQ_U64(dst.hist[ib_bucket(500)], 1);
	CHECK_EQ_U64(dst.hist[ib_bucket(300)], 1);
	const __u64 *h = dst.hist;

	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 1.0, dst.min_ns, dst.max_ns), 500);
	CHECK_EQ_U64(ib_hist_percentile(h, IB_HIST_BUCKETS, 0.0, dst.min_ns, dst.max_ns), 51); /* [50, 52) */
}

/* ---- synthetic latency distributions ---- */

/* splitmix64: a fixed seed makes every run see the same samples */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in (0, 1] (never 0, so log() below is safe) */
static double rng_unit(void)
{
	return (double)((rng_next() >> 11) + 1) * 0x1p-53;
}

/* standard normal, Box-Muller */
static double rng_normal(void)
{
	return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * M_PI * rng_unit());
}

static uint64_t clamp_ns(double v)
{
	return v < 1.0 ? 1 : (uint64_t)v;
}

enum dist { DIST_UNIFORM, DIST_LOGNORMAL, DIST_BIMODAL, NR_DISTS };
static const char *const dist_name[NR_DISTS] = { "uniform", "lognormal", "bimodal" };

static void generate(enum dist d, uint64_t *s, size_t n)
{
	size_t i;

	rng_state = 0x1234abcd5678ef01ull + d;
	for (i = 0; i < n; i++) {
		switch (d) {
		case DIST_UNIFORM: /* 100 ns .. 10 ms */
			s[i] = 100 + (uint64_t)(rng_unit() * (10000000.0 - 100.0));
			break;
		case DIST_LOGNORMAL: /* median 5 us, long tail: p99 ~ 80 us */
			s[i] = clamp_ns(exp(log(5000.0) + 1.2 * rng_normal()));
			break;
		case DIST_BIMODAL: /* fast path 800 ns, 20 % slow path 40 us */
			if (rng_unit() <= 0.8)
				s[i] = clamp_ns(800.0 + 60.0 * rng_normal());
			else
				s[i] = clamp_ns(40000.0 + 4000.0 * rng_normal());
			break;
		default:
			s[i] = 0;
		}
	}
}

/* Plain log2 buckets [2^k, 2^(k+1)), as a one-bucket-per-octave design
 * would have them; same nearest-rank-midpoint-clamp method. */
static uint64_t log2_percentile(const uint64_t *hist, double q, uint64_t min, uint64_t max)
{
	uint64_t total = 0, seen = 0, rank, mid;
	int k;

	for (k = 0; k < 65; k++)
		total += hist[k];
	rank = (uint64_t)ceil(q * (double)total * (1 - 1e-12));
	if (rank < 1)
		rank = 1;
	for (k = 0; k < 65; k++) {
		seen += hist[k];
		if (seen >= rank)
			break;
	}
	/* slot 0 holds v == 0, slot k holds [2^(k-1), 2^k) */
	mid = k == 0 ? 0 : (1ull << (k - 1)) + ((1ull << (k - 1)) >> 1);
	return mid < min ? min : mid > max ? max : mid;
}

static double rel_err(uint64_t got, uint64_t want)
{
	return fabs((double)got - (double)want) / (double)want;
}

static void test_distributions(void)
{
	static const double qs[3] = { 0.50, 0.90, 0.99 };
	static __u64 hist[IB_HIST_BUCKETS];
	static uint64_t hist2[65];
	uint64_t *s = malloc(NSAMPLES * sizeof(*s));
	double worst_log2 = 0;
	const char *worst_where = "";
	int d, k;

	CHECK(s != NULL, "out of memory");
	if (!s)
		return;
	for (d = 0; d < NR_DISTS; d++) {
		uint64_t min = UINT64_MAX, max = 0;
		struct ib_summary hs, ss;
		size_t i;

		generate(d, s, NSAMPLES);
		memset(hist, 0, sizeof(hist));
		memset(hist2, 0, sizeof(hist2));
		for (i = 0; i < NSAMPLES; i++) {
			hist[ib_bucket(s[i])]++;
			hist2[ib_fls64(s[i])]++;
			min = s[i] < min ? s[i] : min;
			max = s[i] > max ? s[i] : max;
		}
		for (k = 0; k < 3; k++) {
			uint64_t exact = ib_sample_percentile(s, NSAMPLES, qs[k]);
			uint64_t ll = ib_hist_percentile(hist, IB_HIST_BUCKETS, qs[k], min, max);
			uint64_t l2 = log2_percentile(hist2, qs[k], min, max);

			CHECK(rel_err(ll, exact) <= 0.05,
			      "%s p%g: log-linear %llu vs exact %llu (%.2f %%)", dist_name[d],
			      qs[k] * 100, (unsigned long long)ll, (unsigned long long)exact,
			      100 * rel_err(ll, exact));
			if (rel_err(l2, exact) > worst_log2) {
				worst_log2 = rel_err(l2, exact);
				worst_where = dist_name[d];
			}
		}
		/* the summary path gives the same figures */
		ib_summarize_samples(s, NSAMPLES, &ss);
		ib_summarize_hist(hist, IB_HIST_BUCKETS, ss.count, ss.sum, ss.min, ss.max, &hs);
		CHECK(ss.min == min && ss.max == max && hs.count == NSAMPLES,
		      "%s: summary min/max/count", dist_name[d]);
		CHECK(rel_err(hs.p50, ss.p50) <= 0.05 && rel_err(hs.p90, ss.p90) <= 0.05 &&
		      rel_err(hs.p99, ss.p99) <= 0.05,
		      "%s: summaries p50 %llu/%llu p90 %llu/%llu p99 %llu/%llu", dist_name[d],
		      (unsigned long long)hs.p50, (unsigned long long)ss.p50,
		      (unsigned long long)hs.p90, (unsigned long long)ss.p90,
		      (unsigned long long)hs.p99, (unsigned long long)ss.p99);
	}
	/* why log-linear: one bucket per octave cannot meet 5 % */
	CHECK(worst_log2 > 0.05, "log2 buckets stayed within 5 %% (worst %.2f %% on %s); "
	      "this test no longer shows why log-linear buckets are needed",
	      100 * worst_log2, worst_where);
	free(s);
}

/*
 * Without memory for a sorted copy, ib_sample_percentile() must still be
 * exact. Cap the address space just above what is mapped now so its
 * malloc() fails. Not under AddressSanitizer, whose allocator aborts instead.
 */
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

static void test_percentile_without_memory(void)
{
#ifndef HAVE_ASAN
	static const double qs[4] = { 0.0, 0.5, 0.99, 1.0 };
	size_t n = 1u << 20, i; /* 8 MiB: the copy is an mmap() malloc */
	uint64_t *s = malloc(n * sizeof(*s)), want[4], got[4];
	unsigned long long vm_kb = 0;
	uint64_t hash_before = 0, hash_after = 0;
	struct rlimit old, cap;
	void *probe;
	char line[128];
	FILE *f;
	int k;

	CHECK(s != NULL, "out of memory");
	if (!s)
		return;
	generate(DIST_LOGNORMAL, s, n);
	for (i = 0; i < n; i++)
		hash_before = (hash_before ^ s[i]) * 0x100000001b3ull;

	/* nothing this size freed yet, so no free heap space can take it */
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %llu kB", &vm_kb) == 1)
			break;
	if (f)
		fclose(f);
	CHECK(vm_kb > 0, "no VmSize in /proc/self/status");
	CHECK(getrlimit(RLIMIT_AS, &old) == 0, "getrlimit: %s", strerror(errno));
	cap = old;
	cap.rlim_cur = (vm_kb + 2048) * 1024;
	if (!vm_kb || cap.rlim_cur > old.rlim_max) {
		free(s);
		return;
	}
	CHECK(setrlimit(RLIMIT_AS, &cap) == 0, "setrlimit: %s", strerror(errno));
	probe = malloc(n * sizeof(*s));
	if (probe) {
		/* valgrind's allocator, for one, ignores the cap */
		free(probe);
		setrlimit(RLIMIT_AS, &old);
		fprintf(stderr, "%s: skipped: malloc() still works under RLIMIT_AS\n", __func__);
		free(s);
		return;
	}
	for (k = 0; k < 4; k++)
		got[k] = ib_sample_percentile(s, n, qs[k]);
	setrlimit(RLIMIT_AS, &old);
	for (k = 0; k < 4; k++)
		want[k] = ib_sample_percentile(s, n, qs[k]);
	for (k = 0; k < 4; k++)
		CHECK(got[k] == want[k], "p%g without memory: %llu, sorted copy: %llu",
		      qs[k] * 100, (unsigned long long)got[k], (unsigned long long)want[k]);
	for (i = 0; i < n; i++)
		hash_after = (hash_after ^ s[i]) * 0x100000001b3ull;
	CHECK(hash_after == hash_before, "the samples were modified");
	free(s);
#endif
}

int main(void)
{
	test_bucket_bounds();
	test_bucket_monotonic();
	test_hist_percentile_small();
	test_sample_percentile_small();
	test_summaries();
	test_stats_add();
	test_distributions();
	test_percentile_without_memory();
	return CHECK_DONE();
}
