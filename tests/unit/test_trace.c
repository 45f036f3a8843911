// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `trace` results from synthetic probe tables: processes and their order,
 * pagetable numbering (one number per pointer, in order of first sight),
 * interrupt levels, the BTF type naming a pagetable, which hooks carry one,
 * and the printed table. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <bpf/btf.h>
#include "check.h"
#include "trace.h"
#include "keep_doc.h"

static struct ib_hook hooks[512];

static struct ib_hook *hook(const char *name)
{
	for (size_t i = 0; i < ib_catalog_len; i++)
		if (!strcmp(hooks[i].def->name, name))
			return &hooks[i];
	return NULL;
}

/* iommu_map(struct iommu_domain *, ...), intel_iommu_tlb_sync(struct
 * iommu_domain *, ...), iommu_group_replace_domain(struct iommu_group *, ...),
 * msm_iommu_pagetable_map(const struct msm_mmu *...) through a typedef,
 * qi_submit_sync(int) */
static struct btf *fake_btf(void)
{
	struct btf *b = btf__new_empty();
	int sint = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int dom = btf__add_struct(b, "iommu_domain", 8);
	int grp = btf__add_struct(b, "iommu_group", 8);
	int mmu = btf__add_struct(b, "msm_mmu", 8);
	int dom_p = btf__add_ptr(b, dom), grp_p = btf__add_ptr(b, grp);
	int mmu_c = btf__add_const(b, mmu);
	int mmu_t = btf__add_typedef(b, "msm_mmu_t", mmu_c);
	int mmu_p = btf__add_ptr(b, mmu_t);
	struct { const char *name; int arg; } fns[] = {
		{ "iommu_map", dom_p }, { "intel_iommu_tlb_sync", dom_p },
		{ "iommu_group_replace_domain", grp_p }, { "msm_iommu_pagetable_map", mmu_p },
		{ "qi_submit_sync", sint },
	};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		int proto = btf__add_func_proto(b, sint);

		btf__add_func_param(b, "a", fns[i].arg);
		btf__add_func(b, fns[i].name, BTF_FUNC_STATIC, proto);
	}
	return b;
}

static json_t *proc_by_pid(json_t *procs, long long pid)
{
	size_t i;
	json_t *p;

	json_array_foreach(procs, i, p)
		if (json_integer_value(json_object_get(p, "pid")) == pid)
			return p;
	return NULL;
}

static long long count(json_t *o, const char *role)
{
	return json_integer_value(json_object_get(json_object_get(json_object_get(o, "ops"), role), "count"));
}

