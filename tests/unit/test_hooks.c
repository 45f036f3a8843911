/* Hook selection against hand-made kernels: fake BTF, kallsyms and tracefs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "check.h"
#include "hooks.h"

static char dir[] = "/tmp/ib-test-hooks-XXXXXX";

/* A BTF holding iommu_map(domain *, ulong iova, phys_addr_t paddr, size_t size,
 * int prot, gfp_t gfp), iommu_unmap_fast(domain *, ulong, size_t, void *),
 * iommu_map_sg with 7 args, and iommu_attach_group(domain *, group *). */
static struct btf *fake_btf(bool size_is_pointer)
{
	struct btf *b = btf__new_empty();
	int ulong = btf__add_int(b, "long unsigned int", 8, 0);
	int sint = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int size_t_ = btf__add_typedef(b, "size_t", ulong);
	int vptr = btf__add_ptr(b, 0);
	int proto;

	proto = btf__add_func_proto(b, sint);
	btf__add_func_param(b, "domain", vptr);
	btf__add_func_param(b, "iova", ulong);
	btf__add_func_param(b, "paddr", ulong);
	btf__add_func_param(b, "size", size_is_pointer ? vptr : size_t_);
	btf__add_func_param(b, "prot", sint);
	btf__add_func_param(b, "gfp", sint);
	btf__add_func(b, "iommu_map", BTF_FUNC_GLOBAL, proto);

	proto = btf__add_func_proto(b, size_t_);
	btf__add_func_param(b, "domain", vptr);
	btf__add_func_param(b, "iova", ulong);
	btf__add_func_param(b, "size", size_t_);
	btf__add_func_param(b, "gather", vptr);
	btf__add_func(b, "iommu_unmap_fast", BTF_FUNC_GLOBAL, proto);

	proto = btf__add_func_proto(b, size_t_);
	for (int i = 0; i < 7; i++) {
		char n[8];

		snprintf(n, sizeof(n), "a%d", i);
		btf__add_func_param(b, n, ulong);
	}
	btf__add_func(b, "iommu_map_sg", BTF_FUNC_GLOBAL, proto);

	proto = btf__add_func_proto(b, sint);
	btf__add_func_param(b, "domain", vptr);
	btf__add_func_param(b, "group", vptr);
	btf__add_func(b, "iommu_attach_group", BTF_FUNC_GLOBAL, proto);
	return b;
}

