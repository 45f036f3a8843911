// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Human summary of a results document: read back from the JSON only, so it
 * shows what was written, nothing else. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "escape.h"
#include "report.h"
#include "summary.h"
#include "warnings.h"

static long long geti(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static const char *gets_(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

static void fmt_ns(char *buf, size_t len, long long ns)
{
	ib_report_fmt_ns(buf, len, (double)ns); /* negative: "-" */
}

/* name is untrusted: shown escaped, after indent */
static void row(FILE *f, const char *indent, const char *name, json_t *o)
{
	char p50[32], p99[32], mx[32];
	bool none = geti(o, "count") <= 0; /* no calls: no latency to show */

	fmt_ns(p50, sizeof(p50), none ? -1 : geti(o, "p50_ns"));
	fmt_ns(p99, sizeof(p99), none ? -1 : geti(o, "p99_ns"));
	fmt_ns(mx, sizeof(mx), none ? -1 : geti(o, "max_ns"));
	fprintf(f, "  %s%-*s %8lld %10s %10s %10s%s\n", indent, (int)(34 - strlen(indent)), ib_term(name),
		geti(o, "count"), p50, p99, mx,
		json_is_true(json_object_get(o, "timed")) || json_object_get(o, "timed") == NULL ?
		"" : "  (count only)");
}

/* The fine buckets folded into powers of two, as bars. */
void ib_summary_histogram(FILE *f, json_t *hist)
{
	json_t *bounds = json_object_get(hist, "bounds"), *counts = json_object_get(hist, "counts");
	unsigned long long oct[64] = {0}, maxc = 0;
	int lo = 64, hi = -1;

	for (size_t i = 0; i < json_array_size(counts); i++) {
		long long b = json_integer_value(json_array_get(json_array_get(bounds, i), 0));
		int o = 0;

		while (o < 63 && (1ll << (o + 1)) <= b)
			o++;
		oct[o] += (unsigned long long)json_integer_value(json_array_get(counts, i));
		lo = o < lo ? o : lo;
		hi = o > hi ? o : hi;
	}
	for (int o = lo; o <= hi; o++)
		maxc = oct[o] > maxc ? oct[o] : maxc;
	for (int o = lo; o <= hi && maxc; o++) {
		char a[32], b[32], bar[41];
		int w = (int)(oct[o] * 40 / maxc);

		fmt_ns(a, sizeof(a), 1ll << o);
		fmt_ns(b, sizeof(b), 1ll << (o + 1));
		memset(bar, '#', (size_t)w);
		bar[w] = '\0';
		fprintf(f, "    %8s .. %-8s %8llu |%s\n", a, b, oct[o], bar);
	}
}

static double getd(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : -1;
}

/* What one switch costs, step by step, with the kernel work per switch. */
static void print_switches(FILE *f, json_t *sw)
{
	json_t *rb = NULL, *step;
	const char *name, *kind = "?";
	double n;
	char p50[32], p99[32];

	json_object_foreach(sw, name, step) {
		/* the kind's object is the one with steps */
		if (json_is_object(step) && json_object_get(step, "steps")) {
			kind = name;
			rb = step;
		}
	}
	if (!rb || geti(rb, "count") <= 0)
		return;
	n = (double)geti(rb, "count");
	fmt_ns(p50, sizeof(p50), geti(rb, "p50_ns"));
	fmt_ns(p99, sizeof(p99), geti(rb, "p99_ns"));
	fprintf(f, "\nswitches: %lld of kind %s, p50 %s, p99 %s (user space)\n", geti(rb, "count"), ib_term(kind),
		p50, p99);
	fprintf(f, "  %-18s %10s %8s  %s\n", "step", "p50", "calls", "kernel work per switch");
	json_object_foreach(json_object_get(rb, "steps"), name, step) {
		json_t *h = json_object_get(step, "harness"), *k = json_object_get(step, "kernel");
		json_t *roles = json_object_get(k, "roles"), *r;
		const char *rn;

		fmt_ns(p50, sizeof(p50), geti(h, "count") > 0 ? geti(h, "p50_ns") : -1);
		fprintf(f, "  %-18s %10s %8lld  %s", ib_term(name), p50, geti(h, "count"), json_object_size(roles) ? "" : "-");
		json_object_foreach(roles, rn, r)
			fprintf(f, "%s %.1f  ", ib_term(rn), (double)geti(r, "count") / n);
		fputc('\n', f);
	}
}

static void print_invalidations(FILE *f, json_t *doc)
{
	json_t *kinds = json_object_get(json_object_get(json_object_get(doc, "ops"), "tlb_inv"), "kinds");
	json_t *der = json_object_get(doc, "derived"), *k, *d;
	const char *name;

	if (json_object_size(kinds) == 0 && !json_is_object(der))
		return;
	fprintf(f, "\ninvalidations by kind (outermost calls)\n");
	json_object_foreach(kinds, name, k)
		row(f, "", name, k);
	json_object_foreach(der, name, d) {
		if (json_is_number(json_object_get(d, "value")))
			fprintf(f, "  %-34s %10.3f  (%s / %s)\n", ib_term(name), getd(d, "value"),
				ib_term(gets_(d, "numerator_is")), ib_term(gets_(d, "denominator_is")));
	}
}

static void print_contexts(FILE *f, json_t *doc)
{
	json_t *ctxs = json_object_get(doc, "contexts"), *c, *iso;
	size_t i;

	if (json_array_size(ctxs) > 1 || json_object_get(doc, "deferred")) {
		fprintf(f, "\ncontexts\n  %4s %8s %8s %6s %8s %8s %10s %10s\n", "ctx", "maps", "unmaps",
			"sw-in", "tlb_inv", "descs", "map p50", "unmap p50");
		json_array_foreach(ctxs, i, c) {
			json_t *h = json_object_get(c, "harness"), *k = json_object_get(c, "kernel");
			json_t *t = json_object_get(c, "time_per_op");
			char mp[32], up[32];

			fmt_ns(mp, sizeof(mp), geti(json_object_get(t, "map"), "count") > 0 ?
			       geti(json_object_get(t, "map"), "p50_ns") : -1);
			fmt_ns(up, sizeof(up), geti(json_object_get(t, "unmap"), "count") > 0 ?
			       geti(json_object_get(t, "unmap"), "p50_ns") : -1);
			fprintf(f, "  %4lld %8lld %8lld %6lld %8lld %8lld %10s %10s\n", geti(c, "id"),
				geti(h, "map_calls"), geti(h, "unmap_calls"),
				geti(json_object_get(c, "switches_in"),
				     json_string_value(json_object_get(doc, "switch_kind")) ?
				     json_string_value(json_object_get(doc, "switch_kind")) : "rebind"),
				geti(k, "tlb_inv_count"), geti(k, "tlb_inv_descriptors"), mp, up);
		}
		c = json_object_get(doc, "deferred");
		if (json_is_object(c))
			fprintf(f, "  deferred: %lld tlb_inv, %lld descriptors (no harness operation owned them)\n",
				geti(c, "tlb_inv_count"), geti(c, "tlb_inv_descriptors"));
	}
	iso = json_object_get(json_object_get(doc, "checks"), "isolation");
	if (json_is_true(json_object_get(iso, "enabled")))
		fprintf(f, "\nisolation checks (edu DMA): %lld run, %lld failed; positive controls %lld run, %lld failed\n",
			geti(iso, "run"), geti(iso, "failed"), geti(iso, "positive_run"), geti(iso, "positive_failed"));
	else if (json_is_string(json_object_get(iso, "skipped")))
		fprintf(f, "\nisolation checks skipped (checks=auto): %s\n",
			ib_term(json_string_value(json_object_get(iso, "skipped"))));
}

/* backend=dma: the kernel's own averages beside the probes' means */
static void print_dma(FILE *f, json_t *dma)
{
	json_t *p = json_object_get(dma, "params"), *r, *cmp = json_object_get(dma, "comparison");
	const char *op;
	size_t i;

	fprintf(f, "\ndma_map_benchmark on %s (domain %s): %lld thread(s), %lld s per run, granule %lld, %s %s\n",
		ib_term(gets_(dma, "device")), ib_term(gets_(dma, "domain_type")), geti(p, "threads"),
		geti(p, "seconds"), geti(p, "granule"), ib_term(gets_(p, "map")), ib_term(gets_(p, "dir")));
	fprintf(f, "  %3s %-10s %6s %12s %12s %12s %12s %10s\n", "run", "role", "probes", "kernel map",
		"kernel unmap", "probe map", "probe unmap", "calls");
	json_array_foreach(json_object_get(dma, "runs"), i, r) {
		json_t *k = json_object_get(r, "kernel"), *pf = json_object_get(r, "probes_figures");
		char km[32], ku[32], pm[32], pu[32];

		fmt_ns(km, sizeof(km), geti(k, "map_avg_ns"));
		fmt_ns(ku, sizeof(ku), geti(k, "unmap_avg_ns"));
		fmt_ns(pm, sizeof(pm), json_is_object(pf) ? geti(pf, "map_mean_ns") : -1);
		fmt_ns(pu, sizeof(pu), json_is_object(pf) ? geti(pf, "unmap_mean_ns") : -1);
		fprintf(f, "  %3lld %-10s %6s %12s %12s %12s %12s %10lld\n", geti(r, "run"), ib_term(gets_(r, "role")),
			json_is_true(json_object_get(r, "probes")) ? "on" : "off", km, ku, pm, pu,
			json_is_object(pf) ? geti(pf, "map_calls") : 0);
	}
	json_object_foreach(cmp, op, r) {
		char k[32], n[32], pr[32];

		if (!json_is_object(r))
			continue;
		fmt_ns(k, sizeof(k), geti(r, "kernel_avg_ns"));
		fmt_ns(n, sizeof(n), geti(r, "kernel_avg_without_probes_ns"));
		fmt_ns(pr, sizeof(pr), geti(r, "probe_mean_ns"));
		fprintf(f, "  %s: kernel %s (without probes %s), probes %s: %s\n", ib_term(op), k, n, pr,
			json_is_true(json_object_get(r, "agree")) ? "agree" : ib_term(gets_(r, "why")));
	}
}

void ib_print_summary(FILE *f, json_t *doc)
{
	json_t *host = json_object_get(doc, "host"), *sc = json_object_get(doc, "scenario");
	json_t *ops = json_object_get(doc, "ops"), *harness = json_object_get(doc, "harness");
	json_t *lab = json_object_get(doc, "lab"), *role, *hk, *v;
	const char *rname, *hname;

	fprintf(f, "iommubench: scenario %s (%s backend, device %s) on %s %s\n",
		ib_term(gets_(sc, "name")), ib_term(gets_(sc, "backend")), ib_term(gets_(sc, "device")),
		ib_term(gets_(host, "kernel")), ib_term(gets_(host, "arch")));
	if (json_is_object(lab))
		fprintf(f, "lab target %s: TIMINGS ARE EMULATED (QEMU TCG): compare counts, not times\n",
			ib_term(gets_(lab, "target")));
	fprintf(f, "\n%-36s %8s %10s %10s %10s\n", "kernel hooks", "count", "p50", "p99", "max");
	json_object_foreach(ops, rname, role) {
		if (!strcmp(rname, "switch"))
			continue; /* its own section below */
		row(f, "", rname, role);
		json_object_foreach(json_object_get(role, "hooks"), hname, hk)
			row(f, "  ", hname, hk);
	}
	print_switches(f, json_object_get(ops, "switch"));
	print_invalidations(f, doc);
	if (json_is_object(json_object_get(doc, "dma"))) {
		print_dma(f, json_object_get(doc, "dma"));
	} else {
		print_contexts(f, doc);
		fprintf(f, "\nharness (user space, per ioctl)\n");
		json_object_foreach(json_object_get(harness, "ops"), rname, v)
			row(f, "", rname, v);
	}
	v = json_object_get(harness, "timer");
	fprintf(f, "  clock overhead: min %lldns, median %lldns (%s)\n", geti(v, "min_ns"),
		geti(v, "p50_ns"), ib_term(gets_(v, "clocksource")));
	json_object_foreach(ops, rname, role) {
		json_t *h = json_object_get(role, "hist_ns");

		if (!json_is_object(h) || geti(role, "count") <= 0)
			continue;
		fprintf(f, "\n%s latency (kernel, outermost hook)\n", ib_term(rname));
		ib_summary_histogram(f, h);
	}
	/* every non-zero drop counter, named, with what it costs the figures */
	ib_doc_warnings_print(f, doc, IB_WARN_TEXT);
	/* a long run can outgrow the domain log: say its figures are partial */
	v = json_object_get(doc, "domains");
	if (geti(v, "events_kept") >= 0 && geti(v, "events_kept") < geti(v, "events"))
		fprintf(f, "\ndomain log full: %lld of %lld attach/detach events kept; domains.instances "
			"and contexts[].domains cover the first %lld events only\n", geti(v, "events_kept"),
			geti(v, "events"), geti(v, "events_kept"));
	if (json_is_string(json_object_get(doc, "interrupted")))
		fprintf(f, "\nINTERRUPTED (%s): figures cover the part that ran\n", ib_term(gets_(doc, "interrupted")));
}
