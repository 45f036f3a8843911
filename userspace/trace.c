// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `trace` results: per-process and per-pagetable figures, and their table. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <bpf/btf.h>
#include "report.h"
#include "escape.h"
#include "trace.h"

json_t *ib_trace_info_json(const struct ib_trace_info *t)
{
	json_t *o = json_object(), *cmd = json_array();

	for (char **a = t->cmd; a && *a; a++)
		json_array_append_new(cmd, json_string(*a));
	json_object_set_new(o, "command", t->cmd ? cmd : (json_decref(cmd), json_null()));
	json_object_set_new(o, "pid", t->pid ? json_integer(t->pid) : json_null());
	if (t->cmd && t->cmd_done && t->status >= 0 && WIFEXITED(t->status))
		json_object_set_new(o, "exit_status", json_integer(WEXITSTATUS(t->status)));
	else
		json_object_set_new(o, "exit_status", json_null());
	if (t->cmd && t->cmd_done && t->status >= 0 && WIFSIGNALED(t->status))
		json_object_set_new(o, "exit_signal", json_string(strsignal(WTERMSIG(t->status))));
	else
		json_object_set_new(o, "exit_signal", json_null());
	json_object_set_new(o, "still_running", json_boolean(t->cmd && !t->cmd_done));
	json_object_set_new(o, "filter_pid", t->filter_pid ? json_integer(t->filter_pid) : json_null());
	json_object_set_new(o, "filter_pid_exited", json_boolean(t->target_exited));
	json_object_set_new(o, "duration_limit_s", t->duration > 0 ? json_real(t->duration) : json_null());
	json_object_set_new(o, "seconds", json_real(t->seconds));
	json_object_set_new(o, "hooks_attached", json_integer(t->attached));
	json_object_set_new(o, "note", json_string(
		"figures per process (outermost calls per role, as ops.*) and per pagetable: the first "
		"argument of the outermost map or unmap call (iommu_domain for the IOMMU core, msm_mmu on "
		"drm/msm, the device for the DMA API); an invalidation or sync is charged to the pagetable "
		"of the map or unmap it runs inside. Interrupt-level work is listed by level. A pagetable is "
		"known by its pointer: one freed and allocated again at the same address keeps its number"));
	return o;
}

void ib_first_param_type(const struct btf *btf, const char *func, char *buf, size_t len)
{
	const struct btf_type *t;
	const struct btf_param *p;
	const char *nm;
	int id;
	bool ptr = false;

	snprintf(buf, len, "unknown");
	if (!btf || !func)
		return;
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0)
		return;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return;
	p = btf_params(t);
	id = (int)p[0].type;
	/* through pointers, const/volatile and typedefs to the named type */
	for (int depth = 0; depth < 8 && id > 0; depth++) {
		t = btf__type_by_id(btf, id);
		if (!t)
			return;
		if (btf_is_ptr(t)) {
			ptr = true;
		} else if (btf_is_struct(t) || btf_is_union(t)) {
			nm = btf__name_by_offset(btf, t->name_off);
			snprintf(buf, len, "%s %s%s", btf_is_struct(t) ? "struct" : "union", nm ? nm : "?",
				 ptr ? "" : " (by value)");
			return;
		} else if (!btf_is_mod(t) && !btf_is_typedef(t)) {
			nm = btf__name_by_offset(btf, t->name_off);
			snprintf(buf, len, "%s", nm && nm[0] ? nm : "?");
			return;
		}
		id = (int)t->type;
	}
}

void ib_trace_mark_pagetables(struct ib_hook *hooks, const struct ib_kernel_env *env)
{
	for (size_t i = 0; i < ib_catalog_len; i++) {
		struct ib_hook *h = &hooks[i];

		h->pt_arg = 0;
		snprintf(h->pt_type, sizeof(h->pt_type), "unknown");
		if (h->def->type != IB_HOOK_FUNC || strchr(h->sym, '.'))
			continue;
		ib_first_param_type(ib_hook_btf(env, h), h->def->name, h->pt_type, sizeof(h->pt_type));
		if (h->def->role == IB_ROLE_MAP || h->def->role == IB_ROLE_UNMAP ||
		    !strcmp(h->pt_type, "struct iommu_domain"))
			h->pt_arg = 1;
	}
}

