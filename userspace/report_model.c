// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The comparison model: candidate against baseline, as one JSON object.
 * Counts are compared exactly (every difference listed); timings per
 * repetition through compare.c; the gate decides the exit status.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "warnings.h"

void ib_report_opts_default(struct ib_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	ib_compare_opts_default(&o->cmp);
	o->gate = IB_REPORT_DEFAULT_GATE;
	o->fail_above = -1;
}

long long ib_report_geti(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

const char *ib_report_gets(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

void ib_report_fmt_ns(char *buf, size_t len, double ns)
{
	if (!(ns >= 0))
		snprintf(buf, len, "-");
	else if (ns < 10000)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 10000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else
		snprintf(buf, len, "%.1fms", ns / 1e6);
}

bool ib_report_emulated(json_t *doc)
{
	return json_is_true(json_object_get(doc, "timings_emulated")) ||
	       json_is_object(json_object_get(doc, "lab"));
}

/* ---- counts ---- */

struct counts {
	json_t *rows;
};

static void count_row(struct counts *c, const char *name, json_t *b, json_t *a)
{
	json_t *r;
	struct ib_count_cmp cc;

	if (!json_is_number(b) && !json_is_number(a))
		return;
	ib_compare_count(json_is_number(b) ? json_number_value(b) : 0,
			 json_is_number(a) ? json_number_value(a) : 0, &cc);
	r = json_pack("{s:s, s:O, s:O, s:f, s:b}", "figure", name,
		      "base", json_is_number(b) ? b : json_null(),
		      "cand", json_is_number(a) ? a : json_null(),
		      "diff", cc.diff, "changed", cc.changed || json_is_number(a) != json_is_number(b));
	json_object_set_new(r, "pct", isfinite(cc.pct) ? json_real(cc.pct) : json_null());
	json_array_append_new(c->rows, r);
}

/* Calls fn for every key of a, then every key of b that a lacks. */
#define FOR_UNION(a, b, key, ...) do {					\
	const char *key; json_t *_v;					\
	json_object_foreach((a), key, _v) { (void)_v; __VA_ARGS__; }	\
	json_object_foreach((b), key, _v) {				\
		(void)_v;						\
		if (!json_object_get((a), key)) { __VA_ARGS__; }	\
	}								\
} while (0)

static json_t *jget(json_t *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = json_object_get(o, tok);
	return o;
}

static void pair(struct counts *c, json_t *b, json_t *a, const char *prefix, const char *path)
{
	char name[384];

	snprintf(name, sizeof(name), "%s%s%s", prefix, *path && *prefix ? "." : "", path);
	count_row(c, name, jget(b, path), jget(a, path));
}

static void ops_counts(struct counts *c, json_t *b, json_t *a)
{
	json_t *ob = json_object_get(b, "ops"), *oa = json_object_get(a, "ops");
	char p[256];

	FOR_UNION(ob, oa, role, {
		json_t *rb = json_object_get(ob, role), *ra = json_object_get(oa, role);

		if (!strcmp(role, "switch")) {
			FOR_UNION(rb, ra, kind, {
				json_t *kb = json_object_get(rb, kind), *ka = json_object_get(ra, kind);
				json_t *sb = json_object_get(kb, "steps"), *sa = json_object_get(ka, "steps");

				snprintf(p, sizeof(p), "ops.switch.%s", kind);
				pair(c, kb, ka, p, "count");
				FOR_UNION(sb, sa, step, {
					json_t *kr_b = jget(json_object_get(sb, step), "kernel.roles");
					json_t *kr_a = jget(json_object_get(sa, step), "kernel.roles");

					snprintf(p, sizeof(p), "ops.switch.%s.steps.%s", kind, step);
					pair(c, json_object_get(sb, step), json_object_get(sa, step), p, "harness.count");
					FOR_UNION(kr_b, kr_a, kr, {
						snprintf(p, sizeof(p), "ops.switch.%s.steps.%s.kernel.%s", kind, step, kr);
						pair(c, json_object_get(kr_b, kr), json_object_get(kr_a, kr), p, "count");
					});
				});
			});
			continue;
		}
		snprintf(p, sizeof(p), "ops.%s", role);
		pair(c, rb, ra, p, "count");
		if (!strcmp(role, "map") || !strcmp(role, "unmap"))
			pair(c, rb, ra, p, "bytes");
		FOR_UNION(json_object_get(rb, "kinds"), json_object_get(ra, "kinds"), kind, {
			snprintf(p, sizeof(p), "ops.%s.kinds.%s", role, kind);
			pair(c, jget(json_object_get(rb, "kinds"), kind), jget(json_object_get(ra, "kinds"), kind),
			     p, "count");
		});
		FOR_UNION(json_object_get(rb, "hooks"), json_object_get(ra, "hooks"), hook, {
			snprintf(p, sizeof(p), "ops.%s.hooks.%s", role, hook);
			pair(c, json_object_get(json_object_get(rb, "hooks"), hook),
			     json_object_get(json_object_get(ra, "hooks"), hook), p, "count");
		});
	});
}

json_t *ib_report_hook_index(json_t *doc, const char *field)
{
	json_t *idx = json_object(), *h, *v;
	size_t i;

	json_array_foreach(json_object_get(doc, "hooks"), i, h) {
		const char *k = json_object_get(h, "id") ? ib_report_gets(h, "id") : ib_report_gets(h, "name");

		/* the first entry of a key wins, as a linear search would find it */
		if ((v = json_object_get(h, field)) && !json_object_get(idx, k))
			json_object_set(idx, k, v);
	}
	return idx;
}

/* contexts[] by id (as a decimal key), the first of an id winning */
static json_t *ctx_index(json_t *doc)
{
	json_t *idx = json_object(), *c;
	char k[32];
	size_t i;

	json_array_foreach(json_object_get(doc, "contexts"), i, c) {
		snprintf(k, sizeof(k), "%lld", ib_report_geti(c, "id"));
		if (!json_object_get(idx, k))
			json_object_set(idx, k, c);
	}
	return idx;
}

static json_t *ctx_by_id(json_t *idx, long long id)
{
	char k[32];

	snprintf(k, sizeof(k), "%lld", id);
	return json_object_get(idx, k);
}

static void ctx_counts(struct counts *c, json_t *b, json_t *a)
{
	static const char *const leaves[] = {
		"harness.map_calls", "harness.unmap_calls", "kernel.tlb_inv_count", "kernel.tlb_inv_descriptors",
	};
	json_t *ctxs[2] = { json_object_get(b, "contexts"), json_object_get(a, "contexts") }, *x;
	json_t *ib = ctx_index(b), *ia = ctx_index(a);
	char p[128];
	size_t i;

	for (int side = 0; side < 2; side++) {
		json_array_foreach(ctxs[side], i, x) {
			long long id = ib_report_geti(x, "id");
			json_t *cb = ctx_by_id(ib, id), *ca = ctx_by_id(ia, id);

			/* once per id: from the baseline's side, and from the
			 * first context of an id (a repeated id is listed once) */
			if ((side == 1 && cb) || x != (side ? ca : cb))
				continue;
			snprintf(p, sizeof(p), "contexts.%lld", id);
			for (size_t k = 0; k < sizeof(leaves) / sizeof(leaves[0]); k++)
				pair(c, cb, ca, p, leaves[k]);
			FOR_UNION(json_object_get(cb, "switches_in"), json_object_get(ca, "switches_in"), kind, {
				char q[160];

				snprintf(q, sizeof(q), "%s.switches_in", p);
				pair(c, json_object_get(cb, "switches_in"), json_object_get(ca, "switches_in"), q, kind);
			});
		}
	}
	json_decref(ib);
	json_decref(ia);
}

static json_t *attached_count(json_t *doc)
{
	json_t *h;
	size_t i, n = 0;

	if (!json_is_array(json_object_get(doc, "hooks")))
		return NULL;
	json_array_foreach(json_object_get(doc, "hooks"), i, h)
		n += json_is_true(json_object_get(h, "attached"));
	return json_integer((json_int_t)n);
}

static void other_counts(struct counts *c, json_t *b, json_t *a)
{
	json_t *hb = attached_count(b), *ha = attached_count(a);

	/* ratios of counts; time shares are timings, not counts */
	FOR_UNION(json_object_get(b, "derived"), json_object_get(a, "derived"), d, {
		char p[160];

		snprintf(p, sizeof(p), "derived.%s", d);
		if (!strstr(d, "time"))
			count_row(c, p, jget(json_object_get(json_object_get(b, "derived"), d), "value"),
				  jget(json_object_get(json_object_get(a, "derived"), d), "value"));
	});
	pair(c, b, a, "", "deferred.tlb_inv_count");
	pair(c, b, a, "", "deferred.tlb_inv_descriptors");
	count_row(c, "hooks.attached", hb, ha);
	json_decref(hb);
	json_decref(ha);
	pair(c, b, a, "", "checks.isolation.run");
	pair(c, b, a, "", "checks.isolation.failed");
	pair(c, b, a, "", "checks.isolation.positive_run");
	pair(c, b, a, "", "checks.isolation.positive_failed");
	FOR_UNION(json_object_get(b, "drops"), json_object_get(a, "drops"), k, {
		pair(c, json_object_get(b, "drops"), json_object_get(a, "drops"), "drops", k);
	});
}

/* ---- identity of the runs ---- */

/* Scenario keys that do not change what is measured. */
static bool incidental_key(const char *k)
{
	/* overrides (--set) and checks_mode say how the values were given; the
	 * values themselves are compared, the overrides shown (overrides_text) */
	static const char *const keys[] = { "path", "description", "device", "keys", "loops", "warmup", "bind",
					     "overrides", "checks_mode",
					     "backend" /* warned about below: rebind against replace is a comparison worth making */ };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* Differences of the scenarios, "name: a vs b; ...", empty when the same. */
static void scenario_diff(json_t *b, json_t *a, char *out, size_t len)
{
	json_t *sb = json_object_get(b, "scenario"), *sa = json_object_get(a, "scenario");
	size_t used = 0;

	out[0] = '\0';
	FOR_UNION(sb, sa, k, {
		json_t *vb = json_object_get(sb, k), *va = json_object_get(sa, k);

		if (!incidental_key(k) && !(vb && va && json_equal(vb, va)) && used < len) {
			char *xb = vb ? json_dumps(vb, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
			char *xa = va ? json_dumps(va, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

			used += (size_t)snprintf(out + used, len - used, "%s%s %s (baseline) vs %s (candidate)",
						 used ? "; " : "", k, xb ? xb : "absent", xa ? xa : "absent");
			free(xb);
			free(xa);
		}
	});
}

/* "checks=0 contexts=16", or "none": the --set overrides of a run */
static void overrides_text(json_t *doc, char *out, size_t len)
{
	json_t *o = json_object_get(json_object_get(doc, "scenario"), "overrides"), *v;
	const char *k;
	size_t used = 0;

	out[0] = '\0';
	json_object_foreach(o, k, v) {
		if (used >= len)
			break;
		used += (size_t)snprintf(out + used, len - used, "%s%s=%s", used ? " " : "", k,
					 json_is_string(v) ? json_string_value(v) : "?");
	}
	if (!out[0])
		snprintf(out, len, "none");
}

/* the --set overrides of both runs when either has any, else "" */
static void overrides_diff(json_t *b, json_t *a, char *out, size_t len)
{
	char ob[512], oa[512];

	overrides_text(b, ob, sizeof(ob));
	overrides_text(a, oa, sizeof(oa));
	out[0] = '\0';
	if (strcmp(ob, "none") || strcmp(oa, "none"))
		snprintf(out, len, "--set overrides: baseline %s, candidate %s", ob, oa);
}

static void warn_if_differ(json_t *warn, const char *what, const char *vb, const char *va)
{
	if (strcmp(vb, va))
		json_array_append_new(warn, json_sprintf("%s differ: baseline %s, candidate %s", what, vb, va));
}

static const char *lab_target(json_t *doc)
{
	json_t *lab = json_object_get(doc, "lab");

	return json_is_object(lab) ? ib_report_gets(lab, "target") : "none (hardware)";
}

static void warnings(json_t *warn, json_t *b, json_t *a)
{
	json_t *h, *cand_modes = ib_report_hook_index(a, "mode");
	size_t i, nmode = 0;
	char modes[512] = "";

	warn_if_differ(warn, "kernels", ib_report_gets(json_object_get(b, "host"), "kernel"),
		       ib_report_gets(json_object_get(a, "host"), "kernel"));
	warn_if_differ(warn, "architectures", ib_report_gets(json_object_get(b, "host"), "arch"),
		       ib_report_gets(json_object_get(a, "host"), "arch"));
	warn_if_differ(warn, "lab targets", lab_target(b), lab_target(a));
	warn_if_differ(warn, "backends", ib_report_gets(b, "backend"), ib_report_gets(a, "backend"));
	warn_if_differ(warn, "switch kinds", ib_report_gets(b, "switch_kind"), ib_report_gets(a, "switch_kind"));
	/* each baseline hook against the candidate's hook of the same key
	 * (id or name), found in an index: linear in the number of hooks */
	json_array_foreach(json_object_get(b, "hooks"), i, h) {
		const char *kb = json_object_get(h, "id") ? ib_report_gets(h, "id") : ib_report_gets(h, "name");
		const char *mb = ib_report_gets(h, "mode");
		const char *ma = json_string_value(json_object_get(cand_modes, kb));
		size_t used = strlen(modes);

		if (!ma || !strcmp(mb, ma))
			continue;
		if (nmode++ < 6 && used < sizeof(modes))
			snprintf(modes + used, sizeof(modes) - used, "%s%s %s/%s", used ? ", " : "", kb, mb, ma);
	}
	json_decref(cand_modes);
	if (nmode)
		json_array_append_new(warn, json_sprintf("hook modes differ (baseline/candidate) for %zu hook(s): %s%s",
							 nmode, modes, nmode > 6 ? ", ..." : ""));
	if (ib_report_emulated(b) || ib_report_emulated(a))
		json_array_append_new(warn, json_string("timings are emulated (lab, QEMU TCG): compare counts, "
							"not times; gate timings on hardware"));
}

/* ---- timings, per repetition ---- */

struct timing {
	char name[64];
	double *base, *cand;
	const char *skip;	/* why not compared, or NULL */
};

/* values of an array, all finite and > 0; else NULL */
static double *values(json_t *arr, size_t n)
{
	double *v;

	if (json_array_size(arr) != n || n == 0)
		return NULL;
	v = calloc(n, sizeof(*v));
	for (size_t i = 0; v && i < n; i++) {
		json_t *x = json_array_get(arr, i);

		v[i] = json_is_number(x) ? json_number_value(x) : 0;
		if (!(v[i] > 0) || !isfinite(v[i])) {
			free(v);
			return NULL;
		}
	}
	return v;
}

/* Smallest two-sided exact Mann-Whitney p-value for n1 and n2 values
 * without ties: 2 / C(n1 + n2, n1). */
static double min_p(size_t n1, size_t n2)
{
	double c = 1;

	for (size_t i = 1; i <= n1; i++)
		c = c * (double)(n2 + i) / (double)i;
	return fmin(1, 2 / c);
}

static size_t collect_timings(json_t *b, json_t *a, size_t nb, size_t na, struct timing *t, size_t max)
{
	json_t *fb = jget(b, "repetitions.figures"), *fa = jget(a, "repetitions.figures"), *fig, *arr;
	const char *op, *key;
	size_t n = 0;

	json_object_foreach(fb, op, fig) {
		json_object_foreach(fig, key, arr) {
			struct timing *x = &t[n];
			size_t kl = strlen(key);

			if (!strcmp(key, "count") || !json_is_array(arr) || n >= max)
				continue;
			memset(x, 0, sizeof(*x));
			snprintf(x->name, sizeof(x->name), "%s.%.*s", op,
				 (int)(kl > 3 && !strcmp(key + kl - 3, "_ns") ? kl - 3 : kl), key);
			x->base = values(arr, nb);
			x->cand = values(json_object_get(json_object_get(fa, op), key), na);
			if (!x->base || !x->cand) {
				free(x->base);
				free(x->cand);
				x->base = x->cand = NULL;
				x->skip = "not measured in every repetition of both runs (no such operations?)";
			}
			n++;
		}
	}
	return n;
}

static json_t *dbl_array(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; v && i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

static bool in_list(const char *list, const char *name)
{
	size_t l = strlen(name);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, l) && (p[l] == ',' || p[l] == '\0'))
			return true;
	return false;
}

static json_t *timings(json_t *b, json_t *a, const struct ib_report_opts *o, double gate_pct)
{
	bool emulated = ib_report_emulated(b) || ib_report_emulated(a);
	json_t *out = json_object(), *figs = json_array();
	size_t nb = (size_t)ib_report_geti(json_object_get(b, "repetitions"), "count");
	size_t na = (size_t)ib_report_geti(json_object_get(a, "repetitions"), "count");
	struct timing t[16];
	struct ib_timing_in in[16];
	struct ib_timing_cmp res[16];
	struct ib_ratio_ci gm;
	size_t nt, m = 0, idx[16];
	double alpha = 1 - o->cmp.confidence;
	const char *status = "ok";
	int rc;

	json_object_set_new(out, "figures", figs);
	if (!json_is_object(json_object_get(b, "repetitions")) || !json_is_object(json_object_get(a, "repetitions"))) {
		json_object_set_new(out, "status", json_string("unavailable"));
		json_object_set_new(out, "note", json_sprintf("no per-repetition figures in the %s (written before "
			"results kept them): no timing comparison; run both again",
			json_is_object(json_object_get(b, "repetitions")) ? "candidate" : "baseline"));
		return out;
	}
	json_object_set_new(out, "repetitions", json_pack("{s:I, s:I}", "baseline", (json_int_t)nb,
							  "candidate", (json_int_t)na));
	nt = collect_timings(b, a, nb, na, t, 16);
	for (size_t i = 0; i < nt; i++) {
		if (t[i].skip)
			continue;
		in[m].base = t[i].base;
		in[m].cand = t[i].cand;
		idx[m++] = i;
	}
	if (m == 0) {
		status = "unavailable";
		json_object_set_new(out, "note", json_string("no timing figure was measured in every repetition of both runs"));
	} else if (nb < IB_REPORT_MIN_REPS || na < IB_REPORT_MIN_REPS) {
		status = "too-few";
		json_object_set_new(out, "note", json_sprintf("%zu baseline and %zu candidate repetition(s): at least %d "
			"each are needed for a verdict (loops= in the scenario); medians are shown, no verdicts",
			nb, na, IB_REPORT_MIN_REPS));
	} else if (min_p(nb, na) * (double)m > alpha) {
		size_t k = IB_REPORT_MIN_REPS;

		while (min_p(k, k) * (double)m > alpha)
			k++;
		status = "weak";
		json_object_set_new(out, "note", json_sprintf("with %zu baseline and %zu candidate repetitions the "
			"smallest possible p-value is %.3g, and Holm over %zu figures needs %.3g: no difference can "
			"be significant; run at least %zu repetitions each (loops=)", nb, na, min_p(nb, na), m,
			alpha / (double)m, k));
	}
	json_object_set_new(out, "status", json_string(status));
	rc = m ? ib_compare_timings(in, m, nb, na, &o->cmp, res, &gm) : 0;
	if (rc) {
		json_object_set_new(out, "status", json_string("error"));
		json_object_set_new(out, "note", json_sprintf("comparison failed: %s", strerror(-rc)));
		m = 0;
	}
	for (size_t i = 0, j = 0; i < nt; i++) {
		struct timing *x = &t[i];
		json_t *r = json_pack("{s:s, s:b}", "figure", x->name, "gated", !emulated && in_list(o->gate, x->name));

		if (x->skip) {
			json_object_set_new(r, "skipped", json_string(x->skip));
		} else if (j < m && idx[j] == i) {
			struct ib_timing_cmp *c = &res[j++];
			bool verdict = !strcmp(status, "ok") || !strcmp(status, "weak");
			/* emulated (lab) timings are shown, never gated */
			bool tripped = verdict && !emulated && in_list(o->gate, x->name) && c->significant &&
				       c->ratio.lo > 1 + gate_pct / 100;

			json_object_set_new(r, "base_values", dbl_array(x->base, nb));
			json_object_set_new(r, "cand_values", dbl_array(x->cand, na));
			json_object_set_new(r, "base_median", json_real(c->base_median));
			json_object_set_new(r, "cand_median", json_real(c->cand_median));
			json_object_set_new(r, "ratio", json_pack("{s:f, s:f, s:f}", "value", c->ratio.ratio,
								  "lo", c->ratio.lo, "hi", c->ratio.hi));
			json_object_set_new(r, "u", json_real(c->mwu.u));
			json_object_set_new(r, "p", json_real(c->mwu.p));
			json_object_set_new(r, "p_holm", json_real(c->p_adj));
			json_object_set_new(r, "significant", json_boolean(c->significant));
			json_object_set_new(r, "verdict", json_string(verdict ? ib_verdict_str(c->verdict) : "n/a"));
			json_object_set_new(r, "why", json_string(verdict ? ib_verdict_why_str(c->why) : "too few repetitions"));
			json_object_set_new(r, "tripped", json_boolean(tripped));
		}
		json_array_append_new(figs, r);
		free(x->base);
		free(x->cand);
	}
	if (m)
		json_object_set_new(out, "geomean", json_pack("{s:f, s:f, s:f, s:I}", "value", gm.ratio, "lo", gm.lo,
							     "hi", gm.hi, "figures", (json_int_t)m));
	return out;
}

/* ---- the model ---- */

static json_t *run_info(json_t *doc, const char *path)
{
	json_t *sc = json_object_get(doc, "scenario"), *rep = json_object_get(doc, "repetitions");
	json_t *count = json_is_object(rep) ? json_object_get(rep, "count") : NULL;

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:b, s:s}", "file", path,
			 "scenario", ib_report_gets(sc, "name"), "kernel", ib_report_gets(json_object_get(doc, "host"), "kernel"),
			 "arch", ib_report_gets(json_object_get(doc, "host"), "arch"), "lab", lab_target(doc),
			 "backend", ib_report_gets(doc, "backend"), "git", ib_report_gets(json_object_get(doc, "tool"), "git"),
			 "repetitions", count ? count : json_null(),
			 "emulated", ib_report_emulated(doc), "started", ib_report_gets(doc, "started"));
}

static bool timing_name(const char *n)
{
	static const char *const ops[] = { "map.", "unmap.", "switch." };

	for (size_t i = 0; i < 3; i++)
		if (!strncmp(n, ops[i], strlen(ops[i])) && !strchr(n + strlen(ops[i]), '.'))
			return true;
	return false;
}

/* Every gate name must be a timing figure (map|unmap|switch.X, which may be
 * absent from these runs) or one of the count rows. */
static int check_gate(const char *gate, json_t *rows, char *err, size_t errlen)
{
	char buf[1024], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", gate);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		json_t *r;
		size_t i;
		bool found = timing_name(tok);

		json_array_foreach(rows, i, r)
			found |= !strcmp(ib_report_gets(r, "figure"), tok);
		if (!found) {
			snprintf(err, errlen, "--gate: no figure '%s' in these runs: timing figures are map.p50, "
				 "map.p99, unmap.p50, ... (dma: map.kernel_avg, map.probe_mean, ...); count figures "
				 "are the names in the report's count table, e.g. derived.descriptors_per_switch", tok);
			return -EINVAL;
		}
	}
	return 0;
}

