/* Domain instances from attach/detach events: a pointer reused after a
 * free is a new domain; re-attaching a live domain (replace back) is not. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "contexts.h"
#include "scenario.h"
#include "workload.h"

static void ev(struct ib_readout *r, uint64_t dom, int ctx, int role, int phase)
{
	struct ib_domain_event *e = &r->domain_log[r->ndomain_events++];

	e->domain = dom;
	e->ctx = (uint16_t)ctx;
	e->role = (uint8_t)role;
	e->phase = (uint8_t)phase;
}

static json_t *ctxs(int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(i));
		json_array_append_new(a, o);
	}
	return a;
}

static const char *dom_field(json_t *c, int ctx, size_t i, const char *k)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(c, ctx),
										"domains"), i), k));
}

int main(void)
{
	struct ib_readout *r = calloc(1, sizeof(*r));
	json_t *c, *o;

	/* rebinds: every domain is detached before the next attach, and the
	 * allocator hands the same address out again */
	ev(r, 0xA000, 0, IB_ROLE_ATTACH, IB_PH_SETUP);
	ev(r, 0xA000, 0, IB_ROLE_DETACH, IB_PH_SW_LEAVE);
	ev(r, 0xA000, 1, IB_ROLE_ATTACH, IB_PH_SW_SET_IOMMU);
	ev(r, 0xA000, 1, IB_ROLE_DETACH, IB_PH_SW_LEAVE);
	ev(r, 0xB000, 0, IB_ROLE_ATTACH, IB_PH_SW_SET_IOMMU);
	ev(r, 0xB000, 0, IB_ROLE_DETACH, IB_PH_TEARDOWN);
	c = ctxs(2);
	o = ib_domains_json(r, c);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "instances")), 3);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "pointer_reuses")), 1);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "detach_without_attach")), 0);
	CHECK_EQ_U64(json_array_size(json_object_get(json_array_get(c, 0), "domains")), 2);
	CHECK_EQ_U64(json_array_size(json_object_get(json_array_get(c, 1), "domains")), 1);
	CHECK_STR(dom_field(c, 0, 0, "id"), "d1");
	CHECK_STR(dom_field(c, 1, 0, "id"), "d2");
	CHECK(json_is_true(json_object_get(json_array_get(json_object_get(json_array_get(c, 1), "domains"), 0),
					   "pointer_reused")), "the reused address is flagged");
	CHECK_STR(dom_field(c, 0, 1, "detached_in"), "teardown");
	CHECK_STR(dom_field(c, 1, 0, "attached_in"), "set_iommu");
	json_decref(o);
	json_decref(c);

	/* replace: each context's domain stays alive; switching back to it is
	 * the same instance, not a new one and not a reuse */
	memset(r, 0, sizeof(*r));
	ev(r, 0x1000, 0, IB_ROLE_ATTACH, IB_PH_SETUP);
	ev(r, 0x2000, 1, IB_ROLE_SWITCH, IB_PH_SW_REPLACE);
	ev(r, 0x1000, 0, IB_ROLE_SWITCH, IB_PH_SW_REPLACE);
	ev(r, 0x2000, 1, IB_ROLE_SWITCH, IB_PH_SW_REPLACE);
	ev(r, 0x9999, 1, IB_ROLE_DETACH, IB_PH_TEARDOWN); /* never attached */
	c = ctxs(2);
	o = ib_domains_json(r, c);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "instances")), 2);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "pointer_reuses")), 0);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "detach_without_attach")), 1);
	CHECK_EQ_U64(json_array_size(json_object_get(json_array_get(c, 1), "domains")), 1);
	CHECK_STR(dom_field(c, 1, 0, "attached_in"), "replace");
	json_decref(o);
	json_decref(c);

	/* more events than kept: counted, not stored */
	memset(r, 0, sizeof(*r));
	r->ndomain_events = IB_DOMAIN_LOG + 5;
	c = ctxs(1);
	o = ib_domains_json(r, c);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "events")), IB_DOMAIN_LOG + 5);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "events_kept")), IB_DOMAIN_LOG);
	json_decref(o);
	json_decref(c);

	/* a run that failed before allocating its contexts (ENOMEM) still
	 * writes its document: no context, no crash */
	{
		struct ib_scenario sc = { .contexts = 4 };
		struct ib_workload w = { .sc = &sc };

		c = ib_contexts_json(&w, r);
		CHECK(json_is_array(c) && json_array_size(c) == 0, "contexts of a run without any: []");
		json_decref(c);
		w.sc = NULL;
		c = ib_contexts_json(&w, NULL);
		CHECK(json_is_array(c) && json_array_size(c) == 0, "no scenario either: []");
		json_decref(c);
	}
	free(r);
	return CHECK_DONE();
}
