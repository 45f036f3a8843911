// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* backend=dma: drive dma_map_benchmark and put its figures beside ours. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run_dma.h"
#include "stats.h"
#include "workload.h"

/* the kernel averages whole 100 ns units, each op's time cut down to one */
#define RESOLUTION_NS 100

static int one_run(struct ib_dma *d, const struct ib_scenario *sc, struct ib_probes *probes,
		   struct ib_dma_runs *out, bool reference, bool warmup, bool verbose,
		   char *err, size_t errlen)
{
	struct ib_readout *before = NULL, *after = NULL;
	struct ib_dma_run *r;
	uint64_t t0;
	int e;

	if (out->n >= IB_DMA_MAX_RUNS) {
		snprintf(err, errlen, "more than %d dma_map_benchmark runs", IB_DMA_MAX_RUNS);
		return -E2BIG;
	}
	r = &out->r[out->n];
	memset(r, 0, sizeof(*r));
	r->probes = probes != NULL;
	r->reference = reference;
	r->warmup = warmup;
	if (probes) {
		before = calloc(1, sizeof(*before));
		after = calloc(1, sizeof(*after));
		if (!before || !after) {
			e = -ENOMEM;
			snprintf(err, errlen, "out of memory for the probe readouts");
			goto out;
		}
		if (ib_probes_read(probes, before)) {
			e = -errno;
			snprintf(err, errlen, "reading the probe maps: %s", strerror(-e));
			goto out;
		}
	}
	if (verbose)
		fprintf(stderr, "iommubench: dma_map_benchmark run %zu (%s%s): %u s, %u thread(s)\n",
			out->n + 1, warmup ? "warm-up, " : "", probes ? "probes on" : "no probes",
			sc->dma.seconds, sc->dma.threads);
	t0 = ib_now_ns();
	e = ib_dma_bench(d, &sc->dma, &r->k, err, errlen);
	r->ns = ib_now_ns() - t0;
	if (e)
		goto out;
	if (probes) {
		if (ib_probes_read(probes, after)) {
			e = -errno;
			snprintf(err, errlen, "reading the probe maps: %s", strerror(-e));
			goto out;
		}
		r->map_n = after->role[IB_ROLE_MAP].count - before->role[IB_ROLE_MAP].count;
		r->map_sum_ns = after->role[IB_ROLE_MAP].sum_ns - before->role[IB_ROLE_MAP].sum_ns;
		r->unmap_n = after->role[IB_ROLE_UNMAP].count - before->role[IB_ROLE_UNMAP].count;
		r->unmap_sum_ns = after->role[IB_ROLE_UNMAP].sum_ns - before->role[IB_ROLE_UNMAP].sum_ns;
	}
	out->n++;
out:
	free(before);
	free(after);
	return e;
}

int ib_dma_reference(struct ib_dma *d, const struct ib_scenario *sc, bool with_warmup,
		     struct ib_dma_runs *out, volatile sig_atomic_t *stop, bool verbose,
		     char *err, size_t errlen)
{
	int e = 0;

	for (uint64_t i = 0; with_warmup && i < sc->warmup && !e && !*stop; i++)
		e = one_run(d, sc, NULL, out, false, true, verbose, err, errlen);
	if (!e && !*stop)
		e = one_run(d, sc, NULL, out, true, false, verbose, err, errlen);
	return e;
}

int ib_dma_measure(struct ib_dma *d, const struct ib_scenario *sc, struct ib_probes *probes,
		   struct ib_dma_runs *out, volatile sig_atomic_t *stop, bool verbose,
		   char *err, size_t errlen)
{
	int e = 0;

	for (uint64_t i = 0; i < sc->loops && !e && !*stop; i++) {
		e = one_run(d, sc, probes, out, false, false, verbose, err, errlen);
		if (!e && !verbose)
			fprintf(stderr, "iommubench: dma_map_benchmark run %llu/%llu done\n",
				(unsigned long long)i + 1, (unsigned long long)sc->loops);
	}
	return e;
}

