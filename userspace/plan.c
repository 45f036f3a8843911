// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A scenario expanded into the exact sequence of operations a run performs
 * (plan.h says what the sequence is). The plan is built in full before the
 * run starts, so the run's op counts per context and per kind are known up
 * front, and a test can hold the expansion to what the scenario file says.
 *
 * The initial SWITCH (the first attach) and END (the final detach) lie
 * outside every pass: their measured flag is false, like warm-up ops, so a
 * backend that times measured SWITCH ops never counts the attach as a
 * switch. Every op inside a measured pass is measured.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/*
 * The most memory a run may set aside for its plan (struct ib_op per op,
 * allocated in full before the run) and its per-ioctl timings (struct
 * ib_sample per timed ioctl, kept for the statistics). A scenario past it
 * (say pages=1048576 with order=map_unmap_each and loops=32: 1.5 GiB of
 * plan) is refused from the scenario's numbers alone, before anything is
 * allocated, rather than left to the OOM killer.
 */
#ifndef PLAN_MAX_BYTES	/* the fuzz build (tests/fuzz) sets a smaller one */
#define PLAN_MAX_BYTES (256ull << 20)
#endif
/* struct ib_sample in workload.h: 8-byte time, context, phase, flag */
#define SAMPLE_BYTES 16.0

/*
 * splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a 64-bit counter advanced by the odd constant
 * 0x9e3779b97f4a7c15 (2^64 / golden ratio), each value scrambled by two
 * xor-shift-multiply rounds and a final xor-shift. Every seed, 0 included,
 * gives a full-period sequence, and the output is the same on every machine.
 */
struct prng {
	uint64_t state;
};

