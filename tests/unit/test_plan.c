// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for userspace/plan.c: a scenario expands to exactly the op
 * sequence its file says, and a seeded random pattern is reproducible. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"
#include "check.h"

static struct ib_scenario sc;
static struct ib_plan plan;
static char err[1024];
static char dir[] = "/tmp/ib_test_plan.XXXXXX";

/* Load a scenario from a job body ("[job]\n" is prepended) and build its
 * plan into pl; returns ib_plan_build's result (or -1 if the file did not
 * load, which is a failed check). */
static int build_body(const char *body, struct ib_plan *pl)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/case.ini", dir);
	f = fopen(path, "w");
	CHECK(f != NULL, "cannot write %s", path);
	if (!f)
		return -1;
	fprintf(f, "[job]\n%s\n", body);
	fclose(f);
	if (ib_scenario_load(path, &sc, err, sizeof(err))) {
		CHECK(0, "scenario did not load: %s", err);
		return -1;
	}
	return ib_plan_build(&sc, pl, err, sizeof(err));
}

struct want {
	enum ib_op_kind kind;
	unsigned ctx, first, count;
	bool measured;
};

static void expect_ops(const struct ib_plan *pl, const struct want *w, size_t n, const char *what)
{
	size_t i;

	CHECK(pl->n == n, "%s: %zu ops, expected %zu", what, pl->n, n);
	for (i = 0; i < n && i < pl->n; i++) {
		const struct ib_op *o = &pl->ops[i];

		CHECK(o->kind == w[i].kind && o->ctx == w[i].ctx && o->first == w[i].first &&
		      o->count == w[i].count && o->measured == w[i].measured,
		      "%s: op %zu is %s ctx %u [%u,+%u) %s, expected %s ctx %u [%u,+%u) %s", what, i,
		      ib_op_name(o->kind), o->ctx, o->first, o->count,
		      o->measured ? "measured" : "unmeasured", ib_op_name(w[i].kind), w[i].ctx,
		      w[i].first, w[i].count, w[i].measured ? "measured" : "unmeasured");
	}
}

/* ctx of each SWITCH op in order (the initial attach first) */
static size_t switch_sequence(const struct ib_plan *pl, unsigned *seq, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < pl->n; i++)
		if (pl->ops[i].kind == IB_OP_SWITCH && n < max)
			seq[n++] = pl->ops[i].ctx;
	return n;
}

static size_t count_kind(const struct ib_plan *pl, enum ib_op_kind k, int ctx)
{
	size_t i, n = 0;

	for (i = 0; i < pl->n; i++)
		if (pl->ops[i].kind == k && (ctx < 0 || pl->ops[i].ctx == (unsigned)ctx))
			n++;
	return n;
}