static json_t *run_json(const struct ib_dma_run *r, size_t i)
{
	json_t *o = json_object(), *k = json_object();

	json_object_set_new(o, "run", json_integer((json_int_t)i));
	json_object_set_new(o, "role", json_string(r->warmup ? "warmup" : r->reference ? "reference" :
						      "measured"));
	json_object_set_new(o, "probes", json_boolean(r->probes));
	json_object_set_new(o, "wall_ns", json_integer((json_int_t)r->ns));
	json_object_set_new(k, "map_avg_ns", json_integer((json_int_t)(r->k.avg_map_100ns * RESOLUTION_NS)));
	json_object_set_new(k, "map_stddev_ns", json_integer((json_int_t)(r->k.map_stddev * RESOLUTION_NS)));
	json_object_set_new(k, "unmap_avg_ns", json_integer((json_int_t)(r->k.avg_unmap_100ns * RESOLUTION_NS)));
	json_object_set_new(k, "unmap_stddev_ns",
			    json_integer((json_int_t)(r->k.unmap_stddev * RESOLUTION_NS)));
	json_object_set_new(o, "kernel", k);
	if (r->probes) {
		json_t *p = json_object();

		json_object_set_new(p, "map_calls", json_integer((json_int_t)r->map_n));
		json_object_set_new(p, "map_mean_ns", r->map_n ?
				    json_integer((json_int_t)(r->map_sum_ns / r->map_n)) : json_null());
		json_object_set_new(p, "unmap_calls", json_integer((json_int_t)r->unmap_n));
		json_object_set_new(p, "unmap_mean_ns", r->unmap_n ?
				    json_integer((json_int_t)(r->unmap_sum_ns / r->unmap_n)) : json_null());
		json_object_set_new(o, "probes_figures", p);
	} else {
		json_object_set_new(o, "probes_figures", json_null());
	}
	return o;
}

/* median over the runs that match, of the kernel's average (unmap: 1) or
 * of the probes' mean (probe: 1); 0 runs give -1 */
static int64_t median_of(const struct ib_dma_runs *runs, bool probes_on, bool unmap, bool probe)
{
	uint64_t v[IB_DMA_MAX_RUNS];
	size_t n = 0;

	for (size_t i = 0; i < runs->n; i++) {
		const struct ib_dma_run *r = &runs->r[i];

		if (r->warmup || r->probes != probes_on)
			continue;
		if (probe) {
			uint64_t cnt = unmap ? r->unmap_n : r->map_n, sum = unmap ? r->unmap_sum_ns : r->map_sum_ns;

			if (!cnt)
				continue;
			v[n++] = sum / cnt;
		} else {
			v[n++] = (unmap ? r->k.avg_unmap_100ns : r->k.avg_map_100ns) * RESOLUTION_NS;
		}
	}
	return n ? (int64_t)ib_sample_percentile(v, n, 0.5) : -1;
}

static json_t *compare_json(const struct ib_dma_runs *runs, bool unmap)
{
	int64_t k_on = median_of(runs, true, unmap, false), k_off = median_of(runs, false, unmap, false);
	int64_t p = median_of(runs, true, unmap, true);
	json_t *o = json_object();
	char why[512];

	json_object_set_new(o, "kernel_avg_ns", k_on >= 0 ? json_integer(k_on) : json_null());
	json_object_set_new(o, "probe_mean_ns", p >= 0 ? json_integer(p) : json_null());
	json_object_set_new(o, "kernel_avg_without_probes_ns", k_off >= 0 ? json_integer(k_off) : json_null());
	if (k_on < 0 || p < 0) {
		json_object_set_new(o, "agree", json_null());
		json_object_set_new(o, "why", json_string("no measured run with probes"));
		return o;
	}
	json_object_set_new(o, "difference_ns", json_integer(k_on - p));
	json_object_set_new(o, "probe_overhead_ns", k_off >= 0 ? json_integer(k_on - k_off) : json_null());
	/* the kernel floors each op to 100 ns, so its average sits up to 100 ns
	 * below the true mean of its own window */
	if (llabs(k_on - p) <= RESOLUTION_NS) {
		json_object_set_new(o, "agree", json_true());
		snprintf(why, sizeof(why), "within the benchmark's resolution (%d ns)", RESOLUTION_NS);
	} else {
		char extra[96] = "";

		if (k_off >= 0)
			snprintf(extra, sizeof(extra), "; the kernel's average with probes minus without is %lld ns",
				 (long long)(k_on - k_off));
		json_object_set_new(o, "agree", json_false());
		snprintf(why, sizeof(why),
			 "%s by %lld ns, more than the %d ns resolution: the kernel's window (two ktime_get "
			 "calls around dma_%s_single) also holds the DMA API's entry and the probes' own "
			 "entry/exit trampolines%s", k_on > p ? "the kernel's average is above the probes' mean" :
			 "the probes' mean is above the kernel's average", (long long)llabs(k_on - p),
			 RESOLUTION_NS, unmap ? "unmap" : "map", extra);
	}
	json_object_set_new(o, "why", json_string(why));
	return o;
}

