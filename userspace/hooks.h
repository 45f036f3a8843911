/* The hook catalog and its discovery on the running kernel. */
#ifndef IB_HOOKS_H
#define IB_HOOKS_H
#include <stdbool.h>
#include <stddef.h>
#include "iommubench.h"

struct btf;

enum ib_hook_type { IB_HOOK_FUNC, IB_HOOK_TP };

enum ib_mode {
	IB_MODE_NONE = 0,
	IB_MODE_FENTRY,
	IB_MODE_KPROBE,
	IB_MODE_TRACEPOINT,
};

struct ib_hook_def {
	const char *name;      /* function, or "iommu:map" for a tracepoint */
	enum ib_role role;
	enum ib_hook_type type;
	const char *size_param; /* name of the size parameter, or NULL */
	int size_arg;           /* its 1-based position when BTF cannot tell */
	int tp;                 /* enum ib_tp: the tracepoint itself, or a func's fallback; -1 none */
	const char *layer;      /* core, dma-iommu, driver name ... */
	const char *note;       /* kernel versions and why */
	/* tlb_inv hooks: the kind, or how to read it from an argument */
	enum ib_inv_kind kind;
	enum ib_kind_decode decode;
	const char *kind_param;
	/* driver map hooks: the page size and count arguments */
	const char *pgsize_param, *pgcount_param;
	const char *unit;       /* what the size argument counts: NULL = bytes */
	bool descs;             /* the size argument counts queue descriptors */
	const char *domain_param; /* attach/detach: the struct iommu_domain * argument */
	/* when the kernel has no function of this name but exactly one
	 * whole-function compiler clone (name.constprop.N, name.isra.N), attach
	 * the clone by kprobe and read no arguments (the clone's may differ);
	 * .part.N clones are never taken: they hold only part of the body */
	bool clone_ok;
	/* a static function whose name other built-in drivers use too
	 * (arm-smmu v2 and v3): this entry is the instance of the driver named
	 * by .layer, found by address (ib_driver_of), attached by address */
	bool per_driver;
	/* counted under its own name only, never as its role's operation: a
	 * driver op the core also calls from paths no core hook of that role
	 * encloses (attach_dev for the blocking domain inside a detach) */
	bool layer_only;
};

/* A driver whose static function names other drivers share, and how its
 * own text is recognised in kallsyms (see ib_driver_of). */
struct ib_driver_def {
	const char *layer;          /* the catalog's layer: "arm-smmu-v3" */
	const char *module;         /* its module name, for a [mod] tag */
	const char *const *anchors; /* names only this driver defines; a
	                               trailing '*' is a prefix; NULL-terminated */
};

extern const struct ib_driver_def ib_drivers[];
extern const size_t ib_drivers_len;

/* One module's BTF (split on top of vmlinux's). */
struct ib_mod_btf {
	char name[64];
	struct btf *btf;
};

/* What discovery learnt about the kernel. Tests fill one by hand. */
struct sym_count;

struct ib_kernel_env {
	char release[128];
	char arch[65];           /* uname machine: x86_64, aarch64 */
	int ver_major, ver_minor;
	struct btf *btf;         /* vmlinux BTF, or NULL when the kernel has none */
	struct ib_mod_btf *mods; /* BTF of the modules holding catalog functions */
	int nmods;
	const char *kallsyms;    /* path, normally /proc/kallsyms */
	const char *tracefs;     /* tracefs mount point, or NULL */
	bool fentry_ok;          /* a fentry program loaded and attached here */
	int fentry_err;          /* errno of that probe when it failed */
	bool kprobe_ok;          /* the kernel can create kprobes */
	bool kprobe_addr_ok;     /* ... at an address (the kprobe PMU, 4.17+) */
	enum ib_mode best;       /* best mode wanted (--attach); NONE = no limit */
	struct sym_count *symcounts; /* kallsyms per catalog function, read once by
	                                ib_env_probe; NULL: ib_hooks_select reads it */
	bool smmu_v2_bound;      /* an arm-smmu (v2) instance is bound: its context
	                            faults crash the kernel under iommu:io_page_fault */
};

