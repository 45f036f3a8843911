// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Human summary of a results document: read back from the JSON only, so it
 * shows what was written, nothing else. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "summary.h"

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
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 10000)
		snprintf(buf, len, "%lldns", ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else
		snprintf(buf, len, "%.1fms", ns / 1e6);
}

static void row(FILE *f, const char *name, json_t *o)
{
	char p50[32], p99[32], mx[32];
	bool none = geti(o, "count") <= 0; /* no calls: no latency to show */

	fmt_ns(p50, sizeof(p50), none ? -1 : geti(o, "p50_ns"));
	fmt_ns(p99, sizeof(p99), none ? -1 : geti(o, "p99_ns"));
	fmt_ns(mx, sizeof(mx), none ? -1 : geti(o, "max_ns"));
	fprintf(f, "  %-34s %8lld %10s %10s %10s%s\n", name, geti(o, "count"), p50, p99, mx,
		json_is_true(json_object_get(o, "timed")) || json_object_get(o, "timed") == NULL ?
		"" : "  (count only)");
}

/* The fine buckets folded into powers of two, as bars. */
static void histogram(FILE *f, json_t *hist)
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

void ib_print_summary(FILE *f, json_t *doc)
{
	json_t *host = json_object_get(doc, "host"), *sc = json_object_get(doc, "scenario");
	json_t *ops = json_object_get(doc, "ops"), *harness = json_object_get(doc, "harness");
	json_t *lab = json_object_get(doc, "lab"), *role, *hk, *v;
	const char *rname, *hname;

	fprintf(f, "iommubench: scenario %s (%s backend, device %s) on %s %s\n",
		gets_(sc, "name"), gets_(sc, "backend"), gets_(sc, "device"),
		gets_(host, "kernel"), gets_(host, "arch"));
	if (json_is_object(lab))
		fprintf(f, "lab target %s: TIMINGS ARE EMULATED (QEMU TCG): compare counts, not times\n",
			gets_(lab, "target"));
	fprintf(f, "\n%-36s %8s %10s %10s %10s\n", "kernel hooks", "count", "p50", "p99", "max");
	json_object_foreach(ops, rname, role) {
		row(f, rname, role);
		json_object_foreach(json_object_get(role, "hooks"), hname, hk) {
			char label[64];

			snprintf(label, sizeof(label), "  %s", hname);
			row(f, label, hk);
		}
	}
	fprintf(f, "\nharness (user space, per ioctl)\n");
	json_object_foreach(json_object_get(harness, "ops"), rname, v)
		row(f, rname, v);
	v = json_object_get(harness, "timer");
	fprintf(f, "  clock overhead: min %lldns, median %lldns (%s)\n", geti(v, "min_ns"),
		geti(v, "p50_ns"), gets_(v, "clocksource"));
	json_object_foreach(ops, rname, role) {
		json_t *h = json_object_get(role, "hist_ns");

		if (!json_is_object(h) || geti(role, "count") <= 0)
			continue;
		fprintf(f, "\n%s latency (kernel, outermost hook)\n", rname);
		histogram(f, h);
	}
	v = json_object_get(doc, "drops");
	if (geti(v, "unmatched_exit") > 0 || geti(v, "stack_overflow") > 0 || geti(v, "task_map_full") > 0)
		fprintf(f, "\nprobe problems: unmatched exits %lld, stack overflows %lld, task map full %lld\n",
			geti(v, "unmatched_exit"), geti(v, "stack_overflow"), geti(v, "task_map_full"));
	if (json_is_string(json_object_get(doc, "interrupted")))
		fprintf(f, "\nINTERRUPTED (%s): figures cover the part that ran\n", gets_(doc, "interrupted"));
}