json_t *ib_dma_json(const struct ib_dma *d, const struct ib_scenario *sc, const struct ib_dma_runs *runs)
{
	json_t *o = json_object(), *p = json_object(), *arr = json_array(), *cmp = json_object();
	uint64_t map_n = 0, unmap_n = 0;

	json_object_set_new(o, "driver", json_string(IB_DMA_DRIVER));
	json_object_set_new(o, "device", json_string(d->pci.bdf));
	json_object_set_new(o, "domain_type", json_string(d->domain_type));
	json_object_set_new(p, "threads", json_integer(sc->dma.threads));
	json_object_set_new(p, "seconds", json_integer(sc->dma.seconds));
	json_object_set_new(p, "granule", json_integer(sc->dma.granule));
	json_object_set_new(p, "dir", json_string(ib_dma_dir_name(sc->dma.dir)));
	json_object_set_new(p, "map", json_string(ib_dma_map_name(sc->dma.map)));
	json_object_set_new(p, "domain", json_string(ib_dma_domain_name(sc->dma.domain)));
	json_object_set_new(p, "dma_bits", json_integer(sc->dma.dma_bits));
	json_object_set_new(o, "params", p);
	json_object_set_new(o, "resolution_ns", json_integer(RESOLUTION_NS));
	for (size_t i = 0; i < runs->n; i++) {
		json_array_append_new(arr, run_json(&runs->r[i], i));
		if (runs->r[i].probes) {
			map_n += runs->r[i].map_n;
			unmap_n += runs->r[i].unmap_n;
		}
	}
	json_object_set_new(o, "runs", arr);
	json_object_set_new(o, "probe_map_calls", json_integer((json_int_t)map_n));
	json_object_set_new(o, "probe_unmap_calls", json_integer((json_int_t)unmap_n));
	json_object_set_new(cmp, "map", compare_json(runs, false));
	json_object_set_new(cmp, "unmap", compare_json(runs, true));
	json_object_set_new(cmp, "note", json_string(
		"medians over the measured runs of the kernel's per-run averages (whole 100 ns units per op) "
		"and of the probes' per-run means of the outermost map/unmap hook in the benchmark's threads; "
		"without_probes: the reference runs before and after"));
	json_object_set_new(o, "comparison", cmp);
	return o;
}

json_t *ib_dma_repetitions_json(const struct ib_dma_runs *runs)
{
	json_t *o = json_object(), *f = json_object();
	uint64_t reps = 0;

	for (int u = 0; u < 2; u++) {
		json_t *e = json_object(), *c = json_array(), *k = json_array(), *p = json_array();

		reps = 0;
		for (size_t i = 0; i < runs->n; i++) {
			const struct ib_dma_run *r = &runs->r[i];
			uint64_t n = u ? r->unmap_n : r->map_n, sum = u ? r->unmap_sum_ns : r->map_sum_ns;

			if (r->warmup || r->reference)
				continue;
			reps++;
			json_array_append_new(c, json_integer((json_int_t)n));
			json_array_append_new(k, json_integer((json_int_t)((u ? r->k.avg_unmap_100ns :
									    r->k.avg_map_100ns) * RESOLUTION_NS)));
			json_array_append_new(p, n ? json_integer((json_int_t)(sum / n)) : json_null());
		}
		json_object_set_new(e, "count", c);
		json_object_set_new(e, "kernel_avg_ns", k);
		json_object_set_new(e, "probe_mean_ns", p);
		json_object_set_new(f, u ? "unmap" : "map", e);
	}
	json_object_set_new(o, "count", json_integer((json_int_t)reps));
	json_object_set_new(o, "unit", json_string("dma_map_benchmark run (loops=): the kernel's average and "
		"the probes' mean of each measured run"));
	json_object_set_new(o, "figures", f);
	return o;
}
