// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * iommubench probes. Every function hook gets a slot; a slot has four
 * programs (fentry, fexit, kprobe, kretprobe) of which user space loads the
 * pair for the attach mode it chose and leaves the rest unloaded. What a slot
 * stands for (role, which argument is the size) is set in .rodata before load.
 *
 * Layering: a call is counted in its role's figures only when no call of the
 * same role is already in flight on the same task. On kernels where
 * iommu_map() wraps iommu_map_nosync() (~6.16), both hooks report their own
 * figures and the map role counts the operation once.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "iommubench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* 0: every task; else only this process (the harness in `run`). */
const volatile __u32 filter_tgid = 0;
const volatile __u8 slot_role[IB_MAX_SLOTS] = {};
/* 1-based index of the size argument, 0 when the hook has none. */
const volatile __u8 slot_size_arg[IB_MAX_SLOTS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IB_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct ib_stats);
} hook_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IB_NR_ROLES);
	__type(key, __u32);
	__type(value, struct ib_stats);
} role_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IB_NR_TPS);
	__type(key, __u32);
	__type(value, struct ib_tp_stats);
} tp_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ib_err_stats);
} err_stats SEC(".maps");

struct frame {
	__u64 ts;
	__u64 bytes;
	__u32 slot;
	__u8 role;
	__u8 outer;
};

/* Calls in flight on one task, innermost last. Interrupts nest strictly, so
 * a softirq unmap that lands inside a task's call still pops in order. */
struct task_state {
	__u32 depth;
	__u32 pad;
	struct frame f[IB_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct task_state);
} inflight SEC(".maps");

static const struct task_state zero_state = {};

static __always_inline struct ib_err_stats *errs(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&err_stats, &k);
}

static __always_inline bool wanted(void)
{
	return !filter_tgid || (bpf_get_current_pid_tgid() >> 32) == filter_tgid;
}

static __always_inline void record(struct ib_stats *s, __u64 d, __u64 bytes)
{
	/* a 64-bit index the verifier can follow: with a __u32, clang
	 * bounds-checks a zero-extended copy and indexes with the original */
	__u64 b = ib_bucket(d);

	barrier_var(b);

	s->count++;
	s->sum_ns += d;
	if (s->count == 1 || d < s->min_ns)
		s->min_ns = d;
	if (d > s->max_ns)
		s->max_ns = d;
	s->bytes += bytes;
	if (b < IB_HIST_BUCKETS)
		s->hist[b]++;
}