static const struct ib_hook *hook_of_slot(const struct ib_hook *hooks, uint32_t slot)
{
	for (size_t i = 0; hooks && i < ib_catalog_len; i++)
		if (hooks[i].def->type == IB_HOOK_FUNC && hooks[i].slot == (int)slot && hooks[i].attached)
			return &hooks[i];
	return NULL;
}

/* ops per role and tlb_inv kinds, for a process or a pagetable */
static void figures_json(json_t *o, const struct ib_attr_role *role, const struct ib_attr_inv *inv)
{
	json_t *ops = json_object(), *kinds = json_object();
	uint64_t descs = 0;

	for (int r = 0; r < IB_NR_ROLES; r++) {
		json_t *x;

		if (!role[r].count)
			continue;
		x = json_object();
		json_object_set_new(x, "count", json_integer((json_int_t)role[r].count));
		json_object_set_new(x, "sum_ns", json_integer((json_int_t)role[r].sum_ns));
		json_object_set_new(x, "mean_ns", json_real((double)role[r].sum_ns / (double)role[r].count));
		json_object_set_new(x, "bytes", json_integer((json_int_t)role[r].bytes));
		json_object_set_new(ops, ib_role_name((enum ib_role)r), x);
	}
	for (int k = 0; k < IB_NR_TLB_KINDS; k++) {
		json_t *x;

		descs += inv[k].descs;
		if (!inv[k].count && !inv[k].descs)
			continue;
		x = json_object();
		json_object_set_new(x, "count", json_integer((json_int_t)inv[k].count));
		json_object_set_new(x, "sum_ns", json_integer((json_int_t)inv[k].sum_ns));
		json_object_set_new(x, "descriptors", json_integer((json_int_t)inv[k].descs));
		json_object_set_new(kinds, ib_inv_kind_name(k), x);
	}
	json_object_set_new(o, "ops", ops);
	json_object_set_new(o, "tlb_inv_kinds", kinds);
	json_object_set_new(o, "descriptors", json_integer((json_int_t)descs));
	json_object_set_new(o, "tlb_inv_per_unmap", role[IB_ROLE_UNMAP].count ?
			    json_real((double)role[IB_ROLE_TLB_INV].count / (double)role[IB_ROLE_UNMAP].count) :
			    json_null());
}

static uint64_t work(const struct ib_attr_role *role)
{
	return role[IB_ROLE_MAP].count + role[IB_ROLE_UNMAP].count + role[IB_ROLE_TLB_INV].count +
	       role[IB_ROLE_ATTACH].count + role[IB_ROLE_SWITCH].count;
}

static int by_first_seen(const void *a, const void *b)
{
	const struct ib_trace_pt *x = *(const struct ib_trace_pt *const *)a;
	const struct ib_trace_pt *y = *(const struct ib_trace_pt *const *)b;

	if (x->s.first_ns != y->s.first_ns)
		return x->s.first_ns < y->s.first_ns ? -1 : 1;
	return x->k.pt < y->k.pt ? -1 : x->k.pt > y->k.pt;
}