static void test_basic_ini(void)
{
	static const struct want w[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		{ IB_OP_MAP, 0, 0, 64, true },
		{ IB_OP_UNMAP, 0, 0, 64, true },
		{ IB_OP_END, 0, 0, 0, false },
	};

	CHECK(ib_scenario_load("scenarios/basic.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_plan_build(&sc, &plan, err, sizeof(err)) == 0, "%s", err);
	expect_ops(&plan, w, 4, "basic.ini");
	CHECK_EQ_U64(plan.switches, 0);
	CHECK_EQ_U64(plan.all_switches, 0);
	ib_plan_free(&plan);
	CHECK(plan.ops == NULL && plan.n == 0 && plan.cap == 0, "plan not emptied by free");
}

/* order=map_unmap_each with one warm-up pass and two measured ones */
static void test_map_unmap_each(void)
{
	static const struct want w[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		/* warm-up pass */
		{ IB_OP_MAP, 0, 0, 1, false }, { IB_OP_UNMAP, 0, 0, 1, false },
		{ IB_OP_MAP, 0, 1, 1, false }, { IB_OP_UNMAP, 0, 1, 1, false },
		{ IB_OP_MAP, 0, 2, 1, false }, { IB_OP_UNMAP, 0, 2, 1, false },
		/* measured passes */
		{ IB_OP_MAP, 0, 0, 1, true }, { IB_OP_UNMAP, 0, 0, 1, true },
		{ IB_OP_MAP, 0, 1, 1, true }, { IB_OP_UNMAP, 0, 1, 1, true },
		{ IB_OP_MAP, 0, 2, 1, true }, { IB_OP_UNMAP, 0, 2, 1, true },
		{ IB_OP_MAP, 0, 0, 1, true }, { IB_OP_UNMAP, 0, 0, 1, true },
		{ IB_OP_MAP, 0, 1, 1, true }, { IB_OP_UNMAP, 0, 1, 1, true },
		{ IB_OP_MAP, 0, 2, 1, true }, { IB_OP_UNMAP, 0, 2, 1, true },
		{ IB_OP_END, 0, 0, 0, false },
	};
	static const struct want w_all[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		{ IB_OP_MAP, 0, 0, 5, false }, { IB_OP_UNMAP, 0, 0, 5, false },
		{ IB_OP_MAP, 0, 0, 5, false }, { IB_OP_UNMAP, 0, 0, 5, false },
		{ IB_OP_MAP, 0, 0, 5, true }, { IB_OP_UNMAP, 0, 0, 5, true },
		{ IB_OP_END, 0, 0, 0, false },
	};

	CHECK(build_body("pages=3\norder=map_unmap_each\nloops=2\nwarmup=1", &plan) == 0, "%s", err);
	expect_ops(&plan, w, sizeof(w) / sizeof(w[0]), "map_unmap_each");
	CHECK_EQ_U64(plan.switches, 0);
	ib_plan_free(&plan);

	CHECK(build_body("pages=5\nloops=1\nwarmup=2", &plan) == 0, "%s", err);
	expect_ops(&plan, w_all, sizeof(w_all) / sizeof(w_all[0]), "map_all_then_unmap_all");
	ib_plan_free(&plan);
}

/* 8 contexts, 16 round-robin switches, map/touch/unmap per visit */
static void test_round_robin(void)
{
	static const unsigned want_seq[17] = { 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0 };
	static const struct want head[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		{ IB_OP_MAP, 0, 0, 16, true }, { IB_OP_TOUCH, 0, 0, 1, true },
		{ IB_OP_UNMAP, 0, 0, 16, true },
		{ IB_OP_SWITCH, 1, 0, 0, true },
		{ IB_OP_MAP, 1, 0, 16, true }, { IB_OP_TOUCH, 1, 0, 1, true },
		{ IB_OP_UNMAP, 1, 0, 16, true },
		{ IB_OP_SWITCH, 2, 0, 0, true },
	};
	unsigned seq[64];
	size_t n, i;
	int c;

	CHECK(build_body("contexts=8\nswitches=16\npages=16\nops=map,touch,unmap", &plan) == 0,
	      "%s", err);
	/* 17 visits of 3 ops, 16 switches, the initial attach and the end */
	CHECK_EQ_U64(plan.n, 17 * 3 + 16 + 2);
	n = switch_sequence(&plan, seq, 64);
	CHECK_EQ_U64(n, 17);
	for (i = 0; i < 17 && i < n; i++)
		CHECK(seq[i] == want_seq[i], "switch %zu goes to %u, expected %u", i, seq[i],
		      want_seq[i]);
	CHECK_EQ_U64(plan.switches, 16);
	CHECK_EQ_U64(plan.all_switches, 16);
	/* the first ops exactly */
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		CHECK(plan.ops[i].kind == head[i].kind && plan.ops[i].ctx == head[i].ctx &&
		      plan.ops[i].first == head[i].first && plan.ops[i].count == head[i].count &&
		      plan.ops[i].measured == head[i].measured, "op %zu is %s ctx %u", i,
		      ib_op_name(plan.ops[i].kind), plan.ops[i].ctx);
	/* context 0 is visited three times (start, after 8, after 16), the others twice */
	for (c = 0; c < 8; c++) {
		size_t visits = c == 0 ? 3 : 2;

		CHECK(count_kind(&plan, IB_OP_MAP, c) == visits, "ctx %d: %zu MAPs, expected %zu",
		      c, count_kind(&plan, IB_OP_MAP, c), visits);
		CHECK(count_kind(&plan, IB_OP_TOUCH, c) == visits, "ctx %d: TOUCHes", c);
		CHECK(count_kind(&plan, IB_OP_UNMAP, c) == visits, "ctx %d: UNMAPs", c);
	}
	CHECK_EQ_U64(count_kind(&plan, IB_OP_MAP, -1), 17);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_UNMAP, -1), 17);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_TOUCH, -1), 17);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_SWITCH, -1), 17);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_UNMAP_RANGE, -1), 0);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_REMAP, -1), 0);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_END, -1), 1);
	CHECK(plan.ops[plan.n - 1].kind == IB_OP_END && plan.ops[plan.n - 1].ctx == 0,
	      "last op is %s ctx %u", ib_op_name(plan.ops[plan.n - 1].kind),
	      plan.ops[plan.n - 1].ctx);
	ib_plan_free(&plan);
}

