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
static struct btf *fake_btf(bool size_is_pointer) /* ... and the domain named "dom" */
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
	btf__add_func_param(b, size_is_pointer ? "dom" : "domain", vptr);
	btf__add_func_param(b, "group", vptr);
	btf__add_func(b, "iommu_attach_group", BTF_FUNC_GLOBAL, proto);
	/* in BTF only (the kallsyms of main() lacks them): iommu_sync_map has
	 * no symbol at all, domain_flush_pages one compiler clone */
	proto = btf__add_func_proto(b, sint);
	btf__add_func_param(b, "domain", vptr);
	btf__add_func_param(b, "iova", ulong);
	btf__add_func_param(b, "size", size_t_);
	btf__add_func(b, "iommu_sync_map", BTF_FUNC_GLOBAL, proto);
	proto = btf__add_func_proto(b, sint);
	btf__add_func_param(b, "domain", vptr);
	btf__add_func(b, "domain_flush_pages", BTF_FUNC_STATIC, proto);
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

/*
 * arm-smmu v2 and v3 built in (Debian arm64): two functions named
 * arm_smmu_attach_dev, arm_smmu_map_pages, arm_smmu_iotlb_sync, laid out as
 * in the 6.1 kernel (v2's file, its impl files, then v3's), each instance
 * between anchors of its own driver; arm_smmu_flush_iotlb_all's v2 copy sits
 * between the last v2 and the first v3 anchor: no driver can be told.
 */
static const char smmu_kallsyms[] =
	"ffff800080100000 t qcom_iommu_iotlb_sync\n"
	"ffff800080100100 t __arm_smmu_free_bitmap\n"
	"ffff800080100200 t arm_smmu_def_domain_type\n"
	"ffff800080100300 t arm_smmu_tlb_inv_range_s1\n"
	"ffff800080100400 t arm_smmu_map_pages\n"          /* v2 */
	"ffff800080100500 t arm_smmu_tlb_add_page_s1\n"
	"ffff800080100600 t __arm_smmu_tlb_sync\n"
	"ffff800080100700 t arm_smmu_iotlb_sync\n"         /* v2 */
	"ffff800080100800 t arm_smmu_tlb_inv_context_s1\n"
	"ffff800080100900 T arm_smmu_write_context_bank\n"
	"ffff800080100a00 t arm_smmu_attach_dev\n"         /* v2 */
	"ffff800080100b00 t cavium_init_context\n"
	"ffff800080100c00 T qcom_smmu_impl_init\n"
	"ffff800080100c80 t arm_smmu_flush_iotlb_all\n"    /* between the drivers */
	"ffff800080100d00 t readl_relaxed\n"
	"ffff800080100e00 t arm_smmu_cmdq_shared_unlock\n"
	"ffff800080100f00 t arm_smmu_map_pages\n"          /* v3 */
	"ffff800080101000 t arm_smmu_cmdq_build_cmd\n"
	"ffff800080101100 t arm_smmu_sync_cd\n"
	"ffff800080101200 t arm_smmu_iotlb_sync\n"         /* v3 */
	"ffff800080101300 t arm_smmu_tlb_inv_context\n"
	"ffff800080101380 t arm_smmu_flush_iotlb_all\n"    /* v3 */
	"ffff800080101400 t arm_smmu_attach_dev\n"         /* v3 */
	"ffff800080101500 t arm_smmu_tlb_inv_walk\n"
	"ffff800080101600 T arm_smmu_tlb_inv_range_asid\n"
	"ffff800080101700 T iommu_group_get\n";

static const struct ib_hook *find_in(const struct ib_hook *h, const char *name, const char *layer)
{
	for (size_t i = 0; i < ib_catalog_len; i++)
		if (!strcmp(h[i].def->name, name) && !strcmp(h[i].def->layer, layer))
			return &h[i];
	return NULL;
}

