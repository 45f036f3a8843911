/* Statistics over latency histograms and raw samples. */
#ifndef IB_STATS_H
#define IB_STATS_H
#include <stddef.h>
#include <stdint.h>
#include "../bpf/iommubench.h"

/* Bounds of histogram bucket idx: [lower, upper) in ns. */
uint64_t ib_bucket_lower(uint32_t idx);
uint64_t ib_bucket_upper(uint32_t idx);

/* Percentile q in [0,1] of a histogram: the midpoint of the bucket holding
 * the ceil(q * total)-th value, clamped to [min, max] when those are known
 * (pass 0, UINT64_MAX if not). Returns 0 for an empty histogram. */
uint64_t ib_hist_percentile(const __u64 *hist, size_t nbuckets, double q,
			    uint64_t min, uint64_t max);

/* Exact percentile of raw samples (sorted copy, nearest rank). */
uint64_t ib_sample_percentile(const uint64_t *samples, size_t n, double q);

/* Summary of raw samples. */
struct ib_summary {
	uint64_t count, sum, min, p50, p90, p99, max;
};
void ib_summarize_samples(const uint64_t *samples, size_t n, struct ib_summary *out);
void ib_summarize_hist(const __u64 *hist, size_t nbuckets, uint64_t count,
		       uint64_t sum, uint64_t min, uint64_t max, struct ib_summary *out);

/* Add src into dst (per-CPU merge). */
void ib_stats_add(struct ib_stats *dst, const struct ib_stats *src);

#endif