/* Passes continue from where the previous one ended; warm-up switches are
 * in all_switches only. */
static void test_passes_continue(void)
{
	static const unsigned want_seq[] = { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0 };
	unsigned seq[16];
	size_t n, i, measured_switches = 0;

	/* 3 passes x 3 switches over 3 contexts: 0 | 1 2 0 | 1 2 0 | 1 2 0 */
	CHECK(build_body("contexts=3\nswitches=3\nloops=2\nwarmup=1\npages=2", &plan) == 0, "%s",
	      err);
	n = switch_sequence(&plan, seq, 16);
	CHECK_EQ_U64(n, 10);
	for (i = 0; i < n && i < 10; i++)
		CHECK(seq[i] == want_seq[i], "switch %zu goes to %u, expected %u", i, seq[i],
		      want_seq[i]);
	CHECK_EQ_U64(plan.switches, 6);
	CHECK_EQ_U64(plan.all_switches, 9);
	for (i = 0; i < plan.n; i++)
		if (plan.ops[i].kind == IB_OP_SWITCH && plan.ops[i].measured)
			measured_switches++;
	CHECK_EQ_U64(measured_switches, 6);
	/* 12 visits of MAP + UNMAP, 9 switches, attach, end */
	CHECK_EQ_U64(plan.n, 12 * 2 + 9 + 2);
	/* the attach and the warm-up pass (visit + 3 x (switch + visit)): 12 ops unmeasured */
	for (i = 0; i < plan.n; i++) {
		bool want = i >= 12 && i < plan.n - 1;

		CHECK(plan.ops[i].measured == want, "op %zu (%s) measured=%d", i,
		      ib_op_name(plan.ops[i].kind), plan.ops[i].measured);
	}
	/* each pass is 11 ops (4 visits of 2, 3 switches): its index is the
	 * repetition the engine files the samples under; attach and end: none */
	CHECK_EQ_U64(plan.ops[0].pass, UINT32_MAX);
	CHECK_EQ_U64(plan.ops[plan.n - 1].pass, UINT32_MAX);
	for (i = 1; i + 1 < plan.n; i++)
		CHECK(plan.ops[i].pass == (i - 1) / 11, "op %zu in pass %u, expected %zu", i,
		      plan.ops[i].pass, (i - 1) / 11);
	ib_plan_free(&plan);
}

static bool same_plan(const struct ib_plan *a, const struct ib_plan *b)
{
	size_t i;

	if (a->n != b->n || a->switches != b->switches || a->all_switches != b->all_switches)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->ops[i].kind != b->ops[i].kind || a->ops[i].ctx != b->ops[i].ctx ||
		    a->ops[i].first != b->ops[i].first || a->ops[i].count != b->ops[i].count ||
		    a->ops[i].measured != b->ops[i].measured)
			return false;
	return true;
}