static void write_file(const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static const struct ib_hook *find(const struct ib_hook *h, const char *name)
{
	for (size_t i = 0; i < ib_catalog_len; i++)
		if (!strcmp(h[i].def->name, name))
			return &h[i];
	return NULL;
}

static void env_init(struct ib_kernel_env *env, const char *arch, int maj, int min,
		     struct btf *btf, char *kallsyms, char *tracefs)
{
	memset(env, 0, sizeof(*env));
	snprintf(env->arch, sizeof(env->arch), "%s", arch);
	env->ver_major = maj;
	env->ver_minor = min;
	env->btf = btf;
	env->kallsyms = kallsyms;
	env->tracefs = tracefs;
}

int main(void)
{
	char kallsyms[256], tracefs[256], p[300];
	struct ib_hook *h = calloc(ib_catalog_len, sizeof(*h));
	struct ib_kernel_env env;
	struct btf *btf = fake_btf(false), *btf_bad = fake_btf(true);
	const struct ib_hook *x;
	int last_slot = -1;

	if (!mkdtemp(dir))
		return 1;
	snprintf(kallsyms, sizeof(kallsyms), "%s/kallsyms", dir);
	snprintf(tracefs, sizeof(tracefs), "%s/tracing", dir);
	write_file("kallsyms",
		   "ffffffff81000000 T iommu_map\n"
		   "ffffffff81000100 t iommu_map_atomic.isra.0\n"
		   "ffffffff81000200 T iommu_unmap_fast\n"
		   "ffffffff81000300 T iommu_map_sg\n"
		   "ffffffff81000400 T iommu_attach_group\n"
		   "ffffffff81000500 t iommu_detach_device\t[drv_a]\n"
		   "ffffffff81000600 t iommu_detach_device\t[drv_b]\n"
		   "ffffffff81000700 T iommu_unmap\n"
		   "ffffffff81000800 D iommu_attach_device\n"
		   /* AMD-Vi on Debian's 6.1: only compiler clones of two flush functions */
		   "ffffffff81000900 t domain_flush_pages.constprop.0\n"
		   "ffffffff81000a00 t __domain_flush_pages.constprop.0\n"
		   "ffffffff81000b00 t iommu_completion_wait.isra.0\n"
		   "ffffffff81000c00 t iommu_completion_wait.isra.1\n"
		   "ffffffff81000d00 t amd_iommu_domain_flush_pages.part.0\n");
	snprintf(p, sizeof(p), "%s/events/iommu/map", tracefs);
	mkdir(tracefs, 0755);
	snprintf(p, sizeof(p), "%s/events", tracefs);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/iommu", tracefs);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/iommu/map", tracefs);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/events/iommu/unmap", tracefs);
	mkdir(p, 0755);

	/* x86 6.1 with fentry and kprobes: the 6.1 fentry limit of 6 args */
	env_init(&env, "x86_64", 6, 1, btf, kallsyms, tracefs);
	env.fentry_ok = env.kprobe_ok = true;
	CHECK(ib_hooks_select(&env, h) == 0, "select");
	x = find(h, "iommu_map");
	CHECK(x->exists && x->mode == IB_MODE_FENTRY, "iommu_map mode %s", ib_mode_name(x->mode));
	CHECK_EQ_U64(x->nargs, 6);
	CHECK_EQ_U64(x->size_arg, 4);
	x = find(h, "iommu_unmap_fast");
	CHECK(x->mode == IB_MODE_FENTRY, "unmap_fast %s", ib_mode_name(x->mode));
	CHECK_EQ_U64(x->size_arg, 3);
	x = find(h, "iommu_map_sg");
	CHECK(x->mode == IB_MODE_KPROBE, "map_sg with 7 args on 6.1: %s", ib_mode_name(x->mode));
	CHECK(strstr(x->reason, "7 args > fentry limit 6") != NULL, "reason: %s", x->reason);
	x = find(h, "iommu_map_atomic");
	CHECK(!x->exists && x->mode == IB_MODE_NONE, "map_atomic inlined");
	CHECK(strstr(x->reason, "inlined: only iommu_map_atomic.isra.0") != NULL, "reason: %s", x->reason);
	/* clone_ok: one whole-function clone stands in, by kprobe, no arguments */
	x = find(h, "domain_flush_pages");
	CHECK(x->exists && x->mode == IB_MODE_KPROBE, "lone constprop clone: %s", ib_mode_name(x->mode));
	CHECK(!strcmp(x->sym, "domain_flush_pages.constprop.0"), "clone symbol: %s", x->sym);
	CHECK(strstr(x->reason, "compiler clone domain_flush_pages.constprop.0") != NULL, "reason: %s", x->reason);
	CHECK_EQ_U64(x->size_arg, 0);
	/* two clones: which one the callers use is unknown */
	x = find(h, "iommu_completion_wait");
	CHECK(!x->exists && x->mode == IB_MODE_NONE && !x->sym[0], "two clones are not attached");
	CHECK(strstr(x->reason, "inlined: only iommu_completion_wait.isra.0") != NULL, "reason: %s", x->reason);
	/* a .part clone holds part of the body: never a stand-in */
	x = find(h, "amd_iommu_domain_flush_pages");
	CHECK(!x->exists && x->mode == IB_MODE_NONE, "part clone not attached");
	/* without clone_ok an isra clone is only reported */
	x = find(h, "iommu_map_atomic");
	CHECK(!x->sym[0], "no stand-in without clone_ok");
	x = find(h, "iommu_detach_device");
	CHECK(x->exists && x->mode == IB_MODE_NONE && x->nsyms == 2, "duplicate static symbols");
	CHECK(strstr(x->reason, "2 functions named iommu_detach_device") != NULL, "reason: %s", x->reason);
	x = find(h, "iommu_unmap");
	CHECK(x->mode == IB_MODE_KPROBE && strstr(x->reason, "not in BTF"), "unmap only in kallsyms: %s %s",
	      ib_mode_name(x->mode), x->reason);
	CHECK_EQ_U64(x->size_arg, 3); /* no BTF: the catalog's position */
	x = find(h, "iommu_attach_device");
	CHECK(!x->exists, "a data symbol (D) is not a function");
	x = find(h, "iommu_map_nosync");
	CHECK(!x->exists && strstr(x->reason, "not in this kernel"), "nosync absent: %s", x->reason);
	x = find(h, "iommu:map");
	CHECK(x->exists && x->mode == IB_MODE_TRACEPOINT, "tracepoint map");
	x = find(h, "iommu:io_page_fault");
	CHECK(!x->exists && x->mode == IB_MODE_NONE, "absent tracepoint");
	/* slots: function hooks with a mode get 0, 1, 2 ... in catalog order */
	for (size_t i = 0; i < ib_catalog_len; i++) {
		if (h[i].mode == IB_MODE_FENTRY || h[i].mode == IB_MODE_KPROBE) {
			CHECK(h[i].slot == last_slot + 1, "%s slot %d after %d", h[i].def->name, h[i].slot, last_slot);
			last_slot = h[i].slot;
		} else {
			CHECK(h[i].slot == -1, "%s has slot %d without a mode", h[i].def->name, h[i].slot);
		}
	}
	CHECK(last_slot == 5, "6 slots used (map, map_sg, unmap, unmap_fast, attach_group, the domain_flush_pages clone): %d",
	      last_slot);

	/* x86 6.6: the same 7-arg function is fentry */
	env_init(&env, "x86_64", 6, 6, btf, kallsyms, tracefs);
	env.fentry_ok = env.kprobe_ok = true;
	ib_hooks_select(&env, h);
	CHECK(find(h, "iommu_map_sg")->mode == IB_MODE_FENTRY, "6.6 allows 12 args");

	/* arm64 6.1: no fentry at all */
	env_init(&env, "aarch64", 6, 1, btf, kallsyms, tracefs);
	env.fentry_ok = env.kprobe_ok = true;
	ib_hooks_select(&env, h);
	CHECK(find(h, "iommu_map")->mode == IB_MODE_KPROBE, "arm64 6.1 map: %s",
	      ib_mode_name(find(h, "iommu_map")->mode));
	CHECK_EQ_U64(ib_fentry_max_args(&env), 0);

	/* no fentry, no kprobes (this CI host): tracepoint fallback */
	env_init(&env, "x86_64", 6, 18, btf, kallsyms, tracefs);
	env.fentry_err = 1; /* EPERM */
	ib_hooks_select(&env, h);
	x = find(h, "iommu_map");
	CHECK(x->mode == IB_MODE_TRACEPOINT && strstr(x->reason, "counted via iommu:map"),
	      "map falls back: %s %s", ib_mode_name(x->mode), x->reason);
	x = find(h, "iommu_unmap_fast");
	CHECK(x->mode == IB_MODE_NONE && x->slot == -1, "unmap_fast has no fallback");
	x = find(h, "iommu_unmap");
	CHECK(x->mode == IB_MODE_TRACEPOINT, "unmap falls back to iommu:unmap");

	/* a size parameter of the wrong type is not read */
	env_init(&env, "x86_64", 6, 1, btf_bad, kallsyms, tracefs);
	env.fentry_ok = true;
	ib_hooks_select(&env, h);
	CHECK_EQ_U64(find(h, "iommu_map")->size_arg, 0);
	CHECK(strstr(find(h, "iommu_map")->reason, "bytes not counted") != NULL, "reason says so: %s",
	      find(h, "iommu_map")->reason);

	/* no tracefs, no BTF, no kallsyms */
	env_init(&env, "x86_64", 6, 1, NULL, NULL, NULL);
	ib_hooks_select(&env, h);
	CHECK(!find(h, "iommu_map")->exists, "nothing known");
	CHECK(strstr(find(h, "iommu:map")->reason, "tracefs not mounted") != NULL, "tp reason");

	btf__free(btf);
	btf__free(btf_bad);
	free(h);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	if (system(p))
		return 1;
	return CHECK_DONE();
}
