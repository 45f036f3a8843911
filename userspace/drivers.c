// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Which driver a function instance belongs to, when two built-in drivers
 * define static functions of the same name (arm-smmu v2 and v3 on Debian's
 * arm64 kernels). kallsyms names no module for built-in code, so the rule
 * is positional:
 *
 *   the nearest anchor below the address and the nearest anchor above it
 *   must be anchors of the same driver, each within IB_DRIVER_SPAN bytes.
 *
 * An anchor is a text symbol whose name only that driver defines (the lists
 * below) and that occurs once in kallsyms. The linker places one object's
 * .text in one piece, and a driver built of several files (arm_smmu-objs)
 * is linked into one object first, so an address between two symbols of
 * that object's .text is inside it. The span bound keeps anchors from other
 * sections (.init.text, .text.unlikely) from bracketing an address they do
 * not enclose. LTO kernels (clang, recognised by its .llvm.N symbols) may
 * reorder functions across files: there nothing is attributed. A module's
 * function carries its [module] tag, which decides alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hooks.h"
#include "kallsyms.h"

#define IB_DRIVER_SPAN (256 * 1024)

/* Names checked against Debian's arm64 6.1 and 7.3 kallsyms, where both
 * drivers are built in: each lies inside its driver's text. A trailing '*'
 * matches a prefix. Never list a name the other driver may define. */
static const char *const smmu_v2_anchors[] = {
	"arm_smmu_tlb_inv_range_s1", "arm_smmu_tlb_inv_range_s2", "arm_smmu_tlb_inv_walk_s1",
	"arm_smmu_tlb_inv_walk_s2", "arm_smmu_tlb_inv_walk_s2_v1", "arm_smmu_tlb_add_page_s1",
	"arm_smmu_tlb_add_page_s2", "arm_smmu_tlb_add_page_s2_v1", "arm_smmu_tlb_inv_context_s1",
	"arm_smmu_tlb_inv_context_s2", "__arm_smmu_tlb_sync", "arm_smmu_tlb_sync_context",
	"arm_smmu_tlb_sync_global", "arm_smmu_write_context_bank", "arm_smmu_init_domain_context",
	"arm_smmu_write_s2cr", "arm_smmu_write_sme", "arm_smmu_free_sme", "__arm_smmu_free_bitmap",
	"arm_smmu_master_install_s2crs", "arm_smmu_global_fault", "arm_smmu_context_fault",
	"arm_smmu_impl_init", "arm_mmu500_reset",
	"cavium_*", "mrvl_mmu500_*", "nvidia_smmu_*", "qcom_smmu_*", "qcom_adreno_smmu_*",
	NULL,
};

static const char *const smmu_v3_anchors[] = {
	"arm_smmu_cmdq_*", "__arm_smmu_cmdq_*", "arm_smmu_sync_cd", "arm_smmu_write_cd_entry",
	"arm_smmu_write_ctx_desc", "arm_smmu_sync_ste_for_sid", "arm_smmu_install_ste_for_dev",
	"arm_smmu_write_strtab_ent", "arm_smmu_init_l2_strtab", "arm_smmu_tlb_inv_context",
	"arm_smmu_tlb_inv_walk", "__arm_smmu_tlb_inv_range", "arm_smmu_tlb_inv_range_asid",
	"arm_smmu_tlb_inv_asid", "arm_smmu_tlb_inv_range_domain", "arm_smmu_tlb_inv_page_nosync",
	"arm_smmu_domain_inv_range", "__arm_smmu_domain_inv_range", "arm_smmu_atc_inv_*",
	"arm_smmu_evtq_thread", "arm_smmu_priq_thread", "arm_smmu_gerror_handler",
	"arm_smmu_combined_irq_handler", "arm_smmu_combined_irq_thread", "arm_smmu_attach_prepare",
	"arm_smmu_attach_commit", "arm_smmu_domain_finalise_s1", "arm_smmu_domain_finalise_s2",
	"arm_smmu_sva_*", "arm_smmu_make_s1_cd", "arm_smmu_make_abort_ste", "arm_smmu_make_bypass_ste",
	"arm_smmu_make_cdtable_ste", "arm_smmu_make_s2_domain_ste", "arm_smmu_get_cd_ptr",
	"arm_smmu_alloc_cd_tables", "arm_smmu_free_cd_tables", "arm_smmu_init_one_queue",
	"arm_smmu_update_gbpa", "arm_smmu_write_reg_sync", "arm_smmu_handle_evt",
	NULL,
};

const struct ib_driver_def ib_drivers[] = {
	{ .layer = "arm-smmu", .module = "arm_smmu", .anchors = smmu_v2_anchors },
	{ .layer = "arm-smmu-v3", .module = "arm_smmu_v3", .anchors = smmu_v3_anchors },
};
const size_t ib_drivers_len = sizeof(ib_drivers) / sizeof(ib_drivers[0]);

int ib_driver_index(const char *layer)
{
	for (size_t i = 0; i < ib_drivers_len; i++)
		if (!strcmp(ib_drivers[i].layer, layer))
			return (int)i;
	return -1;
}