static void test_random(void)
{
	/* splitmix64 seeded with 42, computed independently of plan.c (from the
	 * published algorithm, checked against its reference output for seed
	 * 1234567): the same on every machine */
	static const unsigned want_seq[25] = {
		0, 6, 5, 0, 3, 7, 4, 2, 7, 6, 5, 6, 7, 1, 5, 0, 6, 3, 5, 4, 7, 6, 4, 6, 4,
	};
	static const unsigned want_seq3[13] = { 0, 2, 0, 1, 2, 0, 2, 0, 1, 2, 1, 2, 0 };
	static unsigned seq_a[1001], seq_b[1001];
	struct ib_plan again = {0};
	size_t n, i, visits[8] = {0}, moves[8][8] = {{0}}, differ = 0;
	unsigned c, d;

	CHECK(build_body("contexts=8\nswitch=random\nseed=42\nswitches=24", &plan) == 0, "%s", err);
	n = switch_sequence(&plan, seq_a, 1001);
	CHECK_EQ_U64(n, 25);
	for (i = 0; i < n && i < 25; i++)
		CHECK(seq_a[i] == want_seq[i], "seed 42: switch %zu goes to %u, expected %u", i,
		      seq_a[i], want_seq[i]);
	ib_plan_free(&plan);

	CHECK(build_body("contexts=3\nswitch=random\nseed=7\nswitches=12", &plan) == 0, "%s", err);
	n = switch_sequence(&plan, seq_a, 1001);
	CHECK_EQ_U64(n, 13);
	for (i = 0; i < n && i < 13; i++)
		CHECK(seq_a[i] == want_seq3[i], "seed 7: switch %zu goes to %u, expected %u", i,
		      seq_a[i], want_seq3[i]);
	ib_plan_free(&plan);

	/* the same seed twice: the same plan */
	CHECK(build_body("contexts=8\nswitch=random\nseed=1234\nswitches=1000\npages=4\n"
			 "ops=map,touch,unmap", &plan) == 0, "%s", err);
	CHECK(build_body("contexts=8\nswitch=random\nseed=1234\nswitches=1000\npages=4\n"
			 "ops=map,touch,unmap", &again) == 0, "%s", err);
	CHECK(same_plan(&plan, &again), "seed 1234 gave two different plans");
	CHECK_EQ_U64(plan.switches, 1000);
	n = switch_sequence(&plan, seq_a, 1001);
	CHECK_EQ_U64(n, 1001);
	CHECK_EQ_U64(seq_a[0], 0);
	for (i = 0; i < n; i++) {
		visits[seq_a[i]]++;
		if (i) {
			CHECK(seq_a[i] != seq_a[i - 1], "switch %zu stays in context %u", i, seq_a[i]);
			moves[seq_a[i - 1]][seq_a[i]]++;
		}
	}
	/* every context visited, every move between two contexts made; with
	 * 1000 uniform draws each context gets about 125 visits */
	for (c = 0; c < 8; c++) {
		CHECK(visits[c] >= 90 && visits[c] <= 160, "context %u visited %zu times of 1001",
		      c, visits[c]);
		for (d = 0; d < 8; d++)
			if (d != c)
				CHECK(moves[c][d] > 0, "no switch from %u to %u in 1000", c, d);
	}
	/* each visit still maps, touches and unmaps in the context switched to */
	for (i = 0; i + 1 < plan.n; i++)
		if (plan.ops[i].kind == IB_OP_SWITCH)
			CHECK(plan.ops[i + 1].kind == IB_OP_MAP &&
			      plan.ops[i + 1].ctx == plan.ops[i].ctx, "op %zu after a switch", i + 1);
	ib_plan_free(&again);

	/* another seed: another sequence */
	CHECK(build_body("contexts=8\nswitch=random\nseed=1235\nswitches=1000\npages=4\n"
			 "ops=map,touch,unmap", &again) == 0, "%s", err);
	CHECK(switch_sequence(&again, seq_b, 1001) == 1001, "seed 1235: switch count");
	for (i = 0; i < 1001; i++)
		differ += seq_a[i] != seq_b[i];
	/* two independent sequences agree at about 1 in 7 places */
	CHECK(differ > 700, "seeds 1234 and 1235 differ at only %zu of 1001 switches", differ);
	ib_plan_free(&again);
	ib_plan_free(&plan);

	/* two contexts: random can only alternate */
	CHECK(build_body("contexts=2\nswitch=random\nseed=99\nswitches=9", &plan) == 0, "%s", err);
	n = switch_sequence(&plan, seq_a, 1001);
	CHECK_EQ_U64(n, 10);
	for (i = 0; i < n; i++)
		CHECK(seq_a[i] == i % 2, "2 contexts: switch %zu goes to %u", i, seq_a[i]);
	ib_plan_free(&plan);

	/* seed 0 is a seed like any other */
	CHECK(build_body("contexts=4\nswitch=random\nseed=0\nswitches=50", &plan) == 0, "%s", err);
	CHECK(build_body("contexts=4\nswitch=random\nseed=0\nswitches=50", &again) == 0, "%s", err);
	CHECK(same_plan(&plan, &again), "seed 0 gave two different plans");
	ib_plan_free(&again);
	ib_plan_free(&plan);
}

