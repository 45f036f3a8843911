/* `run` with backend=dma: dma_map_benchmark's own averages beside the
 * probes' figures for the same kernel threads. */
#ifndef IB_RUN_DMA_H
#define IB_RUN_DMA_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "backend_dma.h"
#include "probes.h"

#define IB_DMA_MAX_RUNS 1024

struct ib_dma_run {
	bool probes;                  /* probes attached during it */
	bool reference;               /* without probes: before or after the measured runs */
	bool warmup;                  /* discarded */
	struct ib_map_benchmark k;    /* the kernel's answer */
	uint64_t ns;                  /* wall time of the ioctl */
	/* the probes' outermost map/unmap calls during this run (deltas) */
	uint64_t map_n, map_sum_ns, unmap_n, unmap_sum_ns;
};

struct ib_dma_runs {
	struct ib_dma_run r[IB_DMA_MAX_RUNS];
	size_t n;
};

/* Runs without probes: `warmup` discarded ones, then one reference. */
int ib_dma_reference(struct ib_dma *d, const struct ib_scenario *sc, bool with_warmup,
		     struct ib_dma_runs *out, volatile sig_atomic_t *stop, bool verbose,
		     char *err, size_t errlen);
/* The measured runs (loops of them); probes NULL runs them without. */
int ib_dma_measure(struct ib_dma *d, const struct ib_scenario *sc, struct ib_probes *probes,
		   struct ib_dma_runs *out, volatile sig_atomic_t *stop, bool verbose,
		   char *err, size_t errlen);

/* The "dma" section of the results: parameters, every run, and the
 * comparison of the kernel's averages with the probes' means. */
json_t *ib_dma_json(const struct ib_dma *d, const struct ib_scenario *sc, const struct ib_dma_runs *runs);

/* Per measured run: probe call counts, kernel averages, probe means. */
json_t *ib_dma_repetitions_json(const struct ib_dma_runs *runs);

#endif