static int anchor_driver(const char *name)
{
	static bool first[256], ready;

	/* called for every text symbol: most start with a letter no anchor does */
	if (!ready) {
		for (size_t i = 0; i < ib_drivers_len; i++)
			for (const char *const *a = ib_drivers[i].anchors; *a; a++)
				first[(unsigned char)(*a)[0]] = true;
		ready = true;
	}
	if (!first[(unsigned char)name[0]] || strstr(name, ".cold"))
		return -1;
	for (size_t i = 0; i < ib_drivers_len; i++) {
		for (const char *const *a = ib_drivers[i].anchors; *a; a++) {
			size_t l = strlen(*a);

			if ((*a)[l - 1] == '*' ? !strncmp(name, *a, l - 1) : !strcmp(name, *a))
				return (int)i;
		}
	}
	return -1;
}

struct anchor {
	unsigned long long addr;
	int driver;        /* -1: the name occurs more than once, not an anchor */
	char name[64];
};

struct ib_anchors {
	struct anchor *a;
	size_t n;
	bool lto;          /* .llvm. symbols: functions may be reordered across files */
	bool hidden;       /* every address read as 0 (kptr_restrict, not root) */
};

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct anchor *)x)->name, ((const struct anchor *)y)->name);
}

static int by_addr(const void *x, const void *y)
{
	unsigned long long a = ((const struct anchor *)x)->addr, b = ((const struct anchor *)y)->addr;

	return a < b ? -1 : a > b;
}

struct ib_anchors *ib_anchors_load(const char *kallsyms, int *err)
{
	struct ib_anchors *s = calloc(1, sizeof(*s));
	char line[512];
	struct ib_ksym k;
	size_t cap = 0, nonzero = 0;
	FILE *f;

	*err = 0;
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	f = fopen(kallsyms, "re");
	if (!f) {
		*err = -errno;
		free(s);
		return NULL;
	}
	while (ib_kallsyms_next(f, line, sizeof(line), &k)) {
		int d;

		if (!ib_ksym_is_text(&k))
			continue;
		nonzero += k.addr != 0;
		if (!s->lto && strstr(k.name, ".llvm."))
			s->lto = true;
		if (k.mod || k.namelen >= 64 || (d = anchor_driver(k.name)) < 0)
			continue; /* module symbols are attributed by their tag */
		if (s->n == cap) {
			struct anchor *na = realloc(s->a, (cap = cap ? 2 * cap : 64) * sizeof(*na));

			if (!na) {
				*err = -ENOMEM;
				break;
			}
			s->a = na;
		}
		s->a[s->n].addr = k.addr;
		s->a[s->n].driver = d;
		snprintf(s->a[s->n].name, sizeof(s->a[s->n].name), "%s", k.name);
		s->n++;
	}
	fclose(f);
	if (*err) {
		ib_anchors_free(s);
		return NULL;
	}
	s->hidden = nonzero == 0;
	if (!s->n)	/* no anchor: s->a may be NULL, which qsort() must not get */
		return s;
	/* a name that occurs twice tells nothing: drop it */
	qsort(s->a, s->n, sizeof(*s->a), by_name);
	for (size_t i = 1; i < s->n; i++) {
		if (!strcmp(s->a[i].name, s->a[i - 1].name))
			s->a[i].driver = s->a[i - 1].driver = -1;
	}
	qsort(s->a, s->n, sizeof(*s->a), by_addr);
	return s;
}

void ib_anchors_free(struct ib_anchors *s)
{
	if (!s)
		return;
	free(s->a);
	free(s);
}

int ib_anchors_driver(const struct ib_anchors *s, unsigned long long addr, const char *module,
		      char *why, size_t len)
{
	const struct anchor *lo = NULL, *hi = NULL;

	if (module && module[0]) {
		for (size_t i = 0; i < ib_drivers_len; i++)
			if (!strcmp(ib_drivers[i].module, module))
				return (int)i;
		snprintf(why, len, "module %s is none of the drivers sharing the name", module);
		return -1;
	}
	if (s->hidden || !addr) {
		snprintf(why, len, "kallsyms shows no addresses (kptr_restrict; run as root)");
		return -1;
	}
	if (s->lto) {
		snprintf(why, len, "LTO kernel (.llvm. symbols): text order does not follow files");
		return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->a[i].driver < 0)
			continue;
		if (s->a[i].addr < addr)
			lo = &s->a[i];
		else if (s->a[i].addr > addr && !hi)
			hi = &s->a[i];
	}
	if (!lo || !hi || addr - lo->addr > IB_DRIVER_SPAN || hi->addr - addr > IB_DRIVER_SPAN) {
		snprintf(why, len, "no driver anchor within %d KiB %s it", IB_DRIVER_SPAN / 1024,
			 !lo || addr - lo->addr > IB_DRIVER_SPAN ? "below" : "above");
		return -1;
	}
	if (lo->driver != hi->driver) {
		snprintf(why, len, "between %.40s (%s) and %.40s (%s)", lo->name, ib_drivers[lo->driver].layer,
			 hi->name, ib_drivers[hi->driver].layer);
		return -1;
	}
	snprintf(why, len, "between %.40s and %.40s", lo->name, hi->name);
	return lo->driver;
}

int ib_driver_of(const char *kallsyms, unsigned long long addr, char *err, size_t errlen)
{
	int e, d;
	struct ib_anchors *s = ib_anchors_load(kallsyms, &e);

	if (!s) {
		snprintf(err, errlen, "reading %s: %s", kallsyms, strerror(-e));
		return -1;
	}
	d = ib_anchors_driver(s, addr, NULL, err, errlen);
	ib_anchors_free(s);
	return d;
}
