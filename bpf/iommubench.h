/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one header shared by the BPF programs and user space: fixed-width
 * types, limits and the latency bucket function. Nothing else crosses.
 */
#ifndef IOMMUBENCH_H
#define IOMMUBENCH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Function hooks get a slot each; tracepoints have their own programs. */
#define IB_MAX_SLOTS 128 /* a power of two: programs mask slot numbers with it */
#define IB_STACK_DEPTH 8
/* Contexts a run can attribute to; index IB_MAX_CTX is the deferred
 * bucket: work no tagged user operation owns (other tasks, interrupts,
 * timers, workqueues). */
#define IB_MAX_CTX 64
#define IB_DEFERRED IB_MAX_CTX
/* Harness threads that tag their operations. */
#define IB_MAX_THREADS 16

#define IB_COMM_LEN 16 /* TASK_COMM_LEN */

enum ib_role {
	IB_ROLE_MAP = 0,
	IB_ROLE_UNMAP,
	IB_ROLE_ATTACH,
	IB_ROLE_DETACH,
	IB_ROLE_SWITCH,
	IB_ROLE_TLB_INV,
	IB_ROLE_TLB_SYNC,
	IB_ROLE_FAULT,
	IB_ROLE_GROUP,
	IB_ROLE_IOVA,     /* IOVA allocator (DMA API) */
	IB_NR_ROLES,
};

/* Invalidation kinds (role tlb_inv). */
enum ib_inv_kind {
	IB_TLB_RANGE = 0, /* page/range selective (VT-d PSI, SMMU TLBI VA) */
	IB_TLB_DOMAIN,    /* one address space: domain/ASID/DID selective */
	IB_TLB_ALL,       /* global */
	IB_TLB_CONFIG,    /* configuration caches: context/PASID cache, STE/CD */
	IB_TLB_OTHER,     /* queue submissions no IOTLB flush encloses (e.g. interrupt entry cache) */
	IB_NR_TLB_KINDS,
};

/* How a hook's kind is read from an argument at run time. */
enum ib_kind_decode {
	IB_KIND_STATIC = 0,   /* the catalog's kind */
	IB_KIND_VTD_IOTLB,    /* VT-d qi_flush_iotlb type: granularity in bits 61:60 */
};

/*
 * What the harness is doing when the kernel work happens: each harness
 * thread writes its tag (in .bss, memory-mapped) before an operation.
 * Rebind steps are phases of their own, so a switch's kernel work is
 * reported step by step.
 */
enum ib_phase {
	IB_PH_NONE = 0,         /* between operations */
	IB_PH_SETUP,            /* first attach of the run */
	IB_PH_MAP,
	IB_PH_UNMAP,
	IB_PH_UNMAP_RANGE,
	IB_PH_UNMAP_ALL,
	IB_PH_REMAP,
	IB_PH_TOUCH,            /* isolation check DMA */
	IB_PH_SW_CLOSE_DEVICE,  /* rebind steps, in order */
	IB_PH_SW_LEAVE,         /* VFIO_GROUP_UNSET_CONTAINER: detach, domain freed */
	IB_PH_SW_JOIN,          /* VFIO_GROUP_SET_CONTAINER */
	IB_PH_SW_SET_IOMMU,     /* VFIO_SET_IOMMU: domain alloc + attach */
	IB_PH_SW_REMAP,         /* re-pin and re-map the resident set */
	IB_PH_SW_OPEN_DEVICE,
	IB_PH_SW_BUS_MASTER,
	IB_PH_SW_REPLACE,       /* iommufd: attach the live device to another HWPT */
	IB_PH_SW_PASID,         /* iommufd mock device: PASID attach or replace */
	IB_PH_TEARDOWN,         /* the run's final detach */
	IB_NR_PHASES,
};

struct ib_tag {
	__u32 tid;    /* 0: slot unused */
	__u16 ctx;    /* context being worked on */
	__u16 phase;  /* enum ib_phase */
};

/* Kernel work attributed to one (context, phase): outermost calls per
 * role, and invalidations by kind with their queue descriptors. */
struct ib_attr_role {
	__u64 count;
	__u64 sum_ns;
	__u64 bytes;
};

struct ib_attr_inv {
	__u64 count;   /* outermost tlb_inv calls of this kind */
	__u64 sum_ns;
	__u64 descs;   /* queue descriptors submitted inside them */
};

struct ib_attr {
	struct ib_attr_role role[IB_NR_ROLES];
	struct ib_attr_inv inv[IB_NR_TLB_KINDS];
};

/* Attach and detach calls with their domain pointer, in order: user space
 * numbers domain instances by the attach that installs them, so a pointer
 * the allocator hands out again after a free is a new domain, not an old one. */
#define IB_DOMAIN_LOG 2048  /* events user space keeps */
struct ib_domain_event {
	__u64 domain;
	__u16 ctx;
	__u8 phase;
	__u8 role;     /* IB_ROLE_ATTACH or IB_ROLE_DETACH */
	__u32 slot;
};

