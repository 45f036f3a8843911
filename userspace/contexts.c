// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Results of a per-context run: contexts[], ops.switch, tlb_inv kinds, page
 * sizes and the derived figures, from the engine's samples and the probes'
 * (context, phase) attribution. */
#include <stdlib.h>
#include <string.h>
#include "contexts.h"
#include "hooks.h"
#include "results.h"
#include "stats.h"

static bool is_switch_phase(int ph)
{
	return ph >= IB_PH_SW_CLOSE_DEVICE && ph <= IB_PH_SW_PASID;
}

static bool is_unmap_phase(int ph)
{
	return ph == IB_PH_UNMAP || ph == IB_PH_UNMAP_RANGE || ph == IB_PH_UNMAP_ALL || ph == IB_PH_REMAP;
}

static void attr_add(struct ib_attr *d, const struct ib_attr *s)
{
	__u64 *a = (__u64 *)d;
	const __u64 *b = (const __u64 *)s;

	for (size_t i = 0; i < sizeof(*d) / sizeof(__u64); i++)
		a[i] += b[i];
}

static bool attr_empty(const struct ib_attr *a)
{
	static const struct ib_attr zero;

	return !memcmp(a, &zero, sizeof(zero));
}

/* {roles: {map: {count, sum_ns, bytes}, ...}, tlb_inv: {range: {...}, ...}} */
json_t *ib_attr_json(const struct ib_attr *a)
{
	json_t *o = json_object(), *roles = json_object(), *inv = json_object();
	uint64_t n = 0, descs = 0, ns = 0;

	for (int r = 0; r < IB_NR_ROLES; r++) {
		json_t *x;

		if (!a->role[r].count)
			continue;
		x = json_object();
		json_object_set_new(x, "count", json_integer((json_int_t)a->role[r].count));
		json_object_set_new(x, "sum_ns", json_integer((json_int_t)a->role[r].sum_ns));
		json_object_set_new(x, "bytes", json_integer((json_int_t)a->role[r].bytes));
		json_object_set_new(roles, ib_role_name(r), x);
	}
	for (int k = 0; k < IB_NR_TLB_KINDS; k++) {
		json_t *x;

		if (!a->inv[k].count && !a->inv[k].descs)
			continue;
		x = json_object();
		json_object_set_new(x, "count", json_integer((json_int_t)a->inv[k].count));
		json_object_set_new(x, "sum_ns", json_integer((json_int_t)a->inv[k].sum_ns));
		json_object_set_new(x, "descriptors", json_integer((json_int_t)a->inv[k].descs));
		json_object_set_new(inv, ib_inv_kind_name(k), x);
		n += a->inv[k].count;
		ns += a->inv[k].sum_ns;
		descs += a->inv[k].descs;
	}
	json_object_set_new(o, "roles", roles);
	json_object_set_new(o, "tlb_inv", inv);
	json_object_set_new(o, "tlb_inv_count", json_integer((json_int_t)n));
	json_object_set_new(o, "tlb_inv_sum_ns", json_integer((json_int_t)ns));
	json_object_set_new(o, "tlb_inv_descriptors", json_integer((json_int_t)descs));
	return o;
}

/* Summary of the measured samples matching ctx (-1: any) and phase (-1: any). */
json_t *ib_phase_samples_json(const struct ib_samples *v, int ctx, int phase)
{
	uint64_t *buf = malloc((v->n ? v->n : 1) * sizeof(*buf));
	size_t n = 0;
	json_t *o;

	if (!buf)
		return json_null();
	for (size_t i = 0; i < v->n; i++) {
		const struct ib_sample *s = &v->s[i];

		if (s->measured && (ctx < 0 || s->ctx == ctx) && (phase < 0 || s->phase == phase))
			buf[n++] = s->ns;
	}
	o = ib_samples_json(buf, n);
	free(buf);
	return o;
}

/* Kernel work per phase of one context (or the deferred bucket). */
static json_t *phases_json(const struct ib_readout *r, int ctx, struct ib_attr *total)
{
	json_t *ph = json_object();

	memset(total, 0, sizeof(*total));
	for (int p = 0; p < IB_NR_PHASES; p++) {
		const struct ib_attr *a = &r->attr[ctx][p];

		if (attr_empty(a))
			continue;
		attr_add(total, a);
		json_object_set_new(ph, ib_phase_name(p), ib_attr_json(a));
	}
	return ph;
}

