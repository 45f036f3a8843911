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
};

/* What discovery learnt about the kernel. Tests fill one by hand. */
struct ib_kernel_env {
	char release[128];
	char arch[65];           /* uname machine: x86_64, aarch64 */
	int ver_major, ver_minor;
	struct btf *btf;         /* vmlinux BTF, or NULL when the kernel has none */
	const char *kallsyms;    /* path, normally /proc/kallsyms */
	const char *tracefs;     /* tracefs mount point, or NULL */
	bool fentry_ok;          /* a fentry program loaded and attached here */
	int fentry_err;          /* errno of that probe when it failed */
	bool kprobe_ok;          /* the kernel can create kprobes */
	enum ib_mode best;       /* best mode wanted (--attach); NONE = no limit */
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
	int pt_arg;              /* trace: 1-based argument naming the pagetable, 0 none
	                            (set by ib_trace_mark_pagetables) */
	int slot;                /* BPF slot for function hooks, -1 otherwise */
	char sym[128];           /* kallsyms name attached by kprobe when not the
	                            catalog's (a compiler clone); empty otherwise */
	char reason[192];        /* why this mode, or why not attached */
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
void ib_env_free(struct ib_kernel_env *env);

/* Pure selection from env: fills hooks[0..ib_catalog_len) with existence,
 * mode and reason, and numbers function slots. No side effects. */
int ib_hooks_select(const struct ib_kernel_env *env, struct ib_hook *hooks);

/* Largest argument count fentry handles on this kernel (0: no fentry). */
int ib_fentry_max_args(const struct ib_kernel_env *env);

#endif
