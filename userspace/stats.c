// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Statistics over latency histograms and raw samples. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/*
 * Bucket idx >= IB_SUB_COUNT belongs to octave g = idx / 16 and sub-bucket
 * s = idx % 16; ib_bucket() put values [2^e, 2^(e+1)) with e = g + 3 there,
 * split into 16 slices of width 2^(e-4) = 2^(g-1). So the bucket starts at
 * (16 + s) << (g - 1).
 */
uint64_t ib_bucket_lower(uint32_t idx)
{
	uint32_t g = idx / IB_SUB_COUNT, s = idx % IB_SUB_COUNT;

	if (idx >= IB_HIST_BUCKETS)
		return UINT64_MAX; /* no such bucket: an empty range at the top */
	if (idx < IB_SUB_COUNT)
		return idx;
	return (uint64_t)(IB_SUB_COUNT + s) << (g - 1);
}

uint64_t ib_bucket_upper(uint32_t idx)
{
	if (idx >= IB_HIST_BUCKETS - 1)
		return UINT64_MAX; /* the last bucket also takes everything longer */
	return ib_bucket_lower(idx + 1);
}

/* Nearest rank: the ceil(q * n)-th smallest value, 1-based, in [1, n]. */
static uint64_t nearest_rank(double q, uint64_t n)
{
	double r;

	if (!(q > 0)) /* also catches NaN */
		return 1;
	if (q >= 1)
		return n;
	/* q is a binary fraction: 0.07 * 100 comes out as 7.000000000000001,
	 * which must still be rank 7, so shave a relative hair off first */
	r = ceil(q * (double)n * (1 - 1e-12));
	if (r < 1)
		return 1;
	if (r >= (double)n)
		return n;
	return (uint64_t)r;
}

uint64_t ib_hist_percentile(const __u64 *hist, size_t nbuckets, double q,
			    uint64_t min, uint64_t max)
{
	uint64_t total = 0, seen = 0, rank, lo, hi, mid;
	size_t i;

	for (i = 0; i < nbuckets; i++)
		total += hist[i];
	if (!total)
		return 0;
	rank = nearest_rank(q, total);
	for (i = 0; i < nbuckets; i++) {
		seen += hist[i];
		if (seen >= rank)
			break;
	}
	lo = ib_bucket_lower((uint32_t)i);
	hi = ib_bucket_upper((uint32_t)i);
	mid = lo + (hi - lo) / 2; /* width-1 buckets give the value itself */
	if (mid < min)
		mid = min;
	if (mid > max)
		mid = max;
	return mid;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Without memory for a sorted copy, find the rank-th smallest value by
 * bisecting the value range: the smallest v with #{x <= v} >= rank.
 * 64 passes over the samples; exact, and the input stays untouched.
 */
static uint64_t select_by_bisection(const uint64_t *samples, size_t n, uint64_t rank)
{
	uint64_t lo = 0, hi = UINT64_MAX;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2, le = 0;
		size_t i;

		for (i = 0; i < n; i++)
			le += samples[i] <= mid;
		if (le >= rank)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Percentiles qs[0..nq) of samples into out[]; one sort for all of them. */
static void sample_percentiles(const uint64_t *samples, size_t n, const double *qs,
			       uint64_t *out, size_t nq)
{
	uint64_t *sorted;
	size_t i;

	if (!n) {
		for (i = 0; i < nq; i++)
			out[i] = 0;
		return;
	}
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		for (i = 0; i < nq; i++)
			out[i] = select_by_bisection(samples, n, nearest_rank(qs[i], n));
		return;
	}
	memcpy(sorted, samples, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	for (i = 0; i < nq; i++)
		out[i] = sorted[nearest_rank(qs[i], n) - 1];
	free(sorted);
}

uint64_t ib_sample_percentile(const uint64_t *samples, size_t n, double q)
{
	uint64_t v;

	sample_percentiles(samples, n, &q, &v, 1);
	return v;
}

void ib_summarize_samples(const uint64_t *samples, size_t n, struct ib_summary *out)
{
	static const double qs[3] = { 0.50, 0.90, 0.99 };
	uint64_t p[3];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	out->count = n;
	out->min = UINT64_MAX;
	for (i = 0; i < n; i++) {
		out->sum += samples[i];
		if (samples[i] < out->min)
			out->min = samples[i];
		if (samples[i] > out->max)
			out->max = samples[i];
	}
	sample_percentiles(samples, n, qs, p, 3);
	out->p50 = p[0];
	out->p90 = p[1];
	out->p99 = p[2];
}

void ib_summarize_hist(const __u64 *hist, size_t nbuckets, uint64_t count,
		       uint64_t sum, uint64_t min, uint64_t max, struct ib_summary *out)
{
	memset(out, 0, sizeof(*out));
	if (!count)
		return;
	out->count = count;
	out->sum = sum;
	out->min = min;
	out->max = max;
	out->p50 = ib_hist_percentile(hist, nbuckets, 0.50, min, max);
	out->p90 = ib_hist_percentile(hist, nbuckets, 0.90, min, max);
	out->p99 = ib_hist_percentile(hist, nbuckets, 0.99, min, max);
}

void ib_stats_add(struct ib_stats *dst, const struct ib_stats *src)
{
	size_t i;

	/* min_ns means nothing while count is 0 (a zeroed per-CPU slot) */
	if (src->count) {
		if (!dst->count || src->min_ns < dst->min_ns)
			dst->min_ns = src->min_ns;
		if (!dst->count || src->max_ns > dst->max_ns)
			dst->max_ns = src->max_ns;
	}
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	dst->bytes += src->bytes;
	dst->entries += src->entries;
	for (i = 0; i < IB_HIST_BUCKETS; i++)
		dst->hist[i] += src->hist[i];
}