json_t *ib_report_compare(json_t *cand, const char *cand_path, json_t *base,
			  const char *base_path, const struct ib_report_opts *o,
			  char *err, size_t errlen)
{
	json_t *m, *warn = json_array(), *gate = json_array(), *tripped = json_array(), *t, *r, *inc;
	bool gated_inc = false;
	struct counts c = { json_array() };
	double gate_pct = o->fail_above >= 0 ? o->fail_above : o->cmp.threshold * 100;
	char diff[1024], buf[1024], ovr[1100], *save = NULL, *tok;
	size_t i, changed = 0;

	scenario_diff(base, cand, diff, sizeof(diff));
	overrides_diff(base, cand, ovr, sizeof(ovr));
	if (diff[0] && !o->force) {
		snprintf(err, errlen, "%s and %s are runs of different scenarios (%s%s%s): the figures would not "
			 "measure the same work; pass --force to compare them anyway", base_path, cand_path, diff,
			 ovr[0] ? "; " : "", ovr);
		json_decref(warn);
		json_decref(gate);
		json_decref(tripped);
		json_decref(c.rows);
		return NULL;
	}
	if (diff[0])
		json_array_append_new(warn, json_sprintf("different scenarios compared (--force): %s%s%s", diff,
							 ovr[0] ? "; " : "", ovr));
	else if (ovr[0] && !json_equal(json_object_get(json_object_get(base, "scenario"), "overrides") ?: json_null(),
				       json_object_get(json_object_get(cand, "scenario"), "overrides") ?: json_null()))
		/* the same effective scenario, reached through different overrides */
		json_array_append_new(warn, json_sprintf("scenario keys given differently (same effective "
							 "values): %s", ovr));
	warnings(warn, base, cand);
	ops_counts(&c, base, cand);
	ctx_counts(&c, base, cand);
	other_counts(&c, base, cand);
	if (check_gate(o->gate, c.rows, err, errlen)) {
		json_decref(warn);
		json_decref(gate);
		json_decref(tripped);
		json_decref(c.rows);
		return NULL;
	}
	snprintf(buf, sizeof(buf), "%s", o->gate);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(gate, json_string(tok));
	json_array_foreach(c.rows, i, r) {
		bool g = in_list(o->gate, ib_report_gets(r, "figure"));
		bool trip = g && ib_count_above(json_number_value(json_object_get(r, "base")),
						json_number_value(json_object_get(r, "cand")), gate_pct);

		changed += json_is_true(json_object_get(r, "changed"));
		json_object_set_new(r, "gated", json_boolean(g));
		if (g)
			json_object_set_new(r, "tripped", json_boolean(trip));
		if (trip)
			json_array_append_new(tripped, json_string(ib_report_gets(r, "figure")));
	}
	t = timings(base, cand, o, gate_pct);
	json_array_foreach(json_object_get(t, "figures"), i, r)
		if (json_is_true(json_object_get(r, "tripped")))
			json_array_append_new(tripped, json_string(ib_report_gets(r, "figure")));
	{
		/* a failed or interrupted run is never compared silently */
		json_t *x;

		inc = json_array();
		if ((x = ib_report_incomplete_json(cand, "candidate", cand_path, !o->allow_incomplete)))
			json_array_append_new(inc, x);
		if ((x = ib_report_incomplete_json(base, "baseline", base_path, !o->allow_incomplete)))
			json_array_append_new(inc, x);
		json_array_foreach(inc, i, x)
			gated_inc |= json_is_true(json_object_get(x, "gated"));
	}
	m = json_pack("{s:s, s:s, s:o, s:o}", "schema", IB_REPORT_SCHEMA, "kind", "comparison",
		      "candidate", run_info(cand, cand_path), "baseline", run_info(base, base_path));
	if (!m) {
		snprintf(err, errlen, "comparing %s with %s: out of memory", cand_path, base_path);
		json_decref(warn);
		json_decref(gate);
		json_decref(tripped);
		json_decref(c.rows);
		json_decref(t);
		json_decref(inc);
		return NULL;
	}
	json_object_set_new(m, "settings", json_pack("{s:f, s:f, s:I, s:I, s:o, s:o, s:f, s:b, s:s}",
		"threshold_pct", o->cmp.threshold * 100, "confidence", o->cmp.confidence,
		"resamples", (json_int_t)o->cmp.resamples, "seed", (json_int_t)o->cmp.seed, "gate", gate,
		"fail_above_pct", o->fail_above >= 0 ? json_real(o->fail_above) : json_null(),
		"gate_pct", gate_pct, "allow_incomplete", o->allow_incomplete, "gate_rule", "timing: Holm-adjusted p <= 1 - confidence and the ratio "
		"interval's lower bound above 1 + gate_pct/100; count: candidate above baseline by more than gate_pct; "
		"a failed or interrupted run (incomplete[]) trips it unless allow_incomplete"));
	json_object_set_new(m, "emulated", json_boolean(ib_report_emulated(base) || ib_report_emulated(cand)));
	json_object_set_new(m, "warnings", warn);
	/* each run's non-zero drop counters, apart from the comparability warnings */
	json_object_set_new(m, "drop_warnings", json_array());
	ib_drop_warnings(json_object_get(m, "drop_warnings"), cand, "candidate");
	ib_drop_warnings(json_object_get(m, "drop_warnings"), base, "baseline");
	json_object_set_new(m, "counts", c.rows);
	json_object_set_new(m, "counts_changed", json_integer((json_int_t)changed));
	json_object_set_new(m, "timings", t);
	json_object_set_new(m, "tripped", tripped);
	json_object_set_new(m, "incomplete", inc);
	json_object_set_new(m, "exit", json_integer(o->fail_above >= 0 && (json_array_size(tripped) || gated_inc) ? 1 : 0));
	return m;
}