static __always_inline int on_entry(__u32 slot, __u64 bytes)
{
	struct task_state *st;
	struct ib_stats *hs;
	struct ib_err_stats *e;
	__u32 tid, d, role;
	__u8 outer = 1;

	if (!wanted() || slot >= IB_MAX_SLOTS)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	st = bpf_map_lookup_elem(&inflight, &tid);
	if (!st) {
		bpf_map_update_elem(&inflight, &tid, &zero_state, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&inflight, &tid);
		if (!st) {
			e = errs();
			if (e)
				e->task_map_full++;
			return 0;
		}
	}
	hs = bpf_map_lookup_elem(&hook_stats, &slot);
	if (hs)
		hs->entries++;
	d = st->depth;
	if (d >= IB_STACK_DEPTH) {
		/* keep counting depth so the matching exits pop in order */
		st->depth = d + 1;
		e = errs();
		if (e)
			e->stack_overflow++;
		return 0;
	}
	/* masked: on 6.1 a u32 reloaded from the stack (slot's address is
	 * taken for the map lookups) has lost its constant value */
	role = slot_role[slot & (IB_MAX_SLOTS - 1)];
	for (__u32 i = 0; i < IB_STACK_DEPTH; i++) {
		if (i >= d)
			break;
		if (st->f[i].role == role)
			outer = 0;
	}
	st->f[d].slot = slot;
	st->f[d].role = role;
	st->f[d].outer = outer;
	st->f[d].bytes = bytes;
	st->depth = d + 1;
	st->f[d].ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_exit(__u32 slot)
{
	__u64 now = bpf_ktime_get_ns();
	struct task_state *st;
	struct ib_stats *s;
	struct ib_err_stats *e;
	__u32 tid, d, role, found = IB_STACK_DEPTH;
	__u64 delta, bytes;
	__u8 outer;

	if (!wanted() || slot >= IB_MAX_SLOTS)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	st = bpf_map_lookup_elem(&inflight, &tid);
	if (!st || st->depth == 0)
		goto unmatched;
	d = st->depth;
	if (d > IB_STACK_DEPTH) {
		st->depth = d - 1;
		return 0;
	}
	/* normally the top frame; a lost exit leaves stale frames above ours */
	for (int i = IB_STACK_DEPTH - 1; i >= 0; i--) {
		if ((__u32)i < d && st->f[i].slot == slot) {
			found = i;
			break;
		}
	}
	if (found >= IB_STACK_DEPTH)
		goto unmatched;
	delta = now - st->f[found].ts;
	bytes = st->f[found].bytes;
	role = st->f[found].role;
	outer = st->f[found].outer;
	if (found != d - 1) {
		e = errs();
		if (e)
			e->unmatched_exit += d - 1 - found;
	}
	st->depth = found;

	s = bpf_map_lookup_elem(&hook_stats, &slot);
	if (s)
		record(s, delta, bytes);
	if (outer && role < IB_NR_ROLES) {
		s = bpf_map_lookup_elem(&role_stats, &role);
		if (s)
			record(s, delta, bytes);
	}
	return 0;
unmatched:
	e = errs();
	if (e)
		e->unmatched_exit++;
	return 0;
}

static __always_inline __u64 fentry_size(void *ctx, __u32 slot)
{
	__u64 v = 0;
	__u8 n = slot_size_arg[slot & (IB_MAX_SLOTS - 1)];

	if (n && bpf_get_func_arg(ctx, n - 1, &v))
		v = 0;
	return v;
}

static __always_inline __u64 kprobe_size(struct pt_regs *ctx, __u32 slot)
{
	/* Read the registers at fixed offsets first and choose among the
	 * values: a switch over PT_REGS_PARMn is folded by clang into one
	 * load at a computed ctx offset, which the verifier refuses
	 * ("dereference of modified ctx ptr"). */
	__u64 a1 = PT_REGS_PARM1(ctx), a2 = PT_REGS_PARM2(ctx), a3 = PT_REGS_PARM3(ctx);
	__u64 a4 = PT_REGS_PARM4(ctx), a5 = PT_REGS_PARM5(ctx);
	__u8 n = slot_size_arg[slot & (IB_MAX_SLOTS - 1)];

	barrier_var(a1);
	barrier_var(a2);
	barrier_var(a3);
	barrier_var(a4);
	barrier_var(a5);
	return n == 1 ? a1 : n == 2 ? a2 : n == 3 ? a3 : n == 4 ? a4 : n == 5 ? a5 : 0;
}

/* Targets are set by user space (bpf_program__set_attach_target for fentry,
 * the kprobe attach call for kprobes); programs not chosen are not loaded. */
#define IB_SLOT(n)							\
SEC("fentry")								\
int BPF_PROG(fentry_##n) { return on_entry(n, fentry_size(ctx, n)); }	\
SEC("fexit")								\
int BPF_PROG(fexit_##n) { return on_exit(n); }				\
SEC("kprobe")								\
int BPF_KPROBE(kprobe_##n) { return on_entry(n, kprobe_size(ctx, n)); } \
SEC("kretprobe")							\
int BPF_KRETPROBE(kretprobe_##n) { return on_exit(n); }

#define IB_SLOTS8(a)							\
	IB_SLOT(a##0) IB_SLOT(a##1) IB_SLOT(a##2) IB_SLOT(a##3)		\
	IB_SLOT(a##4) IB_SLOT(a##5) IB_SLOT(a##6) IB_SLOT(a##7)

/* 64 slots. Each name is its slot number written in octal with a leading
 * 0 ("00", "01", ... "077"), so the pasted token is also the C literal the
 * program passes: user space finds slot s as "fentry_0%o". */
IB_SLOTS8(0) IB_SLOTS8(01) IB_SLOTS8(02) IB_SLOTS8(03)
IB_SLOTS8(04) IB_SLOTS8(05) IB_SLOTS8(06) IB_SLOTS8(07)

static __always_inline int tp_count(__u32 tp, __u64 bytes)
{
	struct ib_tp_stats *s;

	if (!wanted())
		return 0;
	s = bpf_map_lookup_elem(&tp_stats, &tp);
	if (s) {
		s->count++;
		s->bytes += bytes;
	}
	return 0;
}

SEC("tp/iommu/map")
int tp_map(struct trace_event_raw_map *ctx)
{
	return tp_count(IB_TP_MAP, BPF_CORE_READ(ctx, size));
}

SEC("tp/iommu/unmap")
int tp_unmap(struct trace_event_raw_unmap *ctx)
{
	return tp_count(IB_TP_UNMAP, BPF_CORE_READ(ctx, unmapped_size));
}

SEC("tp/iommu/attach_device_to_domain")
int tp_attach(void *ctx)
{
	return tp_count(IB_TP_ATTACH, 0);
}

/* gone in ~6.3 (commit "iommu: Remove detach_dev callbacks" era) */
SEC("tp/iommu/detach_device_from_domain")
int tp_detach(void *ctx)
{
	return tp_count(IB_TP_DETACH, 0);
}

SEC("tp/iommu/io_page_fault")
int tp_fault(void *ctx)
{
	return tp_count(IB_TP_FAULT, 0);
}

SEC("tp/iommu/add_device_to_group")
int tp_add_group(void *ctx)
{
	return tp_count(IB_TP_ADD_GROUP, 0);
}

SEC("tp/iommu/remove_device_from_group")
int tp_remove_group(void *ctx)
{
	return tp_count(IB_TP_REMOVE_GROUP, 0);
}