static int by_weight(const void *a, const void *b)
{
	const struct ib_trace_proc *x = *(const struct ib_trace_proc *const *)a;
	const struct ib_trace_proc *y = *(const struct ib_trace_proc *const *)b;
	uint64_t wx = work(x->s.role), wy = work(y->s.role);

	if (x->s.from_cmd != y->s.from_cmd)
		return x->s.from_cmd ? -1 : 1;
	if (wx != wy)
		return wx > wy ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static const char *irq_name(uint32_t key)
{
	switch (IB_TRACE_IRQ(0) - key) {
	case 1: return "softirq";
	case 2: return "hardirq";
	case 3: return "nmi";
	}
	return NULL;
}

json_t *ib_trace_processes_json(const struct ib_trace_readout *tr, const struct ib_hook *hooks)
{
	const struct ib_trace_pt **pts = calloc(tr->npts + 1, sizeof(*pts));
	const struct ib_trace_proc **procs = calloc(tr->nprocs + 1, sizeof(*procs));
	unsigned *ids = calloc(tr->npts + 1, sizeof(*ids));
	json_t *arr = json_array();
	unsigned next_id = 0;

	if (!pts || !procs || !ids)
		goto out;
	for (size_t i = 0; i < tr->npts; i++)
		pts[i] = &tr->pts[i];
	qsort(pts, tr->npts, sizeof(*pts), by_first_seen);
	/* one number per pointer, in order of first sight */
	for (size_t i = 0; i < tr->npts; i++) {
		ids[i] = 0;
		for (size_t j = 0; j < i; j++)
			if (pts[j]->k.pt == pts[i]->k.pt) {
				ids[i] = ids[j];
				break;
			}
		if (!ids[i])
			ids[i] = ++next_id;
	}
	for (size_t i = 0; i < tr->nprocs; i++)
		procs[i] = &tr->procs[i];
	qsort(procs, tr->nprocs, sizeof(*procs), by_weight);

	for (size_t i = 0; i < tr->nprocs; i++) {
		const struct ib_trace_proc *p = procs[i];
		const char *irq = irq_name(p->key);
		json_t *o = json_object(), *ptl = json_array();
		char comm[IB_COMM_LEN + 1];

		memcpy(comm, p->s.comm, IB_COMM_LEN);
		comm[IB_COMM_LEN] = '\0';
		json_object_set_new(o, "pid", irq ? json_null() : json_integer(p->key));
		json_object_set_new(o, "context", json_string(irq ? irq : "task"));
		if (irq) {
			char nm[32];

			snprintf(nm, sizeof(nm), "(%s)", irq);
			json_object_set_new(o, "name", json_string(nm));
		} else {
			json_object_set_new(o, "name", json_string(comm));
		}
		json_object_set_new(o, "parent", irq ? json_null() : json_integer(p->s.parent));
		json_object_set_new(o, "from_command", json_boolean(p->s.from_cmd));
		figures_json(o, p->s.role, p->s.inv);
		for (size_t j = 0; j < tr->npts; j++) {
			const struct ib_hook *h;
			json_t *x;
			char id[96];

			if (pts[j]->k.tgid != p->key)
				continue;
			x = json_object();
			h = hook_of_slot(hooks, pts[j]->s.first_slot);
			json_object_set_new(x, "id", json_integer(ids[j]));
			json_object_set_new(x, "type", json_string(h && h->pt_type[0] ? h->pt_type : "unknown"));
			/* name@driver where two drivers share the name */
			json_object_set_new(x, "first_hook", h ? json_string(ib_hook_id(h->def, id, sizeof(id))) : json_null());
			figures_json(x, pts[j]->s.role, pts[j]->s.inv);
			json_array_append_new(ptl, x);
		}
		json_object_set_new(o, "pagetables", ptl);
		json_array_append_new(arr, o);
	}
out:
	free(pts);
	free(procs);
	free(ids);
	return arr;
}

static long long geti(json_t *o, const char *path1, const char *path2)
{
	json_t *x = json_object_get(o, path1);

	if (path2)
		x = json_object_get(x, path2);
	return json_is_integer(x) ? (long long)json_integer_value(x) : 0;
}

static long long role_count(json_t *o, const char *role)
{
	return json_integer_value(json_object_get(json_object_get(json_object_get(o, "ops"), role), "count"));
}

/* "kind count, ..." (malloc'd; NULL when none or out of memory) */
static char *kinds_text(json_t *kinds)
{
	const char *k;
	char *text = NULL;
	size_t len = 0;
	json_t *v;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return NULL;
	json_object_foreach(kinds, k, v) {
		long long c = geti(v, "count", NULL);

		if (c)
			fprintf(m, "%s%s %lld", ftell(m) ? ", " : "", ib_term(k), c);
	}
	if (fclose(m) || !len) {
		free(text);
		return NULL;
	}
	return text;
}

void ib_trace_print(FILE *f, json_t *doc)
{
	json_t *tr = json_object_get(doc, "trace"), *procs = json_object_get(doc, "processes"), *p;
	json_t *cmd = json_object_get(tr, "command");
	size_t i;

	if (json_is_array(cmd)) {
		size_t j;
		json_t *a;

		fputs("trace of `", f);
		json_array_foreach(cmd, j, a)
			fprintf(f, "%s%s", j ? " " : "", ib_term(json_string_value(a)));
		fprintf(f, "` (pid %lld)", geti(tr, "pid", NULL));
		if (json_is_integer(json_object_get(tr, "exit_status")))
			fprintf(f, ", exit status %lld", geti(tr, "exit_status", NULL));
		else if (json_is_string(json_object_get(tr, "exit_signal")))
			fprintf(f, ", killed by %s", ib_term(json_string_value(json_object_get(tr, "exit_signal"))));
		else if (json_is_true(json_object_get(tr, "still_running")))
			fputs(", still running", f);
	} else {
		fprintf(f, "trace of %s", json_is_integer(json_object_get(tr, "filter_pid")) ?
			"one process" : "every process");
	}
	fprintf(f, ": %.1f s, %lld hooks attached%s\n", json_real_value(json_object_get(tr, "seconds")),
		geti(tr, "hooks_attached", NULL),
		json_is_true(json_object_get(doc, "timings_emulated")) ? " (lab: times emulated)" : "");
	if (!json_array_size(procs)) {
		fputs("no IOMMU work was seen\n", f);
		return;
	}
	fprintf(f, "%8s  %-16s %3s %9s %9s %7s %9s %9s %7s %4s\n", "pid", "process", "cmd", "maps", "unmaps",
		"attach", "tlb_inv", "descs", "syncs", "pts");
	json_array_foreach(procs, i, p) {
		json_t *pts = json_object_get(p, "pagetables"), *pt;
		char pid[16], *kinds;
		size_t j;

		if (json_is_integer(json_object_get(p, "pid")))
			snprintf(pid, sizeof(pid), "%lld", geti(p, "pid", NULL));
		else
			snprintf(pid, sizeof(pid), "-");
		fprintf(f, "%8s  %-16s %3s %9lld %9lld %7lld %9lld %9lld %7lld %4zu\n", pid,
			ib_term(json_string_value(json_object_get(p, "name"))),
			json_is_true(json_object_get(p, "from_command")) ? "yes" : "", role_count(p, "map"),
			role_count(p, "unmap"), role_count(p, "attach"), role_count(p, "tlb_inv"),
			geti(p, "descriptors", NULL), role_count(p, "tlb_sync"), json_array_size(pts));
		kinds = kinds_text(json_object_get(p, "tlb_inv_kinds"));
		if (kinds)
			fprintf(f, "%10s invalidations by kind: %s\n", "", kinds);
		free(kinds);
		json_array_foreach(pts, j, pt) {
			kinds = kinds_text(json_object_get(pt, "tlb_inv_kinds"));
			fprintf(f, "%10s pagetable %lld (%s, first seen by %s): %lld maps, %lld unmaps, "
				"%lld invalidations%s%s%s, %lld syncs\n", "", geti(pt, "id", NULL),
				ib_term(json_string_value(json_object_get(pt, "type"))),
				json_is_string(json_object_get(pt, "first_hook")) ?
				ib_term(json_string_value(json_object_get(pt, "first_hook"))) : "?",
				role_count(pt, "map"), role_count(pt, "unmap"), role_count(pt, "tlb_inv"),
				kinds ? " (" : "", kinds ? kinds : "", kinds ? ")" : "", role_count(pt, "tlb_sync"));
			free(kinds);
		}
	}
}