static void test_invalidate_and_burst(void)
{
	static const struct want range[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		{ IB_OP_MAP, 0, 0, 32, true }, { IB_OP_UNMAP_RANGE, 0, 0, 32, true },
		{ IB_OP_SWITCH, 1, 0, 0, true },
		{ IB_OP_MAP, 1, 0, 32, true }, { IB_OP_UNMAP_RANGE, 1, 0, 32, true },
		{ IB_OP_END, 1, 0, 0, false },
	};
	static const struct want all[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		{ IB_OP_MAP, 0, 0, 32, true }, { IB_OP_UNMAP_ALL, 0, 0, 32, true },
		{ IB_OP_SWITCH, 1, 0, 0, true },
		{ IB_OP_MAP, 1, 0, 32, true }, { IB_OP_UNMAP_ALL, 1, 0, 32, true },
		{ IB_OP_END, 1, 0, 0, false },
	};
	/* burst=3: the mix three times per visit */
	static const struct want burst[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		{ IB_OP_MAP, 0, 0, 4, true }, { IB_OP_REMAP, 0, 0, 4, true },
		{ IB_OP_TOUCH, 0, 0, 1, true }, { IB_OP_UNMAP_RANGE, 0, 0, 4, true },
		{ IB_OP_MAP, 0, 0, 4, true }, { IB_OP_REMAP, 0, 0, 4, true },
		{ IB_OP_TOUCH, 0, 0, 1, true }, { IB_OP_UNMAP_RANGE, 0, 0, 4, true },
		{ IB_OP_MAP, 0, 0, 4, true }, { IB_OP_REMAP, 0, 0, 4, true },
		{ IB_OP_TOUCH, 0, 0, 1, true }, { IB_OP_UNMAP_RANGE, 0, 0, 4, true },
		{ IB_OP_SWITCH, 1, 0, 0, true },
		{ IB_OP_MAP, 1, 0, 4, true }, { IB_OP_REMAP, 1, 0, 4, true },
		{ IB_OP_TOUCH, 1, 0, 1, true }, { IB_OP_UNMAP_RANGE, 1, 0, 4, true },
		{ IB_OP_MAP, 1, 0, 4, true }, { IB_OP_REMAP, 1, 0, 4, true },
		{ IB_OP_TOUCH, 1, 0, 1, true }, { IB_OP_UNMAP_RANGE, 1, 0, 4, true },
		{ IB_OP_MAP, 1, 0, 4, true }, { IB_OP_REMAP, 1, 0, 4, true },
		{ IB_OP_TOUCH, 1, 0, 1, true }, { IB_OP_UNMAP_RANGE, 1, 0, 4, true },
		{ IB_OP_END, 1, 0, 0, false },
	};
	/* without ops=, burst repeats the order= interleave and invalidate= still applies */
	static const struct want each[] = {
		{ IB_OP_SWITCH, 0, 0, 0, false },
		{ IB_OP_MAP, 0, 0, 1, true }, { IB_OP_UNMAP_ALL, 0, 0, 1, true },
		{ IB_OP_MAP, 0, 1, 1, true }, { IB_OP_UNMAP_ALL, 0, 1, 1, true },
		{ IB_OP_MAP, 0, 0, 1, true }, { IB_OP_UNMAP_ALL, 0, 0, 1, true },
		{ IB_OP_MAP, 0, 1, 1, true }, { IB_OP_UNMAP_ALL, 0, 1, 1, true },
		{ IB_OP_END, 0, 0, 0, false },
	};

	CHECK(build_body("contexts=2\nswitches=1\npages=32\nops=map,unmap\ninvalidate=range",
			 &plan) == 0, "%s", err);
	expect_ops(&plan, range, sizeof(range) / sizeof(range[0]), "invalidate=range");
	ib_plan_free(&plan);
	CHECK(build_body("contexts=2\nswitches=1\npages=32\nops=map,unmap\ninvalidate=context",
			 &plan) == 0, "%s", err);
	expect_ops(&plan, all, sizeof(all) / sizeof(all[0]), "invalidate=context");
	ib_plan_free(&plan);
	/* without ops=, map_all_then_unmap_all gives the same plan */
	CHECK(build_body("contexts=2\nswitches=1\npages=32\ninvalidate=context", &plan) == 0,
	      "%s", err);
	expect_ops(&plan, all, sizeof(all) / sizeof(all[0]), "invalidate=context, no ops=");
	ib_plan_free(&plan);
	CHECK(build_body("contexts=2\nswitches=1\npages=4\nburst=3\n"
			 "ops=map,remap,touch,unmap\ninvalidate=range", &plan) == 0, "%s", err);
	expect_ops(&plan, burst, sizeof(burst) / sizeof(burst[0]), "burst=3");
	ib_plan_free(&plan);
	CHECK(build_body("pages=2\nburst=2\norder=map_unmap_each\ninvalidate=context", &plan) == 0,
	      "%s", err);
	expect_ops(&plan, each, sizeof(each) / sizeof(each[0]), "burst=2, map_unmap_each");
	ib_plan_free(&plan);
}