static void test_per_driver(struct btf *btf, char *tracefs)
{
	struct ib_hook *h = calloc(ib_catalog_len, sizeof(*h));
	struct ib_kernel_env env;
	const struct ib_hook *x;
	char ks[256], why[160], id[160];
	int v2 = ib_driver_index("arm-smmu"), v3 = ib_driver_index("arm-smmu-v3");

	CHECK(v2 >= 0 && v3 >= 0 && v2 != v3, "both drivers known: %d %d", v2, v3);
	write_file("ksmmu", smmu_kallsyms);
	snprintf(ks, sizeof(ks), "%s/ksmmu", dir);

	/* the rule itself */
	CHECK(ib_driver_of(ks, 0xffff800080100a00ull, why, sizeof(why)) == v2, "v2 attach_dev: %s", why);
	CHECK(strstr(why, "between arm_smmu_write_context_bank and cavium_init_context") != NULL, "why: %s", why);
	CHECK(ib_driver_of(ks, 0xffff800080101400ull, why, sizeof(why)) == v3, "v3 attach_dev: %s", why);
	CHECK(ib_driver_of(ks, 0xffff800080100400ull, why, sizeof(why)) == v2, "v2 map_pages: %s", why);
	CHECK(ib_driver_of(ks, 0xffff800080100f00ull, why, sizeof(why)) == v3, "v3 map_pages: %s", why);
	CHECK(ib_driver_of(ks, 0xffff800080100c80ull, why, sizeof(why)) == -1, "between the drivers: no driver");
	CHECK(strstr(why, "qcom_smmu_impl_init (arm-smmu) and arm_smmu_cmdq_shared_unlock (arm-smmu-v3)") != NULL,
	      "why: %s", why);
	/* 256 KiB past the last anchor: too far to tell */
	CHECK(ib_driver_of(ks, 0xffff800080141700ull, why, sizeof(why)) == -1 && strstr(why, "no driver anchor"),
	      "far away: %s", why);

	/* selection: one catalog entry per driver, each its own instance, by address */
	env_init(&env, "aarch64", 7, 3, btf, ks, tracefs);
	env.fentry_ok = env.kprobe_ok = env.kprobe_addr_ok = true;
	CHECK(ib_hooks_select(&env, h) == 0, "select");
	x = find_in(h, "arm_smmu_attach_dev", "arm-smmu-v3");
	CHECK(x && x->exists && x->mode == IB_MODE_KPROBE && x->addr == 0xffff800080101400ull && x->nsyms == 2,
	      "v3 attach_dev by address: %s 0x%llx", x ? x->reason : "?", x ? x->addr : 0);
	CHECK(x && !strcmp(x->driver, "arm-smmu-v3") && x->def->layer_only && x->def->role == IB_ROLE_ATTACH,
	      "v3 attach_dev driver label and role");
	CHECK(x && strstr(x->reason, "kprobe/kretprobe at 0xffff800080101400 (2 functions named so; this one in "
			  "arm-smmu-v3's text)"), "reason: %s", x ? x->reason : "?");
	CHECK_STR(ib_hook_id(x->def, id, sizeof(id)), "arm_smmu_attach_dev@arm-smmu-v3");
	x = find_in(h, "arm_smmu_attach_dev", "arm-smmu");
	CHECK(x && x->mode == IB_MODE_KPROBE && x->addr == 0xffff800080100a00ull && !strcmp(x->driver, "arm-smmu"),
	      "v2 attach_dev: %s", x ? x->reason : "?");
	x = find_in(h, "arm_smmu_iotlb_sync", "arm-smmu-v3");
	CHECK(x && x->mode == IB_MODE_KPROBE && x->addr == 0xffff800080101200ull && x->def->role == IB_ROLE_TLB_SYNC,
	      "v3 iotlb_sync: %s", x ? x->reason : "?");
	x = find_in(h, "arm_smmu_iotlb_sync", "arm-smmu");
	CHECK(x && x->mode == IB_MODE_KPROBE && x->addr == 0xffff800080100700ull, "v2 iotlb_sync: %s",
	      x ? x->reason : "?");
	x = find_in(h, "arm_smmu_map_pages", "arm-smmu");
	CHECK(x && x->addr == 0xffff800080100400ull, "v2 map_pages");
	/* one instance cannot be told: neither entry is attached */
	for (int k = 0; k < 2; k++) {
		x = find_in(h, "arm_smmu_flush_iotlb_all", k ? "arm-smmu" : "arm-smmu-v3");
		CHECK(x && x->exists && x->mode == IB_MODE_NONE && x->slot == -1 && !x->addr,
		      "flush_iotlb_all not attached: %s", x ? x->reason : "?");
		CHECK(x && strstr(x->reason, "the one at 0xffff800080100c80 is of no known driver"),
		      "reason: %s", x ? x->reason : "?");
	}
	/* arm_smmu_unmap_pages is not in this kernel at all */
	x = find_in(h, "arm_smmu_unmap_pages", "arm-smmu");
	CHECK(x && !x->exists && x->mode == IB_MODE_NONE, "absent unmap_pages");

	/* without the kprobe PMU there is no attaching by address */
	env.kprobe_addr_ok = false;
	ib_hooks_select(&env, h);
	x = find_in(h, "arm_smmu_attach_dev", "arm-smmu-v3");
	CHECK(x && x->mode == IB_MODE_NONE && strstr(x->reason, "needs a kprobe at 0xffff800080101400"),
	      "no PMU: %s", x ? x->reason : "?");

	/* only v3 built in: v2's entry is absent, v3's attaches by name */
	write_file("kv3",
		   "ffff800080100e00 t arm_smmu_cmdq_shared_unlock\n"
		   "ffff800080101000 t arm_smmu_cmdq_build_cmd\n"
		   "ffff800080101300 t arm_smmu_tlb_inv_context\n"
		   "ffff800080101400 t arm_smmu_attach_dev\n"
		   "ffff800080101500 t arm_smmu_tlb_inv_walk\n");
	snprintf(ks, sizeof(ks), "%s/kv3", dir);
	env.kprobe_addr_ok = true;
	ib_hooks_select(&env, h);
	x = find_in(h, "arm_smmu_attach_dev", "arm-smmu");
	CHECK(x && !x->exists && strstr(x->reason, "not in this kernel (arm_smmu_attach_dev of arm-smmu-v3 only)"),
	      "v2 absent: %s", x ? x->reason : "?");
	x = find_in(h, "arm_smmu_attach_dev", "arm-smmu-v3");
	CHECK(x && x->mode == IB_MODE_KPROBE && x->nsyms == 1 && strstr(x->reason, "not in BTF"),
	      "v3 alone: %s", x ? x->reason : "?");

	/* module tags decide alone */
	write_file("kmod",
		   "ffff800000100000 t arm_smmu_attach_dev\t[arm_smmu]\n"
		   "ffff800000200000 t arm_smmu_attach_dev\t[arm_smmu_v3]\n");
	snprintf(ks, sizeof(ks), "%s/kmod", dir);
	ib_hooks_select(&env, h);
	x = find_in(h, "arm_smmu_attach_dev", "arm-smmu-v3");
	CHECK(x && x->mode == IB_MODE_KPROBE && x->addr == 0xffff800000200000ull && !strcmp(x->module, "arm_smmu_v3"),
	      "module tag v3: %s", x ? x->reason : "?");
	x = find_in(h, "arm_smmu_attach_dev", "arm-smmu");
	CHECK(x && x->addr == 0xffff800000100000ull, "module tag v2");

	/* an LTO kernel: text order is not the files' */
	write_file("klto", smmu_kallsyms);
	snprintf(ks, sizeof(ks), "%s/klto", dir);
	{
		FILE *f = fopen(ks, "a");

		fputs("ffff800080102000 t foo.llvm.1234567\n", f);
		fclose(f);
	}
	CHECK(ib_driver_of(ks, 0xffff800080101400ull, why, sizeof(why)) == -1 && strstr(why, "LTO"),
	      "LTO: %s", why);
	/* hidden addresses (not root) */
	write_file("kzero", "0000000000000000 t arm_smmu_cmdq_build_cmd\n0000000000000000 t arm_smmu_attach_dev\n"
		   "0000000000000000 t arm_smmu_tlb_inv_walk\n");
	snprintf(ks, sizeof(ks), "%s/kzero", dir);
	CHECK(ib_driver_of(ks, 0, why, sizeof(why)) == -1 && strstr(why, "kptr_restrict"), "zeros: %s", why);
	/* an anchor name that occurs twice is no anchor */
	write_file("kdup",
		   "ffff800080100000 t arm_smmu_sync_cd\n"
		   "ffff800080100100 t arm_smmu_attach_dev\n"
		   "ffff800080100200 t arm_smmu_tlb_inv_walk\n"
		   "ffff800080900000 t arm_smmu_tlb_inv_walk\n");
	snprintf(ks, sizeof(ks), "%s/kdup", dir);
	CHECK(ib_driver_of(ks, 0xffff800080100100ull, why, sizeof(why)) == -1 && strstr(why, "above"),
	      "duplicated anchor: %s", why);
	free(h);
}

