/* The BPF object opens (not loads: no privileges needed) and has the
 * programs and maps user space expects to find by name, and the loader
 * configures an opened object from a hook selection as it should. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "iommubench.h"
#include "iommubench.skel.h"
#include "hooks.h"
#include "probes.h"

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

static int autoloaded(struct iommubench_bpf *skel)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, skel->obj)
		n += bpf_program__autoload(prog);
	return n;
}

static bool loads(struct iommubench_bpf *skel, const char *kind, int slot)
{
	char name[32];
	struct bpf_program *prog;

	snprintf(name, sizeof(name), "%s_0%o", kind, slot);
	prog = bpf_object__find_program_by_name(skel->obj, name);
	return prog && bpf_program__autoload(prog);
}

/* every catalog entry, none selected */
static struct ib_hook *no_hooks(void)
{
	struct ib_hook *h = calloc(ib_catalog_len, sizeof(*h));

	for (size_t i = 0; h && i < ib_catalog_len; i++) {
		h[i].def = &ib_catalog[i];
		h[i].slot = -1;
	}
	return h;
}

/* the first catalog entry after index `after` of this type and role
 * (decoded: its invalidation kind read from an argument), or -1 */
static int find(enum ib_hook_type type, enum ib_role role, bool decoded, int after)
{
	for (size_t i = (size_t)(after + 1); i < ib_catalog_len; i++)
		if (ib_catalog[i].type == type && ib_catalog[i].role == role && !ib_catalog[i].per_driver &&
		    (!decoded || ib_catalog[i].decode != IB_KIND_STATIC))
			return (int)i;
	return -1;
}

/*
 * What ib_probes_configure (probes.c) decides from a hook selection, before
 * load: per slot, .rodata from the catalog entry and the arguments chosen
 * (an argument-decoded kind only when the argument was found); autoload on
 * exactly the programs of the hooks' modes; the comm filter cut to the
 * kernel's task name length; the fork tracepoint only for trace.
 */
static void configure_checks(struct iommubench_bpf *skel)
{
	struct ib_hook *hooks = no_hooks();
	int u = find(IB_HOOK_FUNC, IB_ROLE_UNMAP, false, -1);
	int t = find(IB_HOOK_FUNC, IB_ROLE_TLB_INV, true, -1);
	int m = find(IB_HOOK_FUNC, IB_ROLE_MAP, false, -1);
	int tp = find(IB_HOOK_TP, IB_ROLE_MAP, false, -1);
	static const char comm[] = "a-process-name-longer-than-15";
	struct bpf_program *prog;
	int tps = 0, e;

	CHECK(hooks && u >= 0 && t >= 0 && m >= 0 && tp >= 0,
	      "catalog: an unmap, a decoded tlb_inv, a map function, a map tracepoint");
	if (!hooks || u < 0 || t < 0 || m < 0 || tp < 0) {
		free(hooks);
		return;
	}
	/* an unmap function by kprobe in slot 5, reading its size from argument 3 */
	hooks[u].slot = 5, hooks[u].mode = IB_MODE_KPROBE, hooks[u].size_arg = 3;
	/* a decoded invalidation whose kind argument was found (2), in slot 9 */
	hooks[t].slot = 9, hooks[t].mode = IB_MODE_KPROBE, hooks[t].kind_arg = 2, hooks[t].size_arg = 4;
	/* a slot whose hook cannot attach: configured, nothing loads */
	hooks[m].slot = 11;
	hooks[tp].mode = IB_MODE_TRACEPOINT;
	e = ib_probes_configure(skel, hooks, 42, comm, true);
	CHECK(e == 0, "configure: %d", e);
	CHECK(skel->rodata->slot_role[5] == IB_ROLE_UNMAP && skel->rodata->slot_size_arg[5] == 3,
	      "slot 5: role %d, size arg %d", skel->rodata->slot_role[5], skel->rodata->slot_size_arg[5]);
	CHECK(skel->rodata->slot_role[9] == IB_ROLE_TLB_INV && skel->rodata->slot_kind_arg[9] == 2 &&
	      skel->rodata->slot_kind_decode[9] == ib_catalog[t].decode &&
	      skel->rodata->slot_kind[9] == ib_catalog[t].kind && skel->rodata->slot_size_arg[9] == 4,
	      "slot 9: the kind decoded from argument 2 (decode %d)", skel->rodata->slot_kind_decode[9]);
	CHECK(skel->rodata->slot_descs[9] == ib_catalog[t].descs, "slot 9: descriptors as the catalog says");
	CHECK(skel->rodata->slot_role[11] == IB_ROLE_MAP && skel->rodata->slot_layer_only[11] == ib_catalog[m].layer_only,
	      "slot 11 configured though not attachable");
	CHECK(skel->rodata->slot_role[6] == 0 && skel->rodata->slot_size_arg[6] == 0, "slot 6 untouched");
	CHECK(skel->rodata->filter_tgid == 42 && skel->rodata->per_process, "filters");
	CHECK(skel->rodata->filter_comm_len == IB_COMM_LEN - 1 &&
	      !memcmp((const char *)skel->rodata->filter_comm, comm, IB_COMM_LEN - 1) &&
	      skel->rodata->filter_comm[IB_COMM_LEN - 1] == 0,
	      "comm cut to %d bytes: %d", IB_COMM_LEN - 1, skel->rodata->filter_comm_len);
	/* kprobe and kretprobe of slots 5 and 9, nothing of slot 11 */
	CHECK(loads(skel, "kprobe", 5) && loads(skel, "kretprobe", 5) && loads(skel, "kprobe", 9) &&
	      loads(skel, "kretprobe", 9), "the kprobe pairs of slots 5 and 9 load");
	CHECK(!loads(skel, "fentry", 5) && !loads(skel, "fexit", 5) && !loads(skel, "kprobe", 11) &&
	      !loads(skel, "fentry", 11) && !loads(skel, "kprobe", 6), "no other slot program loads");
	bpf_object__for_each_program(prog, skel->obj)
		if (bpf_program__autoload(prog) && bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT &&
		    prog != skel->progs.tp_fork)
			tps++;
	CHECK(tps == 1 && bpf_program__autoload(skel->progs.tp_map), "the map tracepoint only (%d)", tps);
	CHECK(bpf_program__autoload(skel->progs.tp_fork), "per process: the fork tracepoint loads");
	CHECK(autoloaded(skel) == 4 + 1 + 1, "%d programs load", autoloaded(skel));
	free(hooks);
}

