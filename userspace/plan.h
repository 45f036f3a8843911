/* A scenario expanded into the exact sequence of operations a run performs. */
#ifndef IB_PLAN_H
#define IB_PLAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "scenario.h"

enum ib_op_kind {
	IB_OP_SWITCH = 0, /* make ctx the device's context: the plan's first op
			   * attaches it (not a switch); later ones rebind and
			   * re-map the resident set */
	IB_OP_MAP,        /* map working-set mappings [first, first+count), one ioctl each */
	IB_OP_UNMAP,      /* unmap them, one ioctl each (invalidate=page) */
	IB_OP_UNMAP_RANGE,/* one ioctl covering [first, first+count) (invalidate=range) */
	IB_OP_UNMAP_ALL,  /* one ioctl removing every mapping of ctx (invalidate=context) */
	IB_OP_REMAP,      /* for each of [first, first+count): unmap then map, one ioctl each */
	IB_OP_TOUCH,      /* isolation check through working-set mapping `first` */
	IB_OP_END,        /* the plan's last op: the device leaves its context (detach) */
	IB_NR_OPS,
};

struct ib_op {
	enum ib_op_kind kind;
	uint16_t ctx;
	uint32_t first, count; /* working-set mapping indices (0..pages-1) */
	bool measured;         /* false in warm-up passes */
	uint32_t pass;         /* 0.. over warm-up and measured passes; the attach and end: -1 */
};

struct ib_plan {
	struct ib_op *ops;
	size_t n, cap;
	uint64_t switches;     /* SWITCH ops after the first (real switches), measured passes only */
	uint64_t all_switches; /* the same over warm-up and measured passes */
};

/* Expand sc into:
 *   SWITCH(ctx 0, the initial attach)
 *   warmup + loops passes, each:  visit ; { SWITCH(next ctx) ; visit } x switches
 *   END
 * A visit is the op mix repeated `burst` times; without ops= it is the
 * order= interleave of basic.ini (map all then unmap all: MAP(0,pages),
 * UNMAP(0,pages); map_unmap_each: MAP(i,1), UNMAP(i,1) for each i). An
 * `unmap` in the mix becomes UNMAP, UNMAP_RANGE or UNMAP_ALL as invalidate=
 * says. Passes continue from the context the previous pass ended in.
 * Round-robin goes to (ctx + 1) % contexts; random draws uniformly among the
 * other contexts from a PRNG of our own seeded with `seed`, so a seed gives
 * the same plan on every machine. Ops of warm-up passes have measured=false. */
int ib_plan_build(const struct ib_scenario *sc, struct ib_plan *plan, char *err, size_t errlen);
void ib_plan_free(struct ib_plan *plan);

/* What sc's run sets aside before and while it runs, from its numbers alone. */
struct ib_plan_estimate {
	uint64_t ops;   /* plan ops, exact (when ops_fit) */
	bool ops_fit;   /* false: the op count overflows 64 bits */
	double ioctls;  /* timed ioctls, each keeping a sample (an estimate) */
	double bytes;   /* plan + samples */
	uint64_t limit; /* the most a run may set aside */
};

/* 0 when the run fits the limit, else -E2BIG; est filled either way. */
int ib_plan_estimate(const struct ib_scenario *sc, struct ib_plan_estimate *est);

/* ib_plan_estimate() with the message a user needs: the scenario file, the
 * line and key that grows it most (or loops_opt, e.g. "--repetitions 9",
 * when that overrode loops= and is the largest factor), what it would
 * need, the limit and what to lower. Nothing is allocated. */
int ib_plan_check(const struct ib_scenario *sc, const char *loops_opt, char *err, size_t errlen);
const char *ib_op_name(enum ib_op_kind k);

#endif