/* A module's function: its prototype from the module's split BTF, fentry. */
static void test_module_btf(struct btf *base, char *tracefs)
{
	struct ib_hook *h = calloc(ib_catalog_len, sizeof(*h));
	struct btf *mb = btf__new_empty_split(base);
	struct ib_mod_btf mods[1];
	struct ib_kernel_env env;
	const struct ib_hook *x;
	int ulong = btf__find_by_name_kind(base, "long unsigned int", BTF_KIND_INT);
	int vptr = 0, proto;
	char ks[256];

	for (int i = 1; i < (int)btf__type_cnt(base); i++)
		if (btf_is_ptr(btf__type_by_id(base, i)))
			vptr = i;
	proto = btf__add_func_proto(mb, ulong);
	btf__add_func_param(mb, "domain", vptr);
	btf__add_func_param(mb, "iova", ulong);
	btf__add_func_param(mb, "paddr", ulong);
	btf__add_func_param(mb, "pgsize", ulong);
	btf__add_func_param(mb, "pgcount", ulong);
	btf__add_func_param(mb, "prot", ulong);
	btf__add_func_param(mb, "gfp", ulong);
	btf__add_func_param(mb, "mapped", vptr);
	btf__add_func(mb, "viommu_map_pages", BTF_FUNC_STATIC, proto);
	proto = btf__add_func_proto(mb, ulong);
	btf__add_func_param(mb, "domain", vptr);
	btf__add_func(mb, "viommu_iotlb_sync", BTF_FUNC_STATIC, proto);
	snprintf(mods[0].name, sizeof(mods[0].name), "virtio_iommu");
	mods[0].btf = mb;
	write_file("kvirtio",
		   "ffffffffc0100000 t viommu_map_pages\t[virtio_iommu]\n"
		   "ffffffffc0100100 t viommu_iotlb_sync\t[virtio_iommu]\n"
		   "ffffffffc0100200 t viommu_unmap_pages\t[virtio_iommu]\n"
		   "ffffffffc0200000 t msm_iommu_pagetable_map\t[msm]\n");
	snprintf(ks, sizeof(ks), "%s/kvirtio", dir);
	env_init(&env, "x86_64", 7, 3, base, ks, tracefs);
	env.fentry_ok = env.kprobe_ok = env.kprobe_addr_ok = true;
	env.mods = mods;
	env.nmods = 1;
	ib_hooks_select(&env, h);
	x = find(h, "viommu_map_pages");
	CHECK(x->mode == IB_MODE_FENTRY && x->mod_btf && !strcmp(x->module, "virtio_iommu"),
	      "module function by fentry: %s %s", ib_mode_name(x->mode), x->reason);
	CHECK_EQ_U64(x->nargs, 8);
	CHECK_EQ_U64(x->pgsize_arg, 4);
	CHECK_EQ_U64(x->pgcount_arg, 5);
	CHECK(strstr(x->reason, "module BTF") != NULL, "reason: %s", x->reason);
	x = find(h, "viommu_iotlb_sync");
	CHECK(x->mode == IB_MODE_FENTRY && x->nargs == 1, "iotlb_sync: %s", x->reason);
	/* in the module's kallsyms but not its BTF: kprobe as before */
	x = find(h, "viommu_unmap_pages");
	CHECK(x->mode == IB_MODE_KPROBE && !x->mod_btf && strstr(x->reason, "not in BTF nor in its module's BTF"),
	      "no BTF entry: %s", x->reason);
	/* a module without BTF loaded (msm here): kprobe */
	x = find(h, "msm_iommu_pagetable_map");
	CHECK(x->mode == IB_MODE_KPROBE && !x->mod_btf && !strcmp(x->module, "msm"), "msm: %s", x->reason);
	/* 6.1 x86: 8 args are too many for fentry, module BTF or not */
	env.ver_minor = 1;
	env.ver_major = 6;
	ib_hooks_select(&env, h);
	x = find(h, "viommu_map_pages");
	CHECK(x->mode == IB_MODE_KPROBE && x->pgsize_arg == 4, "6.1: %s", x->reason);
	btf__free(mb);
	free(h);
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
	/* in BTF but without a symbol: fentry would be refused at load
	 * (ENOENT) and the whole object loaded again, so it is not tried */
	x = find(h, "iommu_sync_map");
	CHECK(x->exists && x->mode == IB_MODE_NONE && x->slot == -1, "BTF only: %s", ib_mode_name(x->mode));
	CHECK(strstr(x->reason, "in BTF but not in kallsyms") != NULL, "reason: %s", x->reason);
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

	/* the prototype check: a size parameter of the wrong type disables
	 * the hook (never read a wrong argument), and says what BTF has */
	env_init(&env, "x86_64", 6, 1, btf_bad, kallsyms, tracefs);
	env.fentry_ok = env.kprobe_ok = true;
	ib_hooks_select(&env, h);
	x = find(h, "iommu_map");
	CHECK(x->exists && x->mode == IB_MODE_NONE && x->slot == -1, "mismatch disables: %s", ib_mode_name(x->mode));
	CHECK_EQ_U64(x->size_arg, 0);
	CHECK(strstr(x->reason, "prototype mismatch, not attached: BTF's parameter 4 'size' is a pointer, "
		     "not an integer of 4 or 8 bytes") != NULL, "reason says which and what: %s", x->reason);
	/* a domain parameter the catalog names and BTF lacks */
	x = find(h, "iommu_attach_group");
	CHECK(x->mode == IB_MODE_NONE && strstr(x->reason, "BTF has no parameter 'domain' (dom, group)"),
	      "missing domain: %s %s", ib_mode_name(x->mode), x->reason);
	/* hooks whose prototypes match are untouched */
	x = find(h, "iommu_unmap_fast");
	CHECK(x->mode == IB_MODE_FENTRY && x->size_arg == 3, "unmap_fast still fentry: %s", x->reason);

	test_per_driver(btf, tracefs);
	test_module_btf(btf, tracefs);

	/* iommu:io_page_fault where an arm-smmu v2 is bound: left out, it
	 * would dereference the NULL device arm_smmu_context_fault reports */
	snprintf(p, sizeof(p), "%s/events/iommu/io_page_fault", tracefs);
	mkdir(p, 0755);
	env_init(&env, "aarch64", 7, 3, btf, kallsyms, tracefs);
	ib_hooks_select(&env, h);
	x = find(h, "iommu:io_page_fault");
	CHECK(x->exists && x->mode == IB_MODE_TRACEPOINT, "fault tracepoint without arm-smmu v2: %s",
	      ib_mode_name(x->mode));
	env.smmu_v2_bound = true;
	ib_hooks_select(&env, h);
	x = find(h, "iommu:io_page_fault");
	CHECK(x->exists && x->mode == IB_MODE_NONE, "fault tracepoint with arm-smmu v2 bound: %s",
	      ib_mode_name(x->mode));
	CHECK(strstr(x->reason, "arm-smmu v2 reports context faults with no device") != NULL, "reason: %s",
	      x->reason);
	CHECK(find(h, "iommu:map")->mode == IB_MODE_TRACEPOINT, "the other tracepoints stay");
	/* what tells a bound arm-smmu: a device link in the driver's folder */
	snprintf(p, sizeof(p), "%s/drv", dir);
	CHECK(!ib_platform_driver_bound(p), "no such folder: not bound");
	mkdir(p, 0755);
	write_file("drv/bind", "");
	write_file("drv/uevent", "");
	snprintf(p, sizeof(p), "%s/drv/module", dir);
	CHECK(symlink("../../module/arm_smmu", p) == 0, "symlink module");
	snprintf(p, sizeof(p), "%s/drv", dir);
	CHECK(!ib_platform_driver_bound(p), "files and the module link: not bound");
	snprintf(p, sizeof(p), "%s/drv/9050000.iommu", dir);
	CHECK(symlink("../../../../devices/platform/9050000.iommu", p) == 0, "symlink device");
	snprintf(p, sizeof(p), "%s/drv", dir);
	CHECK(ib_platform_driver_bound(p), "a device link: bound");

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
