/* The BPF object opens (not loads: no privileges needed) and has the
 * programs and maps user space expects to find by name. */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "iommubench.h"
#include "iommubench.skel.h"

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
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
	/* .rodata configuration is writable before load */
	skel->rodata->slot_role[5] = IB_ROLE_UNMAP;
	skel->rodata->slot_size_arg[5] = 3;
	skel->rodata->filter_tgid = 42;
	CHECK(skel->rodata->slot_size_arg[5] == 3 && skel->rodata->filter_tgid == 42, "rodata");
	iommubench_bpf__destroy(skel);
	return CHECK_DONE();
}
