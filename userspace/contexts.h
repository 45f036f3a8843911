/* Per-context results: contexts[], deferred, ops.switch, derived figures. */
#ifndef IB_CONTEXTS_H
#define IB_CONTEXTS_H
#include <jansson.h>
#include "probes.h"
#include "workload.h"

json_t *ib_attr_json(const struct ib_attr *a);
/* measured samples of one context (-1: all) and phase (-1: all) */
json_t *ib_phase_samples_json(const struct ib_samples *v, int ctx, int phase);
/* r may be NULL (no probes): harness figures only */
json_t *ib_contexts_json(const struct ib_workload *w, const struct ib_readout *r);
json_t *ib_deferred_json(const struct ib_readout *r);
json_t *ib_switch_json(const struct ib_workload *w, const struct ib_readout *r);
json_t *ib_tlb_kinds_json(const struct ib_readout *r);
json_t *ib_page_sizes_json(const struct ib_readout *r, const struct ib_workload *w);
json_t *ib_derived_json(const struct ib_workload *w, const struct ib_readout *r);
json_t *ib_checks_json(const struct ib_workload *w);
/* domain instances; adds contexts[i].domains to the given contexts array */
json_t *ib_domains_json(const struct ib_readout *r, json_t *contexts);

/* switch_kind=pasid: per PASID of the mock device, its attach, replace
 * and detach ioctls, the switches it served without one, and the contexts
 * it held; null for other kinds. */
json_t *ib_pasids_json(const struct ib_workload *w);
/* Per measured pass (repetition): count, p50 and p99 of the user-space
 * map, unmap and switch times, arrays indexed by repetition. */
json_t *ib_repetitions_json(const struct ib_workload *w);

#endif
