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
 * The largest plan built: 2^26 ops (about 1.3 GiB of struct ib_op). A
 * scenario that expands past it (say pages=1048576 with
 * order=map_unmap_each and loops=32) is refused with -E2BIG rather than
 * left to the OOM killer.
 */
#ifndef PLAN_MAX_OPS	/* the fuzz build (tests/fuzz) sets a smaller one */
#define PLAN_MAX_OPS (1ull << 26)
#endif

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
	if (!count_ops(sc, &total)) {
		if (err && errlen)
			snprintf(err, errlen, "the scenario expands to more than 2^64 ops, more "
				 "than the %llu a plan holds; lower loops, warmup, switches, "
				 "burst or pages", PLAN_MAX_OPS);
		return -E2BIG;
	}
	if (total > PLAN_MAX_OPS) {
		if (err && errlen)
			snprintf(err, errlen, "the scenario expands to %llu ops, more than the "
				 "%llu a plan holds; lower loops, warmup, switches, burst or pages",
				 (unsigned long long)total, PLAN_MAX_OPS);
		return -E2BIG;
	}
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