/* `trace`: figures per process (by tgid) and per pagetable. A pagetable is
 * the first argument of the outermost map or unmap call: the domain for the
 * IOMMU core, the pagetable for drm/msm and io-pgtable, the device for the
 * DMA API. Invalidations are charged to the pagetable of the map or unmap
 * they sit in, and to the process in any case. */
#define IB_MAX_PROCS 1024
#define IB_MAX_PTS 4096
struct ib_proc_stats {
	char comm[IB_COMM_LEN];   /* the process's (thread group leader's) name at first sight */
	__u32 parent;             /* parent's tgid at first sight */
	__u32 from_cmd;           /* a descendant of (or) the traced command, at first sight */
	struct ib_attr_role role[IB_NR_ROLES];
	struct ib_attr_inv inv[IB_NR_TLB_KINDS];
};

struct ib_pt_key {
	__u64 pt;
	__u32 tgid;
	__u32 pad;
};

struct ib_pt_stats {
	__u64 first_ns;           /* first call seen, to number pagetables in order */
	__u32 first_slot;         /* the hook that saw it first (names the argument's type) */
	__u32 pad;
	struct ib_attr_role role[IB_NR_ROLES];
	struct ib_attr_inv inv[IB_NR_TLB_KINDS];
};

/* Page sizes the driver mapped with: pgsize_stats[log2(pgsize)]. */
struct ib_pgsize {
	__u64 calls;
	__u64 pages;
};

enum ib_tp {
	IB_TP_MAP = 0,
	IB_TP_UNMAP,
	IB_TP_ATTACH,
	IB_TP_DETACH,
	IB_TP_FAULT,
	IB_TP_ADD_GROUP,
	IB_TP_REMOVE_GROUP,
	IB_NR_TPS,
};

/*
 * Log-linear latency buckets (HDR-histogram style): values below
 * 2^IB_SUB_BITS get a bucket each; above, every power of two is split into
 * 2^IB_SUB_BITS equal sub-buckets. A bucket's width is at most 1/16 of its
 * lower bound, so its midpoint is within 3.2 % of any value in it.
 * Octaves up to 2^40 ns (18 minutes); longer values land in the last bucket.
 */
#define IB_SUB_BITS 4
#define IB_SUB_COUNT (1u << IB_SUB_BITS)
#define IB_MAX_EXP 40
#define IB_HIST_BUCKETS ((IB_MAX_EXP - IB_SUB_BITS + 1) * IB_SUB_COUNT)

static __inline __u32 ib_fls64(__u64 v)
{
	/* position of the highest set bit, 1-based; 0 for v == 0 (no loops:
	 * the BPF verifier and every compiler accept this shape) */
	__u32 n = 0;

	if (v >> 32) { n += 32; v >>= 32; }
	if (v >> 16) { n += 16; v >>= 16; }
	if (v >> 8) { n += 8; v >>= 8; }
	if (v >> 4) { n += 4; v >>= 4; }
	if (v >> 2) { n += 2; v >>= 2; }
	if (v >> 1) { n += 1; v >>= 1; }
	return n + (__u32)v;
}

static __inline __u32 ib_bucket(__u64 v)
{
	__u32 e, idx;

	if (v < IB_SUB_COUNT)
		return (__u32)v;
	e = ib_fls64(v) - 1; /* v in [2^e, 2^(e+1)) with e >= IB_SUB_BITS */
	if (e >= IB_MAX_EXP)
		return IB_HIST_BUCKETS - 1;
	idx = (e - IB_SUB_BITS + 1) * IB_SUB_COUNT +
	      (__u32)((v >> (e - IB_SUB_BITS)) & (IB_SUB_COUNT - 1));
	return idx < IB_HIST_BUCKETS ? idx : IB_HIST_BUCKETS - 1;
}

/* Per hook (per slot) and per role; per-CPU, summed in user space. */
struct ib_stats {
	__u64 count;      /* completed calls (entry and exit seen) */
	__u64 sum_ns;
	__u64 min_ns;     /* valid when count > 0 */
	__u64 max_ns;
	__u64 bytes;      /* sum of the size argument, where the hook has one */
	__u64 entries;    /* entries seen, including ones whose exit was lost */
	__u64 hist[IB_HIST_BUCKETS];
};

/* Tracepoints: counts and sizes only (no duration). */
struct ib_tp_stats {
	__u64 count;
	__u64 bytes;
};

/* Problems the programs saw, per CPU. */
struct ib_err_stats {
	__u64 irq_unknown;     /* events whose interrupt level could not be read */
	__u64 domain_drops;    /* attach/detach events the ring buffer had no room for */
	__u64 stack_overflow;  /* nesting deeper than IB_STACK_DEPTH */
	__u64 unmatched_exit;  /* an exit without its entry (lost kretprobe, attach race) */
	__u64 task_map_full;   /* in-flight table full: the call was not timed */
	__u64 proc_map_full;   /* trace: a process or pagetable the tables had no room for */
};

#endif /* IOMMUBENCH_H */
