/* Loading, attaching, reading and detaching the BPF probes. */
#ifndef IB_PROBES_H
#define IB_PROBES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hooks.h"

struct iommubench_bpf;
struct bpf_link;

struct ib_readout {
	struct ib_stats hook[IB_MAX_SLOTS];     /* by slot */
	struct ib_stats role[IB_NR_ROLES];      /* outermost calls only */
	struct ib_stats inv[IB_NR_TLB_KINDS];   /* outermost tlb_inv calls by kind */
	struct ib_attr attr[IB_MAX_CTX + 1][IB_NR_PHASES]; /* [IB_DEFERRED] = deferred */
	struct ib_pgsize pgsize[64];            /* by log2 of the page size */
	struct ib_domain_event domain_log[IB_DOMAIN_LOG];
	uint32_t ndomain_events;                /* read; those beyond IB_DOMAIN_LOG were not kept */
	struct ib_tp_stats tp[IB_NR_TPS];
	struct ib_err_stats err;
	uint64_t misses[IB_MAX_SLOTS];          /* recursion_misses of the slot's programs */
	uint64_t tp_misses[IB_NR_TPS];
};

struct ib_probes {
	struct iommubench_bpf *skel;
	struct ib_hook *hooks;                  /* ib_catalog_len entries, owned by caller */
	struct bpf_link *links[2 * IB_MAX_SLOTS + IB_NR_TPS + 1]; /* + the fork tracepoint */
	int link_hook[2 * IB_MAX_SLOTS + IB_NR_TPS + 1]; /* catalog index, -1 for tracepoints */
	size_t nlinks;
	int retries;                            /* loads retried after a program was refused */
};

/* Open, configure, load and attach. Hooks whose program the kernel refuses
 * are moved to their next mode (fentry -> kprobe -> tracepoint -> none) and
 * the load retried; what happened is left in each hook's mode and reason.
 * filter_tgid 0 traces every process; filter_comm (NULL or "" for none)
 * keeps only tasks whose name starts with it (at most 15 characters are
 * compared, the kernel's task name length). Returns 0 when at least the loader
 * worked (hooks may still be unattached), else -errno with err filled. */
int ib_probes_start(struct ib_probes *p, struct ib_hook *hooks, uint32_t filter_tgid,
		    const char *filter_comm, char *err, size_t errlen);

/* What ib_probes_start does between open and load, on an opened (not yet
 * loaded) skeleton: .rodata from the selected hooks (per slot: role, the
 * arguments to read, the invalidation kind or how to decode it), the task
 * filter (comm cut to IB_COMM_LEN - 1 bytes), and autoload on exactly the
 * programs the hooks' modes need (fentry/fexit or kprobe/kretprobe of each
 * slot, the tracepoints used, the fork tracepoint when per_process).
 * Returns 0 or -errno (a slot program missing, an fentry target unknown). */
int ib_probes_configure(struct iommubench_bpf *skel, struct ib_hook *hooks, uint32_t filter_tgid,
			const char *filter_comm, bool per_process);

/* The same for `trace`: every process (filter_tgid 0) or one, with figures
 * kept per process and per pagetable (ib_probes_read_trace). */
int ib_probes_start_trace(struct ib_probes *p, struct ib_hook *hooks, uint32_t filter_tgid,
			  char *err, size_t errlen);
/* Tell the probes which process is the traced command: it and what it forks
 * from then on are marked from_cmd when first seen. Call before it runs. */
int ib_probes_set_command(struct ib_probes *p, uint32_t tgid);

/* Rows of the trace tables: the key, then the value, as the maps hold them. */
struct ib_trace_proc {
	__u32 key;                 /* tgid, or IB_TRACE_IRQ(level) */
	struct ib_proc_stats s;
};
#define IB_TRACE_IRQ(level) (0xffffffffu - (level))

struct ib_trace_pt {
	struct ib_pt_key k;
	struct ib_pt_stats s;
};

struct ib_trace_readout {
	struct ib_trace_proc *procs;
	size_t nprocs;
	struct ib_trace_pt *pts;
	size_t npts;
};

int ib_probes_read_trace(struct ib_probes *p, struct ib_trace_readout *out);
void ib_trace_readout_free(struct ib_trace_readout *t);
/* Outermost calls per role so far (for progress lines). */
int ib_probes_role_counts(struct ib_probes *p, uint64_t counts[IB_NR_ROLES]);

/* Sum the per-CPU maps. */
int ib_probes_read(struct ib_probes *p, struct ib_readout *out);

/* The tag of harness thread idx (0..IB_MAX_THREADS-1), written with plain
 * stores into the mmap of .bss: no system call on the measured path. NULL
 * when the probes are not running. */
struct ib_tag *ib_probes_tag(struct ib_probes *p, unsigned idx);

/* Detach and free; safe to call twice and on a zeroed struct. */
void ib_probes_stop(struct ib_probes *p);

/* libbpf's own messages: shown only when verbose. */
void ib_probes_set_verbose(bool v);

#endif