static uint64_t prng_next(struct prng *r)
{
	uint64_t z;

	r->state += 0x9e3779b97f4a7c15ull;
	z = r->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Uniform in [0, n), n >= 1, without modulo bias: 2^64 mod n raw values
 * at the bottom are rejected, so the values kept, [2^64 mod n, 2^64), are
 * a whole number of runs of n. (0 - n) % n is 2^64 mod n in 64-bit
 * arithmetic. For n <= 63 less than one draw in 2^58 is rejected.
 */
static uint64_t prng_below(struct prng *r, uint64_t n)
{
	uint64_t threshold = (0 - n) % n, x;

	do
		x = prng_next(r);
	while (x < threshold);
	return x % n;
}

struct builder {
	const struct ib_scenario *sc;
	struct ib_plan *plan;
	enum ib_op_kind unmap_kind; /* UNMAP, UNMAP_RANGE or UNMAP_ALL, per invalidate= */
	bool measured;
	uint32_t pass;
	char *err;
	size_t errlen;
};

static int grow(struct builder *b, size_t want)
{
	struct ib_plan *pl = b->plan;
	struct ib_op *ops;

	if (want <= pl->cap)
		return 0;
	if (want > SIZE_MAX / sizeof(*ops) ||
	    !(ops = realloc(pl->ops, want * sizeof(*ops)))) {
		if (b->err && b->errlen)
			snprintf(b->err, b->errlen, "out of memory for a plan of %zu ops "
				 "of %zu bytes", want, sizeof(*ops));
		return -ENOMEM;
	}
	pl->ops = ops;
	pl->cap = want;
	return 0;
}

static int push(struct builder *b, enum ib_op_kind kind, uint32_t ctx, uint64_t first,
		uint64_t count)
{
	struct ib_plan *pl = b->plan;
	int e;

	if (pl->n == pl->cap && (e = grow(b, pl->cap ? pl->cap * 2 : 64)))
		return e;
	pl->ops[pl->n++] = (struct ib_op){
		.kind = kind,
		.ctx = (uint16_t)ctx,
		.first = (uint32_t)first,
		.count = (uint32_t)count,
		.measured = b->measured,
		.pass = b->pass,
	};
	return 0;
}

/* The op mix repeated burst times, or the order= interleave without ops=. */
static int visit(struct builder *b, uint32_t ctx)
{
	const struct ib_scenario *sc = b->sc;
	uint64_t round, i;
	int e = 0;

	for (round = 0; round < sc->burst; round++) {
		if (sc->mix_given) {
			for (i = 0; i < sc->nmix && !e; i++) {
				switch (sc->mix[i]) {
				case IB_MIX_MAP:
					e = push(b, IB_OP_MAP, ctx, 0, sc->pages);
					break;
				case IB_MIX_UNMAP:
					e = push(b, b->unmap_kind, ctx, 0, sc->pages);
					break;
				case IB_MIX_REMAP:
					e = push(b, IB_OP_REMAP, ctx, 0, sc->pages);
					break;
				case IB_MIX_TOUCH:
					e = push(b, IB_OP_TOUCH, ctx, 0, 1);
					break;
				}
			}
		} else if (sc->order == IB_ORDER_MAP_UNMAP_EACH) {
			for (i = 0; i < sc->pages && !e; i++)
				if (!(e = push(b, IB_OP_MAP, ctx, i, 1)))
					e = push(b, b->unmap_kind, ctx, i, 1);
		} else {
			if (!(e = push(b, IB_OP_MAP, ctx, 0, sc->pages)))
				e = push(b, b->unmap_kind, ctx, 0, sc->pages);
		}
		if (e)
			return e;
	}
	return 0;
}

/* How many ops sc expands to; false if that overflows 64 bits. */
static bool count_ops(const struct ib_scenario *sc, uint64_t *total)
{
	uint64_t round, per_visit, passes, visits, t;

	if (sc->mix_given)
		round = sc->nmix;
	else if (sc->order == IB_ORDER_MAP_UNMAP_EACH)
		round = 2 * sc->pages;
	else
		round = 2;
	return !__builtin_add_overflow(sc->warmup, sc->loops, &passes) &&
	       !__builtin_mul_overflow(round, sc->burst, &per_visit) &&
	       !__builtin_mul_overflow(passes, sc->switches + 1, &visits) &&
	       !__builtin_mul_overflow(visits, per_visit, &t) &&
	       /* one SWITCH per switch, plus the initial SWITCH and END */
	       !__builtin_add_overflow(t, visits - passes + 2, total);
}

/* Timed ioctls of one visit: one per mapping for map and unmap=page, one
 * per unmap=range/context, two per remapped mapping. */
static double visit_ioctls(const struct ib_scenario *sc)
{
	double unmap = sc->invalidate == IB_INV_PAGE ? (double)sc->pages : 1.0, n = 0;

	if (!sc->mix_given)
		return (double)sc->pages + unmap;
	for (size_t i = 0; i < sc->nmix; i++)
		n += sc->mix[i] == IB_MIX_MAP ? (double)sc->pages :
		     sc->mix[i] == IB_MIX_UNMAP ? unmap :
		     sc->mix[i] == IB_MIX_REMAP ? 2.0 * (double)sc->pages : 0.0;
	return n;
}

int ib_plan_estimate(const struct ib_scenario *sc, struct ib_plan_estimate *est)
{
	double passes = (double)sc->warmup + (double)sc->loops;
	double visits = passes * ((double)sc->switches + 1);
	/* a switch: its steps (at most 8 timings) and the resident re-maps */
	double sw = passes * (double)sc->switches * (8.0 + (double)sc->resident);

	memset(est, 0, sizeof(*est));
	est->ops_fit = count_ops(sc, &est->ops);
	est->ioctls = visits * (double)sc->burst * visit_ioctls(sc) + sw;
	est->bytes = (est->ops_fit ? (double)est->ops : visits * (double)sc->burst * 2.0 * (double)sc->pages) *
		     (double)sizeof(struct ib_op) + est->ioctls * SAMPLE_BYTES;
	est->limit = PLAN_MAX_BYTES;
	return est->ops_fit && est->bytes <= (double)PLAN_MAX_BYTES ? 0 : -E2BIG;
}

/* bytes as "1.2 GiB", "300.0 MiB", or "4.0e+12 GiB" when absurd */
static void human(double b, char *buf, size_t n)
{
	double g = b / (1ull << 30), m = b / (1ull << 20);

	if (g >= 1e6)
		snprintf(buf, n, "%.1e GiB", g);
	else if (g >= 1)
		snprintf(buf, n, g == (double)(uint64_t)g ? "%.0f GiB" : "%.1f GiB", g);
	else
		snprintf(buf, n, m == (double)(uint64_t)m ? "%.0f MiB" : "%.1f MiB", m);
}

/* the scenario keys the size grows with */
static const char *const factors[] = { "pages", "loops", "warmup", "switches", "burst", "resident" };
#define NFACTORS (sizeof(factors) / sizeof(factors[0]))

/* "a, b or c": the factors other than skip */
static void others(const char *skip, char *buf, size_t n)
{
	size_t len = 0, k = 0, total = NFACTORS - 1;

	buf[0] = '\0';
	for (size_t f = 0; f < NFACTORS && len < n; f++) {
		if (!strcmp(factors[f], skip))
			continue;
		k++;
		len += snprintf(buf + len, n - len, "%s%s", k == 1 ? "" : k == total ? " or " : ", ",
				factors[f]);
	}
}

/* The key the size grows with most: of those the file or a --set gives, the
 * largest value (loops= as -R overrode it); the later one on a tie. */
static const char *blame(const struct ib_scenario *sc, uint64_t *value)
{
	const char *best = NULL;
	uint64_t best_v = 0;
	int best_pos = 0;

	for (size_t f = 0; f < NFACTORS; f++) {
		const char *key = factors[f];
		int pos = ib_scenario_key_pos(sc, key);
		uint64_t v;

		if (!pos)
			continue;
		v = !strcmp(key, "pages") ? sc->pages : !strcmp(key, "loops") ? sc->loops :
		    !strcmp(key, "warmup") ? sc->warmup : !strcmp(key, "switches") ? sc->switches :
		    !strcmp(key, "burst") ? sc->burst : sc->resident;
		if (!best || v > best_v || (v == best_v && pos > best_pos)) {
			best = key;
			best_v = v;
			best_pos = pos;
		}
	}
	*value = best_v;
	return best;
}

int ib_plan_check(const struct ib_scenario *sc, const char *loops_opt, char *err, size_t errlen)
{
	struct ib_plan_estimate est;
	const char *kv;
	char need[48], limit[48], rest[96], calls[32], where[320];
	uint64_t v;

	if (!ib_plan_estimate(sc, &est))
		return 0;
	if (!err || !errlen)
		return -E2BIG;
	human(est.bytes, need, sizeof(need));
	human((double)est.limit, limit, sizeof(limit));
	snprintf(calls, sizeof(calls), est.ioctls < 1e12 ? "%.0f" : "%.3g", est.ioctls);
	kv = blame(sc, &v);
	if (loops_opt && (!kv || sc->loops >= v))
		snprintf(err, errlen, "%s: %s with this scenario: the plan and its per-ioctl timings "
			 "would need %s for %s ioctls (limit %s); lower --repetitions, or pages, "
			 "switches or burst in %s", sc->path, loops_opt, need, calls, limit, sc->path);
	else if (kv) {
		others(kv, rest, sizeof(rest));
		ib_scenario_key_where(sc, kv, where, sizeof(where));
		snprintf(err, errlen, "%s: key '%s': %s=%llu: the plan and its per-ioctl timings "
			 "would need %s for %s ioctls (limit %s); lower %s, or %s", where,
			 kv, kv, (unsigned long long)v, need, calls, limit, kv, rest);
	} else /* not reachable: the defaults are small */
		snprintf(err, errlen, "%s: the plan and its per-ioctl timings would need %s (limit %s)",
			 sc->path, need, limit);
	return -E2BIG;
}

int ib_plan_build(const struct ib_scenario *sc, struct ib_plan *plan, char *err, size_t errlen)
{
	struct builder b = { .sc = sc, .plan = plan, .err = err, .errlen = errlen };
	struct prng rng = { .state = sc->seed };
	uint64_t total, pass, s, passes = sc->warmup + sc->loops;
	uint32_t ctx = 0;
	int e;

	if (err && errlen)
		err[0] = '\0';
	memset(plan, 0, sizeof(*plan));
	if (sc->contexts < 1 || sc->contexts > IB_SC_MAX_CONTEXTS ||
	    (sc->switches && sc->contexts < 2) || sc->burst < 1 || sc->pages < 1 ||
	    sc->pages > UINT32_MAX || (sc->mix_given && (sc->nmix < 1 || sc->nmix > IB_SC_MAX_MIX))) {
		/* ib_scenario_load() never lets these through */
		if (err && errlen)
			snprintf(err, errlen, "scenario out of range: contexts %u, switches %llu, "
				 "burst %llu, pages %llu, %zu ops", sc->contexts,
				 (unsigned long long)sc->switches, (unsigned long long)sc->burst,
				 (unsigned long long)sc->pages, sc->nmix);
		return -EINVAL;
	}
	/* the scenario file's line and key in the message; run checks it earlier */
	if ((e = ib_plan_check(sc, NULL, err, errlen)))
		return e;
	count_ops(sc, &total);
	switch (sc->invalidate) {
	case IB_INV_RANGE: b.unmap_kind = IB_OP_UNMAP_RANGE; break;
	case IB_INV_CONTEXT: b.unmap_kind = IB_OP_UNMAP_ALL; break;
	default: b.unmap_kind = IB_OP_UNMAP; break;
	}
	/* one allocation for the whole plan; push() grows it if ever short */
	if ((e = grow(&b, (size_t)total)))
		goto fail;

	b.measured = false;
	b.pass = UINT32_MAX;
	if ((e = push(&b, IB_OP_SWITCH, ctx, 0, 0)))
		goto fail;
	for (pass = 0; pass < passes; pass++) {
		b.measured = pass >= sc->warmup;
		b.pass = (uint32_t)pass;
		if ((e = visit(&b, ctx)))
			goto fail;
		for (s = 0; s < sc->switches; s++) {
			if (sc->switch_pattern == IB_SWITCH_RANDOM) {
				uint32_t r = (uint32_t)prng_below(&rng, sc->contexts - 1);

				ctx = r < ctx ? r : r + 1;
			} else {
				ctx = (ctx + 1) % sc->contexts;
			}
			if ((e = push(&b, IB_OP_SWITCH, ctx, 0, 0)))
				goto fail;
			plan->all_switches++;
			if (b.measured)
				plan->switches++;
			if ((e = visit(&b, ctx)))
				goto fail;
		}
	}
	b.measured = false;
	b.pass = UINT32_MAX;
	if ((e = push(&b, IB_OP_END, ctx, 0, 0)))
		goto fail;
	return 0;
fail:
	ib_plan_free(plan);
	return e;
}

void ib_plan_free(struct ib_plan *plan)
{
	free(plan->ops);
	memset(plan, 0, sizeof(*plan));
}

static const char *const op_names[IB_NR_OPS] = {
	[IB_OP_SWITCH] = "switch",
	[IB_OP_MAP] = "map",
	[IB_OP_UNMAP] = "unmap",
	[IB_OP_UNMAP_RANGE] = "unmap_range",
	[IB_OP_UNMAP_ALL] = "unmap_all",
	[IB_OP_REMAP] = "remap",
	[IB_OP_TOUCH] = "touch",
	[IB_OP_END] = "end",
};

const char *ib_op_name(enum ib_op_kind k)
{
	if ((size_t)k < IB_NR_OPS && op_names[k])
		return op_names[k];
	return "unknown";
}