/* The shipped scenarios expand as their comments say. */
static void test_shipped(void)
{
	static const char *const files[] = {
		"scenarios/invalidate-patterns.ini",
		"scenarios/invalidate-range.ini",
		"scenarios/invalidate-context.ini",
	};
	static const enum ib_op_kind unmap[] = { IB_OP_UNMAP, IB_OP_UNMAP_RANGE, IB_OP_UNMAP_ALL };
	unsigned seq[32];
	size_t i, k;

	CHECK(ib_scenario_load("scenarios/aux-switch.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_plan_build(&sc, &plan, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(plan.switches, 16);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_MAP, -1), 17);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_TOUCH, -1), 17);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_UNMAP, -1), 17);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_MAP, 0), 3);
	CHECK_EQ_U64(count_kind(&plan, IB_OP_MAP, 7), 2);
	CHECK_EQ_U64(plan.ops[1].count, 16);
	ib_plan_free(&plan);

	for (i = 0; i < 3; i++) {
		CHECK(ib_scenario_load(files[i], &sc, err, sizeof(err)) == 0, "%s", err);
		CHECK(ib_plan_build(&sc, &plan, err, sizeof(err)) == 0, "%s", err);
		CHECK_EQ_U64(plan.n, 5 * 2 + 4 + 2);
		CHECK_EQ_U64(plan.switches, 4);
		CHECK_EQ_U64(switch_sequence(&plan, seq, 32), 5);
		CHECK(seq[0] == 0 && seq[1] == 1 && seq[2] == 0 && seq[3] == 1 && seq[4] == 0,
		      "%s: switch sequence", files[i]);
		CHECK_EQ_U64(count_kind(&plan, IB_OP_MAP, -1), 5);
		CHECK_EQ_U64(count_kind(&plan, unmap[i], -1), 5);
		for (k = 0; k < plan.n; k++)
			if (plan.ops[k].kind == IB_OP_MAP || plan.ops[k].kind == unmap[i])
				CHECK(plan.ops[k].first == 0 && plan.ops[k].count == 32,
				      "%s: op %zu covers [%u,+%u)", files[i], k, plan.ops[k].first,
				      plan.ops[k].count);
		ib_plan_free(&plan);
	}
}

/* A scenario too large to expand is refused, not left to the OOM killer. */
static void test_limits(void)
{
	struct ib_scenario big;

	struct ib_plan_estimate est;

	/* 2^26 + 2 ops of 24 bytes and 2^26 timed ioctls: refused from the
	 * numbers alone, naming the file, the line and the key */
	CHECK(build_body("pages=1048576\norder=map_unmap_each\nloops=32", &plan) == -E2BIG,
	      "a 2^26 + 2 op plan was built");
	CHECK(strstr(err, "/case.ini:2: key 'pages': pages=1048576: ") &&
	      strstr(err, "would need 2.5 GiB for 67108864 ioctls (limit 256 MiB); lower pages, or "),
	      "err: %s", err);
	CHECK(plan.ops == NULL && plan.n == 0, "a refused plan holds ops");
	CHECK(ib_plan_estimate(&sc, &est) == -E2BIG && est.ops_fit, "estimate");
	CHECK_EQ_U64(est.ops, (1ull << 26) + 2);
	/* switches and bursts count too: blamed, the largest factor */
	CHECK(build_body("contexts=2\nswitches=1000000\nburst=1000", &plan) == -E2BIG,
	      "a 2-billion-op plan was built");
	CHECK(strstr(err, "/case.ini:3: key 'switches': switches=1000000: ") &&
	      strstr(err, "(limit 256 MiB); lower switches, or "), "err: %s", err);
	/* overflow of the op count itself */
	CHECK(build_body("contexts=2\nswitches=1000000\nburst=1000000\nloops=18446744073709551615",
			 &plan) == -E2BIG, "an overflowing plan was built");
	CHECK(strstr(err, "/case.ini:5: key 'loops': loops=18446744073709551615: ") != NULL, "err: %s", err);
	CHECK(ib_plan_estimate(&sc, &est) == -E2BIG && !est.ops_fit, "overflow not seen");
	/* --repetitions overriding loops= is named as the option */
	CHECK(build_body("pages=4\nloops=2", &plan) == 0, "%s", err);
	ib_plan_free(&plan);
	sc.loops = 1000000000;
	CHECK(ib_plan_check(&sc, "--repetitions 1000000000", err, sizeof(err)) == -E2BIG, "-R not refused");
	CHECK(strstr(err, "/case.ini: --repetitions 1000000000 with this scenario: ") &&
	      strstr(err, "lower --repetitions"), "err: %s", err);
	/* a large plan within the limit builds, and the estimate's op count is exact */
	CHECK(build_body("pages=4\nloops=1000000", &plan) == 0, "%s", err);
	CHECK_EQ_U64(plan.n, 2000002);
	CHECK(ib_plan_estimate(&sc, &est) == 0 && est.ops == plan.n, "estimate %llu ops",
	      (unsigned long long)est.ops);
	CHECK(est.bytes < (double)est.limit && est.bytes >= (double)plan.n * sizeof(struct ib_op),
	      "estimate %.0f bytes", est.bytes);
	ib_plan_free(&plan);
	/* the limit is a size, not an op count: a few ops of huge visits are refused */
	CHECK(build_body("pages=1048576\nops=map,unmap\nburst=10", &plan) == -E2BIG, "%s", err);
	CHECK(strstr(err, "key 'pages'") != NULL, "err: %s", err);
	/* a scenario the parser would never pass */
	CHECK(ib_scenario_load("scenarios/basic.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	big = sc;
	big.switches = 3;
	CHECK(ib_plan_build(&big, &plan, err, sizeof(err)) == -EINVAL, "switches with 1 context");
	CHECK(strstr(err, "out of range") != NULL, "err: %s", err);
	big = sc;
	big.contexts = 0;
	CHECK(ib_plan_build(&big, &plan, err, sizeof(err)) == -EINVAL, "0 contexts");
}

static void test_names(void)
{
	CHECK_STR(ib_op_name(IB_OP_SWITCH), "switch");
	CHECK_STR(ib_op_name(IB_OP_MAP), "map");
	CHECK_STR(ib_op_name(IB_OP_UNMAP), "unmap");
	CHECK_STR(ib_op_name(IB_OP_UNMAP_RANGE), "unmap_range");
	CHECK_STR(ib_op_name(IB_OP_UNMAP_ALL), "unmap_all");
	CHECK_STR(ib_op_name(IB_OP_REMAP), "remap");
	CHECK_STR(ib_op_name(IB_OP_TOUCH), "touch");
	CHECK_STR(ib_op_name(IB_OP_END), "end");
	CHECK_STR(ib_op_name(IB_NR_OPS), "unknown");
}

int main(void)
{
	char path[600];

	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	test_basic_ini();
	test_map_unmap_each();
	test_round_robin();
	test_passes_continue();
	test_random();
	test_invalidate_and_burst();
	test_shipped();
	test_limits();
	test_names();
	snprintf(path, sizeof(path), "%s/case.ini", dir);
	unlink(path);
	rmdir(dir);
	return CHECK_DONE();
}