int main(void)
{
	struct btf *btf = fake_btf();
	char type[96];

	/* the type that names a pagetable */
	ib_first_param_type(btf, "iommu_map", type, sizeof(type));
	CHECK_STR(type, "struct iommu_domain");
	ib_first_param_type(btf, "msm_iommu_pagetable_map", type, sizeof(type));
	CHECK_STR(type, "struct msm_mmu");
	ib_first_param_type(btf, "qi_submit_sync", type, sizeof(type));
	CHECK_STR(type, "int");
	ib_first_param_type(btf, "no_such_function", type, sizeof(type));
	CHECK_STR(type, "unknown");
	ib_first_param_type(NULL, "iommu_map", type, sizeof(type));
	CHECK_STR(type, "unknown");

	/* which hooks carry a pagetable */
	CHECK(ib_catalog_len <= sizeof(hooks) / sizeof(hooks[0]), "room for the catalog");
	for (size_t i = 0; i < ib_catalog_len; i++) {
		hooks[i].def = &ib_catalog[i];
		hooks[i].slot = -1;
	}
	snprintf(hook("dma_map_sg_attrs")->sym, sizeof(hooks[0].sym), "dma_map_sg_attrs.constprop.0");
	{
		struct ib_kernel_env env = { .btf = btf };

		ib_trace_mark_pagetables(hooks, &env);
	}
	CHECK_STR(hook("iommu_map")->pt_type, "struct iommu_domain");
	CHECK_STR(hook("msm_iommu_pagetable_map")->pt_type, "struct msm_mmu");
	CHECK_EQ_U64(hook("iommu_map")->pt_arg, 1);
	CHECK_EQ_U64(hook("iommu_unmap_fast")->pt_arg, 1);           /* a map/unmap hook, BTF or not */
	CHECK_EQ_U64(hook("intel_iommu_tlb_sync")->pt_arg, 1);       /* struct iommu_domain * first */
	CHECK_EQ_U64(hook("iommu_group_replace_domain")->pt_arg, 0); /* a group first */
	CHECK_EQ_U64(hook("qi_submit_sync")->pt_arg, 0);
	CHECK_EQ_U64(hook("dma_map_sg_attrs")->pt_arg, 0);           /* a clone: arguments unread */
	CHECK_EQ_U64(hook("iommu:map")->pt_arg, 0);                  /* a tracepoint */

	/* two processes of the command, one other, one softirq; three
	 * pagetable pointers, 0xA seen by two processes */
	{
		struct ib_trace_proc procs[4];
		struct ib_trace_pt pts[4];
		struct ib_trace_readout tr = { procs, 4, pts, 4 };
		json_t *arr, *p, *pt;

		memset(procs, 0, sizeof(procs));
		memset(pts, 0, sizeof(pts));
		hook("iommu_map")->slot = 3;
		hook("iommu_map")->attached = true;
		hook("intel_iommu_tlb_sync")->slot = 5;
		hook("intel_iommu_tlb_sync")->attached = true;

		procs[0].key = 500;   /* not the command, the most work */
		strcpy(procs[0].s.comm, "kworker/u4:1");
		procs[0].s.role[IB_ROLE_UNMAP].count = 1000;
		procs[1].key = 123;   /* the command */
		strcpy(procs[1].s.comm, "glmark2");
		procs[1].s.from_cmd = 1;
		procs[1].s.parent = 100;
		procs[1].s.role[IB_ROLE_MAP].count = 10;
		procs[1].s.role[IB_ROLE_MAP].sum_ns = 1000;
		procs[1].s.role[IB_ROLE_UNMAP].count = 8;
		procs[1].s.role[IB_ROLE_TLB_INV].count = 4;
		procs[1].s.inv[IB_TLB_RANGE].count = 3;
		procs[1].s.inv[IB_TLB_RANGE].descs = 6;
		procs[1].s.inv[IB_TLB_DOMAIN].count = 1;
		procs[1].s.inv[IB_TLB_DOMAIN].descs = 1;
		procs[2].key = 124;   /* the command's child */
		strcpy(procs[2].s.comm, "glmark2-child");
		procs[2].s.from_cmd = 1;
		procs[2].s.role[IB_ROLE_MAP].count = 30; /* more than 123's 22 */
		procs[3].key = IB_TRACE_IRQ(1);
		procs[3].s.role[IB_ROLE_TLB_INV].count = 7;

		pts[0] = (struct ib_trace_pt){ { 0xB, 123, 0 }, { .first_ns = 300, .first_slot = 3 } };
		pts[0].s.role[IB_ROLE_MAP].count = 4;
		pts[1] = (struct ib_trace_pt){ { 0xA, 124, 0 }, { .first_ns = 200, .first_slot = 3 } };
		pts[2] = (struct ib_trace_pt){ { 0xA, 123, 0 }, { .first_ns = 100, .first_slot = 5 } };
		pts[2].s.role[IB_ROLE_MAP].count = 6;
		pts[2].s.role[IB_ROLE_UNMAP].count = 8;
		pts[2].s.role[IB_ROLE_TLB_INV].count = 4;
		pts[3] = (struct ib_trace_pt){ { 0xC, 500, 0 }, { .first_ns = 400, .first_slot = 9 } };

		arr = ib_trace_processes_json(&tr, hooks);
		CHECK_EQ_U64(json_array_size(arr), 4);
		/* the command's processes first, by work; then the rest by work */
		CHECK_EQ_U64(json_integer_value(json_object_get(json_array_get(arr, 0), "pid")), 124);
		CHECK_EQ_U64(json_integer_value(json_object_get(json_array_get(arr, 1), "pid")), 123);
		CHECK_EQ_U64(json_integer_value(json_object_get(json_array_get(arr, 2), "pid")), 500);
		p = json_array_get(arr, 3);
		CHECK(json_is_null(json_object_get(p, "pid")), "softirq has no pid");
		CHECK_STR(json_string_value(json_object_get(p, "name")), "(softirq)");
		CHECK_STR(json_string_value(json_object_get(p, "context")), "softirq");

		p = proc_by_pid(arr, 123);
		CHECK_STR(json_string_value(json_object_get(p, "name")), "glmark2");
		CHECK(json_is_true(json_object_get(p, "from_command")), "from_command");
		CHECK_EQ_U64(json_integer_value(json_object_get(p, "parent")), 100);
		CHECK_EQ_U64(count(p, "map"), 10);
		CHECK(json_real_value(json_object_get(json_object_get(json_object_get(p, "ops"), "map"), "mean_ns")) == 100.0,
		      "mean_ns");
		CHECK_EQ_U64(json_integer_value(json_object_get(p, "descriptors")), 7);
		CHECK(json_real_value(json_object_get(p, "tlb_inv_per_unmap")) == 0.5, "4 invalidations / 8 unmaps");
		CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(json_object_get(p, "tlb_inv_kinds"),
				"range"), "descriptors")), 6);
		CHECK(!json_object_get(json_object_get(p, "tlb_inv_kinds"), "all"), "kinds never seen are left out");
		CHECK(!json_object_get(json_object_get(p, "ops"), "attach"), "roles never seen are left out");
		/* 0xA first seen at 100: pagetable 1 in both processes; 0xB 2; 0xC 3 */
		CHECK_EQ_U64(json_array_size(json_object_get(p, "pagetables")), 2);
		pt = json_array_get(json_object_get(p, "pagetables"), 0);
		CHECK_EQ_U64(json_integer_value(json_object_get(pt, "id")), 1);
		CHECK_STR(json_string_value(json_object_get(pt, "first_hook")), "intel_iommu_tlb_sync");
		CHECK_STR(json_string_value(json_object_get(pt, "type")), "struct iommu_domain");
		CHECK_EQ_U64(count(pt, "unmap"), 8);
		pt = json_array_get(json_object_get(p, "pagetables"), 1);
		CHECK_EQ_U64(json_integer_value(json_object_get(pt, "id")), 2);
		CHECK_EQ_U64(count(pt, "map"), 4);
		CHECK(json_is_null(json_object_get(pt, "tlb_inv_per_unmap")), "no unmaps: no ratio");
		pt = json_array_get(json_object_get(proc_by_pid(arr, 124), "pagetables"), 0);
		CHECK_EQ_U64(json_integer_value(json_object_get(pt, "id")), 1);
		pt = json_array_get(json_object_get(proc_by_pid(arr, 500), "pagetables"), 0);
		CHECK_EQ_U64(json_integer_value(json_object_get(pt, "id")), 3);
		/* slot 9 is no attached hook: named as unknown, not guessed */
		CHECK(json_is_null(json_object_get(pt, "first_hook")), "unknown hook");
		CHECK_STR(json_string_value(json_object_get(pt, "type")), "unknown");

		/* the printed table */
		{
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			char *argv[] = { "glmark2", "--off-screen", NULL };
			struct ib_trace_info info = { .cmd = argv, .pid = 123, .cmd_done = true,
						      .status = 3 << 8, .seconds = 2.5, .attached = 40 };
			json_t *doc = json_object();

			json_object_set_new(doc, "trace", ib_trace_info_json(&info));
			json_object_set_new(doc, "processes", arr);
			ib_trace_print(f, doc);
			fclose(f);
			CHECK(strstr(buf, "trace of `glmark2 --off-screen` (pid 123), exit status 3: 2.5 s, 40 hooks") != NULL,
			      "header: %s", buf);
			CHECK(strstr(buf, "glmark2          yes        10         8") != NULL, "row: %s", buf);
			CHECK(strstr(buf, "invalidations by kind: range 3, domain 1") != NULL, "kinds: %s", buf);
			CHECK(strstr(buf, "pagetable 1 (struct iommu_domain, first seen by intel_iommu_tlb_sync): "
				      "6 maps, 8 unmaps, 4 invalidations, 0 syncs") != NULL, "pagetable: %s", buf);
			CHECK(strstr(buf, "(softirq)") != NULL, "softirq row: %s", buf);
			free(buf);
			CHECK_EQ_U64(json_integer_value(json_object_get(json_object_get(doc, "trace"), "exit_status")), 3);
			CHECK(json_is_false(json_object_get(json_object_get(doc, "trace"), "still_running")), "done");
			/* completed as cmd_trace.c completes it: a whole trace
			 * document meets the contract report checks */
			{
				json_t *whole = ib_doc_new("2026-12-01T00:00:00Z", "2026-12-01T00:00:02Z");
				char err[512];

				json_object_set_new(whole, "scenario", json_null());
				json_object_set_new(whole, "probes", json_true());
				json_object_update(whole, doc);
				json_object_set_new(whole, "hooks", ib_hooks_json(hooks, NULL));
				json_object_set_new(whole, "ops", json_object());
				json_object_set_new(whole, "drops", ib_drops_json(&(struct ib_err_stats){ 0 }));
				json_object_set_new(whole, "error", json_null());
				json_object_set_new(whole, "interrupted", json_false());
				CHECK(ib_results_validate(whole, "trace.json", err, sizeof(err)) == 0,
				      "whole trace document valid: %s", err);
				keep_doc(whole, "trace.json");
				json_decref(whole);
			}
			json_decref(doc);
		}
	}

	/* the command killed by a signal; no command at all */
	{
		char *argv[] = { "sleep", "100", NULL };
		struct ib_trace_info a = { .cmd = argv, .pid = 9, .cmd_done = true, .status = SIGTERM };
		struct ib_trace_info b = { .filter_pid = 77, .duration = 5 };
		json_t *ja = ib_trace_info_json(&a), *jb = ib_trace_info_json(&b);

		CHECK(json_is_null(json_object_get(ja, "exit_status")), "no exit status when killed");
		CHECK_STR(json_string_value(json_object_get(ja, "exit_signal")), strsignal(SIGTERM));
		CHECK(json_is_null(json_object_get(jb, "command")), "no command");
		CHECK_EQ_U64(json_integer_value(json_object_get(jb, "filter_pid")), 77);
		CHECK(json_is_false(json_object_get(jb, "filter_pid_exited")), "the process did not exit");
		b.target_exited = true;
		json_decref(jb);
		jb = ib_trace_info_json(&b);
		CHECK(json_is_true(json_object_get(jb, "filter_pid_exited")), "the process exited");
		CHECK(json_real_value(json_object_get(jb, "duration_limit_s")) == 5.0, "duration");
		json_decref(ja);
		json_decref(jb);
	}
	btf__free(btf);
	return CHECK_DONE();
}