json_t *ib_contexts_json(const struct ib_workload *w, const struct ib_readout *r)
{
	json_t *arr = json_array();

	/* a run that failed before its contexts were allocated has none */
	if (!w->sc || !w->ctx)
		return arr;
	for (unsigned c = 0; c < w->sc->contexts; c++) {
		const struct ib_ctx_counts *k = &w->ctx[c];
		json_t *o = json_object(), *h = json_object(), *t = json_object(), *sw = json_object();
		struct ib_attr total;
		json_t *phases = r ? phases_json(r, (int)c, &total) : json_object();

		json_object_set_new(o, "id", json_integer(c));
		json_object_set_new(h, "map_calls", json_integer((json_int_t)k->map_calls));
		json_object_set_new(h, "unmap_calls", json_integer((json_int_t)k->unmap_calls));
		json_object_set_new(h, "bytes_mapped", json_integer((json_int_t)k->bytes_mapped));
		json_object_set_new(h, "bytes_unmapped", json_integer((json_int_t)k->bytes_unmapped));
		json_object_set_new(h, "resident_maps", json_integer((json_int_t)k->resident_maps));
		json_object_set_new(o, "harness", h);
		json_object_set_new(sw, ib_switch_kind(w), json_integer((json_int_t)k->switches_in));
		json_object_set_new(o, "switches_in", sw);
		json_object_set_new(t, "map", ib_phase_samples_json(&w->samples, (int)c, IB_PH_MAP));
		json_object_set_new(t, "unmap", ib_phase_samples_json(&w->samples, (int)c, IB_PH_UNMAP));
		json_object_set_new(t, "unmap_range", ib_phase_samples_json(&w->samples, (int)c, IB_PH_UNMAP_RANGE));
		json_object_set_new(t, "unmap_all", ib_phase_samples_json(&w->samples, (int)c, IB_PH_UNMAP_ALL));
		json_object_set_new(t, "remap", ib_phase_samples_json(&w->samples, (int)c, IB_PH_REMAP));
		json_object_set_new(o, "time_per_op", t);
		if (r) {
			json_object_set_new(o, "kernel", ib_attr_json(&total));
			json_object_set_new(o, "phases", phases);
		} else {
			json_decref(phases);
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *ib_deferred_json(const struct ib_readout *r)
{
	struct ib_attr total;
	json_t *phases = phases_json(r, IB_DEFERRED, &total), *o = ib_attr_json(&total);

	json_object_set_new(o, "phases", phases);
	json_object_set_new(o, "note", json_string(
		"kernel work no tagged harness operation owned: at interrupt level, or between operations"));
	return o;
}

json_t *ib_switch_json(const struct ib_workload *w, const struct ib_readout *r)
{
	static const int rebind_steps[] = {
		IB_PH_SW_CLOSE_DEVICE, IB_PH_SW_LEAVE, IB_PH_SW_JOIN, IB_PH_SW_SET_IOMMU,
		IB_PH_SW_REMAP, IB_PH_SW_OPEN_DEVICE, IB_PH_SW_BUS_MASTER,
	};
	static const int replace_steps[] = { IB_PH_SW_REPLACE };
	static const int pasid_steps[] = { IB_PH_SW_PASID };
	bool rebind = !strcmp(ib_switch_kind(w), "rebind"), pasid = !strcmp(ib_switch_kind(w), "pasid");
	const int *steps = rebind ? rebind_steps : pasid ? pasid_steps : replace_steps;
	size_t nsteps = rebind ? sizeof(rebind_steps) / sizeof(int) : 1;
	json_t *o = json_object(), *rb = ib_phase_samples_json(&w->switches, -1, -1), *st = json_object();

	for (size_t i = 0; i < nsteps; i++) {
		json_t *s = json_object();

		json_object_set_new(s, "harness", ib_phase_samples_json(&w->samples, -1, steps[i]));
		if (r) {
			struct ib_attr sum = {0};

			for (int c = 0; c <= IB_MAX_CTX; c++)
				attr_add(&sum, &r->attr[c][steps[i]]);
			json_object_set_new(s, "kernel", ib_attr_json(&sum));
		}
		json_object_set_new(st, ib_phase_name(steps[i]), s);
	}
	json_object_set_new(rb, "kind", json_string(ib_switch_kind(w)));
	json_object_set_new(rb, "source", json_string(rebind ?
		"harness (user space): VFIO type1 has no switch call; a rebind is the sequence of steps below, "
		"each with the kernel work the probes saw inside it (all passes, warm-up included)" : pasid ?
		"harness (user space): a switch into a context that holds a PASID costs nothing; otherwise one "
		"IOMMU_TEST_CMD PASID_ATTACH (free PASID) or PASID_REPLACE (least recently used PASID) on the "
		"mock device; the kernel work inside them is under steps.pasid.kernel" :
		"harness (user space): one VFIO_DEVICE_ATTACH_IOMMUFD_PT of the live device to the next "
		"context's HWPT; the kernel work inside it is under steps.replace.kernel"));
	json_object_set_new(rb, "steps", st);
	json_object_set_new(o, ib_switch_kind(w), rb);
	return o;
}

json_t *ib_tlb_kinds_json(const struct ib_readout *r)
{
	json_t *o = json_object();

	for (int k = 0; k < IB_NR_TLB_KINDS; k++)
		if (r->inv[k].count)
			json_object_set_new(o, ib_inv_kind_name(k), ib_stats_json(&r->inv[k]));
	return o;
}

json_t *ib_page_sizes_json(const struct ib_readout *r, const struct ib_workload *w)
{
	json_t *o = json_object(), *used = json_array();

	for (int l = 0; l < 64; l++) {
		json_t *e;

		if (!r->pgsize[l].calls)
			continue;
		e = json_object();
		json_object_set_new(e, "size", json_integer((json_int_t)1 << l));
		json_object_set_new(e, "calls", json_integer((json_int_t)r->pgsize[l].calls));
		json_object_set_new(e, "pages", json_integer((json_int_t)r->pgsize[l].pages));
		json_array_append_new(used, e);
	}
	json_object_set_new(o, "mapped", used);
	json_object_set_new(o, "source", json_string("pgsize x pgcount of the driver's map_pages calls"));
	json_object_set_new(o, "requested_page_size", json_integer((json_int_t)w->sc->page_size));
	json_object_set_new(o, "memory", json_string(ib_memory_name(w->sc->memory)));
	json_object_set_new(o, "memory_bytes", json_integer((json_int_t)w->mem_len));
	json_object_set_new(o, "memory_huge_bytes", json_integer((json_int_t)w->mem_huge_bytes));
	return o;
}

static json_t *ratio(double num, double den, const char *num_what, const char *den_what)
{
	json_t *o = json_object();

	json_object_set_new(o, "value", den > 0 ? json_real(num / den) : json_null());
	json_object_set_new(o, "numerator", json_real(num));
	json_object_set_new(o, "denominator", json_real(den));
	json_object_set_new(o, "numerator_is", json_string(num_what));
	json_object_set_new(o, "denominator_is", json_string(den_what));
	return o;
}

json_t *ib_derived_json(const struct ib_workload *w, const struct ib_readout *r)
{
	double sw_inv = 0, sw_desc = 0, un_inv = 0, un_desc = 0, un_inv_ns = 0, un_bytes = 0, un_ioctl_ns = 0;
	double un_calls = 0;
	json_t *o = json_object();

	for (int c = 0; c <= IB_MAX_CTX; c++) {
		for (int p = 0; p < IB_NR_PHASES; p++) {
			const struct ib_attr *a = &r->attr[c][p];

			for (int k = 0; k < IB_NR_TLB_KINDS; k++) {
				if (is_switch_phase(p)) {
					sw_inv += (double)a->inv[k].count;
					sw_desc += (double)a->inv[k].descs;
				} else if (is_unmap_phase(p)) {
					un_inv += (double)a->inv[k].count;
					un_desc += (double)a->inv[k].descs;
					un_inv_ns += (double)a->inv[k].sum_ns;
				}
			}
			if (is_unmap_phase(p))
				un_bytes += (double)a->role[IB_ROLE_UNMAP].bytes;
		}
	}
	for (size_t i = 0; i < w->samples.n; i++)
		if (is_unmap_phase(w->samples.s[i].phase)) {
			un_ioctl_ns += (double)w->samples.s[i].ns;
			un_calls++;
		}
	json_object_set_new(o, "tlb_inv_per_switch", ratio(sw_inv, (double)w->plan->all_switches,
		"outermost tlb_inv calls inside switch steps", "switches, warm-up passes included"));
	json_object_set_new(o, "descriptors_per_switch", ratio(sw_desc, (double)w->plan->all_switches,
		"queue descriptors inside switch steps", "switches, warm-up passes included"));
	json_object_set_new(o, "tlb_inv_per_unmapped_page", ratio(un_inv, un_bytes / (double)w->sc->page_size,
		"outermost tlb_inv calls inside unmap operations",
		"pages unmapped (unmap role bytes in those operations / page_size)"));
	json_object_set_new(o, "descriptors_per_unmapped_page", ratio(un_desc, un_bytes / (double)w->sc->page_size,
		"queue descriptors inside unmap operations",
		"pages unmapped (unmap role bytes in those operations / page_size)"));
	json_object_set_new(o, "tlb_inv_per_unmap_call", ratio(un_inv, un_calls,
		"outermost tlb_inv calls inside unmap operations", "unmap ioctls, warm-up passes included"));
	json_object_set_new(o, "descriptors_per_unmap_call", ratio(un_desc, un_calls,
		"queue descriptors inside unmap operations", "unmap ioctls, warm-up passes included"));
	json_object_set_new(o, "unmap_time_share_in_tlb_inv", ratio(un_inv_ns, un_ioctl_ns,
		"ns in outermost tlb_inv calls inside unmap operations",
		"ns of those UNMAP_DMA ioctls measured in user space, warm-up included"));
	return o;
}

json_t *ib_checks_json(const struct ib_workload *w)
{
	json_t *o = json_object(), *iso = json_object();

	json_object_set_new(iso, "enabled", json_boolean(w->sc->checks));
	json_object_set_new(iso, "mode", json_string(ib_checks_mode_name(w->sc->checks_mode)));
	json_object_set_new(iso, "skipped", w->sc->checks_skipped[0] ? json_string(w->sc->checks_skipped) : json_null());
	json_object_set_new(iso, "run", json_integer((json_int_t)w->checks.run));
	json_object_set_new(iso, "failed", json_integer((json_int_t)w->checks.failed));
	json_object_set_new(iso, "positive_run", json_integer((json_int_t)w->checks.positive_run));
	json_object_set_new(iso, "positive_failed", json_integer((json_int_t)w->checks.positive_failed));
	json_object_set_new(iso, "failures", w->checks.failures ? json_incref(w->checks.failures) : json_array());
	json_object_set_new(iso, "test_skip_unmap", json_boolean(w->test_skip_unmap));
	json_object_set_new(o, "isolation", iso);
	return o;
}

/*
 * Domain instances from the attach/detach log. An instance is born at an
 * attach and dies at the detach of the same pointer; a later attach of an
 * equal pointer is a new instance (the allocator reused freed memory), and
 * is counted as a pointer reuse rather than taken for the old domain.
 */
json_t *ib_domains_json(const struct ib_readout *r, json_t *contexts)
{
	uint32_t n = r->ndomain_events < IB_DOMAIN_LOG ? r->ndomain_events : IB_DOMAIN_LOG;
	struct inst { uint64_t ptr; bool live; json_t *j; } *inst = calloc(n ? n : 1, sizeof(*inst));
	json_t *o = json_object();
	uint64_t ninst = 0, reuses = 0, unmatched = 0;

	if (!inst)
		return o;
	for (uint32_t i = 0; i < n; i++) {
		const struct ib_domain_event *ev = &r->domain_log[i];

		if (ev->role != IB_ROLE_DETACH) {
			bool reused = false, live = false;
			json_t *j, *c;
			char id[32];

			/* attaching a live domain again (iommufd replace back
			 * to an earlier context) is the same instance */
			for (uint64_t k = 0; k < ninst; k++) {
				live |= inst[k].live && inst[k].ptr == ev->domain;
				reused |= !inst[k].live && inst[k].ptr == ev->domain;
			}
			if (live)
				continue;
			j = json_object();
			reuses += reused;
			snprintf(id, sizeof(id), "d%llu", (unsigned long long)ninst + 1);
			json_object_set_new(j, "id", json_string(id));
			json_object_set_new(j, "attached_in", json_string(ib_phase_name(ev->phase)));
			json_object_set_new(j, "detached_in", json_null());
			json_object_set_new(j, "pointer_reused", json_boolean(reused));
			inst[ninst++] = (struct inst){ .ptr = ev->domain, .live = true, .j = j };
			c = ev->ctx < IB_MAX_CTX ? json_array_get(contexts, ev->ctx) : NULL;
			if (c) {
				if (!json_object_get(c, "domains"))
					json_object_set_new(c, "domains", json_array());
				json_array_append(json_object_get(c, "domains"), j);
			}
		} else {
			bool found = false;


			for (uint64_t k = ninst; k > 0 && !found; k--) {
				if (inst[k - 1].live && inst[k - 1].ptr == ev->domain) {
					inst[k - 1].live = false;
					json_object_set_new(inst[k - 1].j, "detached_in",
							    json_string(ib_phase_name(ev->phase)));
					found = true;
				}
			}
			unmatched += !found;
		}
	}
	for (uint64_t k = 0; k < ninst; k++)
		json_decref(inst[k].j);
	free(inst);
	json_object_set_new(o, "instances", json_integer((json_int_t)ninst));
	json_object_set_new(o, "pointer_reuses", json_integer((json_int_t)reuses));
	json_object_set_new(o, "detach_without_attach", json_integer((json_int_t)unmatched));
	json_object_set_new(o, "events", json_integer(r->ndomain_events));
	json_object_set_new(o, "events_kept", json_integer(n));
	json_object_set_new(o, "events_dropped", json_integer((json_int_t)r->err.domain_drops));
	json_object_set_new(o, "note", json_string(
		"domain instances are numbered by the attach that installs them; a pointer the allocator "
		"hands out again after a free starts a new instance (pointer_reused)"));
	return o;
}

json_t *ib_pasids_json(const struct ib_workload *w)
{
	json_t *a = json_array();

	if (!w->mock)
		return json_null();
	for (unsigned i = 0; i < w->sc->pasid_slots; i++) {
		const struct ib_pasid_slot *sl = &w->pasid[i];
		json_t *o = json_object(), *served = json_array();

		for (unsigned c = 0; c < w->sc->contexts; c++)
			if (sl->served & (1ull << c))
				json_array_append_new(served, json_integer(c));
		json_object_set_new(o, "pasid", json_integer(i + 1));
		json_object_set_new(o, "attaches", json_integer((json_int_t)sl->attaches));
		json_object_set_new(o, "replaces", json_integer((json_int_t)sl->replaces));
		json_object_set_new(o, "detaches", json_integer((json_int_t)sl->detaches));
		json_object_set_new(o, "hits", json_integer((json_int_t)sl->hits));
		json_object_set_new(o, "contexts_served", served);
		json_array_append_new(a, o);
	}
	return a;
}

/* Measured samples in v->s[from, to) whose phase is one of phases (none:
 * every one), summarised into the three arrays at index k. */
static void rep_figure(const struct ib_samples *v, size_t from, size_t to, const int *phases, size_t nph,
		       json_t *count, json_t *p50, json_t *p99)
{
	uint64_t *buf = malloc((to > from ? to - from : 1) * sizeof(*buf));
	size_t n = 0;

	for (size_t i = from; buf && i < to; i++) {
		const struct ib_sample *s = &v->s[i];
		bool want = nph == 0;

		for (size_t j = 0; j < nph; j++)
			want |= s->phase == phases[j];
		if (s->measured && want)
			buf[n++] = s->ns;
	}
	json_array_append_new(count, json_integer((json_int_t)n));
	json_array_append_new(p50, n ? json_integer((json_int_t)ib_sample_percentile(buf, n, 0.5)) : json_null());
	json_array_append_new(p99, n ? json_integer((json_int_t)ib_sample_percentile(buf, n, 0.99)) : json_null());
	free(buf);
}

json_t *ib_repetitions_json(const struct ib_workload *w)
{
	static const int map_ph[] = { IB_PH_MAP };
	static const int unmap_ph[] = { IB_PH_UNMAP, IB_PH_UNMAP_RANGE, IB_PH_UNMAP_ALL };
	static const struct { const char *name; const int *ph; size_t nph; bool sw; } figs[] = {
		{ "map", map_ph, 1, false },
		{ "unmap", unmap_ph, 3, false },
		{ "switch", NULL, 0, true },
	};
	json_t *o = json_object(), *f = json_object();
	uint64_t reps = w->reps_started;

	json_object_set_new(o, "count", json_integer((json_int_t)reps));
	json_object_set_new(o, "unit", json_string("measured pass (loops=): each figure is the pass's own "
		"p50/p99 over its user-space operations, the unit of replication for comparisons"));
	for (size_t k = 0; k < sizeof(figs) / sizeof(figs[0]); k++) {
		const struct ib_samples *v = figs[k].sw ? &w->switches : &w->samples;
		const size_t *start = figs[k].sw ? w->rep_switch_start : w->rep_sample_start;
		json_t *c = json_array(), *a = json_array(), *b = json_array(), *e = json_object();

		for (uint64_t r = 0; start && r < reps; r++)
			rep_figure(v, start[r], r + 1 < reps ? start[r + 1] : v->n, figs[k].ph, figs[k].nph, c, a, b);
		json_object_set_new(e, "count", c);
		json_object_set_new(e, "p50_ns", a);
		json_object_set_new(e, "p99_ns", b);
		json_object_set_new(f, figs[k].name, e);
	}
	json_object_set_new(o, "figures", f);
	return o;
}