struct ib_hook {
	const struct ib_hook_def *def;
	bool exists;             /* the kernel has it (BTF, kallsyms or tracefs) */
	int nsyms;               /* text symbols of that name in kallsyms */
	int nargs;               /* from BTF, -1 unknown */
	int size_arg;            /* 1-based argument read as the size, 0 none */
	int kind_arg, pgsize_arg, pgcount_arg, domain_arg; /* 1-based, 0 none */
	enum ib_mode mode;       /* chosen; NONE when it cannot attach */
	bool attached;           /* set by the loader */
	int pt_arg;              /* trace: 1-based argument naming the pagetable, 0 none */
	char pt_type[64];        /* trace: its type, "struct iommu_domain" (both set
	                            by ib_trace_mark_pagetables) */
	int slot;                /* BPF slot for function hooks, -1 otherwise */
	char sym[128];           /* kallsyms name attached by kprobe when not the
	                            catalog's (a compiler clone); empty otherwise */
	char reason[192];        /* why this mode, or why not attached */
	/* per_driver hooks: the instance's address (kprobe by address when
	 * nonzero) and the driver it was attributed to */
	unsigned long long addr;
	char driver[32];
	char module[64];         /* kallsyms [mod] tag of the function, "" built in */
	bool mod_btf;            /* prototype read from that module's BTF */
};

extern const struct ib_hook_def ib_catalog[];
extern const size_t ib_catalog_len;

const char *ib_role_name(enum ib_role r);
const char *ib_mode_name(enum ib_mode m);
const char *ib_tp_name(int tp); /* "iommu:map" */
const char *ib_inv_kind_name(int kind); /* "range", "domain", "all", "config", "other" */
const char *ib_phase_name(int phase);   /* "map", "switch.leave", ... */
/* "fentry", "kprobe", "tracepoint" -> mode; -1 for anything else */
int ib_mode_parse(const char *s);
/* The same for a --attach option: says what is allowed when it is not. */
int ib_attach_arg(const char *arg);

/* Fills release, arch, version; loads vmlinux BTF; finds tracefs (mounting it
 * when absent and permitted); probes fentry and kprobe support. Returns 0, or
 * -errno with a message in err for failures that stop discovery altogether. */
int ib_env_probe(struct ib_kernel_env *env, char *err, size_t errlen);

/* Whether the platform driver whose sysfs folder is drvdir (for example
 * /sys/bus/platform/drivers/arm-smmu) has a device bound: a device link
 * in the folder. */
bool ib_platform_driver_bound(const char *drvdir);
void ib_env_free(struct ib_kernel_env *env);

/* Pure selection from env: fills hooks[0..ib_catalog_len) with existence,
 * mode and reason, and numbers function slots. No side effects. */
int ib_hooks_select(const struct ib_kernel_env *env, struct ib_hook *hooks);

/* The catalog key of a hook: its name, or name@layer for per_driver
 * entries (two entries share the name). Used as the per-hook key in ops. */
const char *ib_hook_id(const struct ib_hook_def *d, char *buf, size_t len);

/* Which driver the text symbol at addr belongs to, from a kallsyms file:
 * its [mod] tag when it has one; for built-in code, the nearest symbols
 * below and above addr that are anchors of a driver (unique in kallsyms)
 * must both be anchors of the same driver: a translation unit's .text is
 * contiguous, so addr lies inside that driver's text. Returns the index in
 * ib_drivers, or -1 with why in err. */
int ib_driver_of(const char *kallsyms, unsigned long long addr, char *err, size_t errlen);

/* The same in steps, for many addresses: the anchors of one kallsyms file
 * (NULL with -errno in *err); a module tag, when the instance has one,
 * decides alone. why says between which anchors, or why none. */
struct ib_anchors;
struct ib_anchors *ib_anchors_load(const char *kallsyms, int *err);
int ib_anchors_driver(const struct ib_anchors *s, unsigned long long addr, const char *module,
		      char *why, size_t len);
void ib_anchors_free(struct ib_anchors *s);
int ib_driver_index(const char *layer); /* in ib_drivers, or -1 */

/* The BTF holding h's prototype: its module's, or vmlinux's (may be NULL). */
const struct btf *ib_hook_btf(const struct ib_kernel_env *env, const struct ib_hook *h);

/* Largest argument count fentry handles on this kernel (0: no fentry). */
int ib_fentry_max_args(const struct ib_kernel_env *env);

#endif
