/* `trace` results: per-process and per-pagetable figures, and their table. */
#ifndef IB_TRACE_H
#define IB_TRACE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "hooks.h"
#include "probes.h"

struct btf;

struct ib_trace_info {
	char **cmd;          /* the traced command, NULL when none */
	int pid;             /* its pid, 0 when none */
	bool cmd_done;       /* it exited (status valid) */
	int status;          /* waitpid status, -1 when unknown */
	uint32_t filter_pid; /* -p, 0 for every process */
	double duration;     /* -d, 0 when not given */
	double seconds;      /* how long the probes were on */
	int signal;          /* the signal that stopped tracing, 0 none */
	int attached;        /* hooks attached */
	bool target_exited;  /* -p: the process exited, which ended the trace */
};

/* trace.* of the results. */
json_t *ib_trace_info_json(const struct ib_trace_info *t);

/* processes[] of the results: each process (or interrupt level) with its
 * outermost calls per role, invalidations by kind with descriptors, and its
 * pagetables. Pagetables are numbered 1, 2, ... in the order they were first
 * seen; one pointer seen by two processes keeps one number. Each is named by
 * the type of the argument that gave it (hook->pt_type). */
json_t *ib_trace_processes_json(const struct ib_trace_readout *tr, const struct ib_hook *hooks);

/* The type of a function's first parameter, "struct iommu_domain", from BTF;
 * "unknown" without BTF or the function. */
void ib_first_param_type(const struct btf *btf, const char *func, char *buf, size_t len);

/* Which hooks name a pagetable (hook->pt_arg): every map and unmap hook (its
 * first argument: domain, pagetable or device) and, where BTF shows it, any
 * hook whose first parameter is a struct iommu_domain * (driver syncs and
 * flushes, attach). A compiler clone's arguments are never read. The type
 * comes from the hook's module BTF where it lives in a module. */
void ib_trace_mark_pagetables(struct ib_hook *hooks, const struct ib_kernel_env *env);

/* The table printed after a trace. */
void ib_trace_print(FILE *f, json_t *doc);

#endif
