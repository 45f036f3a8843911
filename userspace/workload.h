/* The engine: carries out a plan on the vfio backend, timing every ioctl
 * and rebind step, tagging the kernel work for the probes, and running the
 * isolation checks. */
#ifndef IB_WORKLOAD_H
#define IB_WORKLOAD_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "backend_vfio.h"
#include "iommufd.h"
#include "memory.h"
#include "plan.h"
#include "probes.h"
#include "scenario.h"
#include "vfio_device.h"

/* switch_kind=pasid: one of the mock device's PASIDs (pasid = slot + 1). */
struct ib_pasid_slot {
	int ctx;                           /* context whose HWPT it holds, -1 none */
	uint64_t last_use;                 /* for least-recently-used eviction */
	uint64_t attaches, replaces, detaches; /* ioctls on it, every pass */
	uint64_t hits;                     /* switches that found their context here */
	uint64_t served;                   /* bit c: context c was attached to it */
};

/* One timed user-space operation. */
struct ib_sample {
	uint64_t ns;
	uint16_t ctx;
	uint8_t phase;   /* enum ib_phase */
	uint8_t measured;
};

struct ib_samples {
	struct ib_sample *s;
	size_t n, cap;
};

/* Append a timing (-ENOMEM if the store cannot grow); give a store's
 * memory back and empty it. */
int ib_samples_add(struct ib_samples *v, uint64_t ns, int ctx, int phase, bool measured);
void ib_samples_free(struct ib_samples *v);

struct ib_ctx_counts {
	uint64_t map_calls, unmap_calls;   /* ioctls issued for this context */
	uint64_t bytes_mapped, bytes_unmapped;
	uint64_t switches_in;              /* measured rebinds into it */
	uint64_t resident_maps;            /* mappings re-made by rebinds and setup */
};

struct ib_checks {
	uint64_t run, failed, positive_run, positive_failed;
	json_t *failures;                  /* [{ctx, iova, op, what}] */
};

struct ib_workload {
	/* inputs */
	const struct ib_scenario *sc;
	const struct ib_plan *plan;
	struct ib_vfio *v;                 /* prepared: device bound, group known */
	struct ib_probes *probes;          /* NULL without probes */
	volatile sig_atomic_t *stop;       /* set by the signal handler */
	bool test_skip_unmap;              /* test only: skip unmaps the checks expect */
	bool verbose;

	/* state */
	bool started;                      /* ib_workload_run initialised the fds below */
	int *containers;                   /* vfio: one type1 container per context */
	int iommufd;                       /* iommufd: /dev/iommu, -1 when closed */
	uint32_t *ioas, *hwpt;             /* iommufd: per context */
	uint32_t dev_id;                   /* iommufd: the bound cdev's device id */
	int cdev_fd;                       /* iommufd: the device's cdev until adopted by dev */
	bool mock;                         /* switch_kind=pasid: an iommufd selftest mock device */
	struct ib_iommufd_mock mockdev;
	struct ib_pasid_slot pasid[IB_SC_MAX_CONTEXTS]; /* [sc->pasid_slots] */
	uint64_t pasid_clock;
	int cur;                           /* current context, -1 none */
	struct ib_mem mem;
	struct ib_vfio_dev dev;
	uint64_t unmap_all_flag;           /* VFIO_DMA_UNMAP_FLAG_ALL when the kernel has it */
	bool quiet_samples;                /* resident re-maps: counted, timed as one step */
	uint64_t mem_len, mem_huge_bytes;  /* what the backing gave (kept after release) */

	/* results */
	struct ib_samples samples;         /* every ioctl and rebind step */
	struct ib_samples switches;        /* whole rebinds (phase = IB_PH_NONE) */
	/* where each measured pass (repetition) starts in samples and switches;
	 * [loops] is the end of the last */
	size_t *rep_sample_start, *rep_switch_start;
	uint64_t reps_started;             /* measured passes begun */
	struct ib_ctx_counts *ctx;         /* [sc->contexts] */
	struct ib_checks checks;
	uint64_t ops_done, ops_total;
	uint64_t started_ns, progress_ns, progress_every_ns;
	size_t plan_pos;                   /* ops carried out */
	int cpu_of_thread[IB_SC_MAX_THREADS];
};

/* "rebind" (vfio), "replace" or "pasid" (iommufd) */
const char *ib_switch_kind(const struct ib_workload *w);

/* Carry out the plan. Every exit path (error, signal) unmaps what it
 * mapped and leaves the device outside any container; the caller still
 * releases the device binding. err says what failed. */
int ib_workload_run(struct ib_workload *w, char *err, size_t errlen);
/* Close the device and containers, free the memory; figures stay. */
void ib_workload_release(struct ib_workload *w);
/* Release, then free the figures too; safe on a zeroed struct. */
void ib_workload_free(struct ib_workload *w);

uint64_t ib_now_ns(void);

#endif