int main(void)
{
	struct iommubench_bpf *skel;
	struct bpf_program *prog;
	int nprogs = 0, found = 0;
	char name[32];

	libbpf_set_print(quiet);
	skel = iommubench_bpf__open();
	CHECK(skel != NULL, "open the skeleton");
	if (!skel)
		return CHECK_DONE();
	bpf_object__for_each_program(prog, skel->obj)
		nprogs++;
	/* four per slot, one per iommu tracepoint, and trace's fork tracepoint */
	CHECK(nprogs == 4 * IB_MAX_SLOTS + IB_NR_TPS + 1, "%d programs", nprogs);
	CHECK(skel->progs.tp_fork && bpf_program__type(skel->progs.tp_fork) == BPF_PROG_TYPE_TRACEPOINT,
	      "tp_fork is a tracepoint program");
	/* slot s is named "<kind>_0%o" by user space (probes.c) */
	for (int s = 0; s < IB_MAX_SLOTS; s++) {
		static const char *const kinds[] = { "fentry", "fexit", "kprobe", "kretprobe" };
		static const enum bpf_prog_type types[] = {
			BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_TRACING,
			BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_KPROBE,
		};

		for (int k = 0; k < 4; k++) {
			snprintf(name, sizeof(name), "%s_0%o", kinds[k], s);
			prog = bpf_object__find_program_by_name(skel->obj, name);
			if (prog && bpf_program__type(prog) == types[k])
				found++;
			else
				CHECK(0, "program %s missing or of the wrong type", name);
		}
	}
	CHECK(found == 4 * IB_MAX_SLOTS, "%d slot programs", found);
	CHECK(bpf_program__expected_attach_type(skel->progs.fexit_077) == BPF_TRACE_FEXIT, "fexit type");
	CHECK(bpf_program__type(skel->progs.tp_map) == BPF_PROG_TYPE_TRACEPOINT, "tp_map");
	CHECK(strcmp(bpf_program__section_name(skel->progs.tp_unmap), "tp/iommu/unmap") == 0,
	      "tp_unmap section %s", bpf_program__section_name(skel->progs.tp_unmap));
	/* the maps user space reads, with the layout this build expects */
	CHECK(bpf_map__value_size(skel->maps.hook_stats) == sizeof(struct ib_stats), "hook_stats value");
	CHECK(bpf_map__max_entries(skel->maps.hook_stats) == IB_MAX_SLOTS, "hook_stats entries");
	CHECK(bpf_map__max_entries(skel->maps.role_stats) == IB_NR_ROLES, "role_stats entries");
	CHECK(bpf_map__value_size(skel->maps.tp_stats) == sizeof(struct ib_tp_stats), "tp_stats value");
	CHECK(bpf_map__type(skel->maps.inflight) == BPF_MAP_TYPE_LRU_HASH, "inflight is LRU");
	/* the object's own .rodata: every slot unconfigured until user space says */
	for (int s = 0; s < IB_MAX_SLOTS; s++)
		if (skel->rodata->slot_size_arg[s] || skel->rodata->slot_kind_decode[s] || skel->rodata->slot_descs[s])
			CHECK(0, "slot %d configured in the object", s);
	CHECK(skel->rodata->filter_tgid == 0 && skel->rodata->filter_comm_len == 0 && !skel->rodata->per_process,
	      "the object filters nothing by default");
	configure_checks(skel);
	iommubench_bpf__destroy(skel);
	/* another skeleton: no comm, not per process (run, not trace), the
	 * decoded invalidation hook with its kind argument not found */
	skel = iommubench_bpf__open();
	CHECK(skel != NULL, "open the skeleton again");
	if (skel) {
		struct ib_hook *hooks = no_hooks();
		int t = find(IB_HOOK_FUNC, IB_ROLE_TLB_INV, true, -1);

		if (hooks && t >= 0)
			hooks[t].slot = 9, hooks[t].mode = IB_MODE_KPROBE;
		CHECK(hooks && t >= 0 && ib_probes_configure(skel, hooks, 7, NULL, false) == 0, "configure");
		CHECK(t >= 0 && skel->rodata->slot_kind_decode[9] == IB_KIND_STATIC &&
		      skel->rodata->slot_kind[9] == ib_catalog[t].kind && skel->rodata->slot_kind_arg[9] == 0,
		      "no kind argument: the catalog's kind (decode %d)", skel->rodata->slot_kind_decode[9]);
		CHECK(autoloaded(skel) == 2 && !bpf_program__autoload(skel->progs.tp_fork),
		      "not per process: the kprobe pair only, no fork tracepoint (%d)", autoloaded(skel));
		CHECK(skel->rodata->filter_comm_len == 0 && !skel->rodata->per_process, "no comm filter");
		free(hooks);
		iommubench_bpf__destroy(skel);
	}
	return CHECK_DONE();
}

