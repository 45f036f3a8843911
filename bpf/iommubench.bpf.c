// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * iommubench probes. Every function hook gets a slot; a slot has four
 * programs (fentry, fexit, kprobe, kretprobe) of which user space loads the
 * pair for the attach mode it chose and leaves the rest unloaded. What a slot
 * stands for (role, kind, which arguments hold size, page size, page count)
 * is set in .rodata before load.
 *
 * Layering: a call is counted in its role's figures only when no call of the
 * same role is already in flight on the same task at the same interrupt
 * level. On kernels where iommu_map() wraps iommu_map_nosync() (~6.16), both
 * hooks report their own figures and the map role counts the operation once.
 *
 * Attribution: each harness thread writes a tag (context, phase) into .bss
 * before an operation; work at task level on a tagged thread is charged to
 * that (context, phase), anything else to the deferred bucket.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "iommubench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* 0: every task; else only this process (the harness in `run`). */
const volatile __u32 filter_tgid = 0;
/* when filter_comm_len > 0: only tasks whose name starts with filter_comm
 * (kernel threads of a benchmark, e.g. "dma-map-benchma") */
const volatile __u8 filter_comm_len = 0;
const volatile char filter_comm[IB_COMM_LEN] = {};
const volatile __u8 slot_role[IB_MAX_SLOTS] = {};
const volatile __u8 slot_kind[IB_MAX_SLOTS] = {};        /* enum ib_inv_kind, tlb_inv only */
const volatile __u8 slot_kind_decode[IB_MAX_SLOTS] = {}; /* enum ib_kind_decode */
/* 1-based argument positions; 0 when the hook has none */
const volatile __u8 slot_size_arg[IB_MAX_SLOTS] = {};
const volatile __u8 slot_kind_arg[IB_MAX_SLOTS] = {};
const volatile __u8 slot_pgsize_arg[IB_MAX_SLOTS] = {};
const volatile __u8 slot_pgcount_arg[IB_MAX_SLOTS] = {};
/* the size argument counts queue descriptors (qi_submit_sync's count) */
const volatile __u8 slot_descs[IB_MAX_SLOTS] = {};
/* 1-based position of the struct iommu_domain * argument (attach/detach) */
const volatile __u8 slot_domain_arg[IB_MAX_SLOTS] = {};
/* trace: keep figures per process and per pagetable */
const volatile __u8 per_process = 0;
/* 1-based position of the argument naming the pagetable: map/unmap hooks
 * and hooks taking a struct iommu_domain * first */
const volatile __u8 slot_pt_arg[IB_MAX_SLOTS] = {};

/* counted under the hook's own name only, never as its role's operation */
const volatile __u8 slot_layer_only[IB_MAX_SLOTS] = {};

/* written by the harness threads through the mmap of .bss */
struct ib_tag tags[IB_MAX_THREADS] = {};

/* attach/detach events with their domain; read by user space after the run */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} domain_log SEC(".maps");

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

/* outermost tlb_inv calls by kind */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IB_NR_TLB_KINDS);
	__type(key, __u32);
	__type(value, struct ib_stats);
} inv_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, (IB_MAX_CTX + 1) * IB_NR_PHASES);
	__type(key, __u32);
	__type(value, struct ib_attr);
} attr_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct ib_pgsize);
} pgsize_stats SEC(".maps");

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

/* trace: keyed by tgid at task level; interrupt work is keyed by
 * IB_PROC_IRQ(level), never charged to the task it interrupted */
#define IB_PROC_IRQ(level) (0xffffffffu - (level))
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IB_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct ib_proc_stats);
} proc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IB_MAX_PTS);
	__type(key, struct ib_pt_key);
	__type(value, struct ib_pt_stats);
} pt_stats SEC(".maps");

/* trace: the command and every process or thread it forked since (the key
 * is the pid); filled by user space with the command, then on each fork */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} cmd_tree SEC(".maps");

struct frame {
	__u64 ts;
	__u64 bytes;
	__u64 pt;      /* trace: the outermost pagetable argument (slot_pt_arg) of
	                  this call and the calls it runs inside; 0 none */
	__u16 ctx;
	__u8 phase;
	__u8 slot;
	__u8 role;
	__u8 kind;
	__u8 outer;
	__u8 pt_slot;  /* trace: the slot whose argument gave pt */
};

/* Calls in flight on one task at one interrupt level, innermost last. */
struct task_state {
	__u32 depth;
	__u32 pad;
	struct frame f[IB_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);   /* tid | level << 32 */
	__type(value, struct task_state);
} inflight SEC(".maps");

static const struct task_state zero_state = {};
static const struct ib_proc_stats zero_proc = {};
static const struct ib_pt_stats zero_pt = {};

#define MASK(x) ((x) & (IB_MAX_SLOTS - 1))

static __always_inline struct ib_err_stats *errs(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&err_stats, &k);
}

static __always_inline bool wanted(void)
{
	char comm[IB_COMM_LEN];

	if (filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid)
		return false;
	if (!filter_comm_len)
		return true;
	if (bpf_get_current_comm(comm, sizeof(comm)))
		return false;
	for (int i = 0; i < IB_COMM_LEN; i++)
		if (i < filter_comm_len && comm[i] != filter_comm[i])
			return false;
	return true;
}

#ifdef __TARGET_ARCH_x86
/*
 * Where x86 keeps preempt_count: the per-CPU int __preempt_count up to 6.1
 * and again from 6.15 (46e8fff6d45f, "x86: Remove pcpu_hot"); in between
 * (64701838bf05, 6.2) it is a field of the per-CPU struct pcpu_hot. Both
 * symbols are weak: libbpf resolves a missing one to NULL, and the CO-RE
 * checks below turn the pcpu_hot branch into dead code on kernels without
 * the struct (our vmlinux.h, from 6.1, has none: hence the ___local flavour).
 * The kernel's BPF selftests read it the same way (bpf_misc.h).
 */
extern const int __preempt_count __ksym __weak;

struct pcpu_hot___local {
	int preempt_count;
} __attribute__((preserve_access_index));

extern struct pcpu_hot___local pcpu_hot __ksym __weak;
#endif

/* libbpf 1.2 has it; bookworm's 1.1 does not */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) ({							\
	_Static_assert(!__builtin_constant_p(!!sym), #sym " should be __weak");	\
	!!(sym);								\
})
#endif

/* 0 task, 1 softirq, 2 hardirq, 3 NMI; 0 with irq_unknown counted when the
 * kernel keeps preempt_count where this cannot read it */
static __always_inline __u32 irq_level(void)
{
	__u64 pc = 0;

#ifdef __TARGET_ARCH_x86
	if (bpf_ksym_exists(&__preempt_count)) {
		pc = *(const int *)bpf_this_cpu_ptr(&__preempt_count);
	} else if (bpf_core_type_exists(struct pcpu_hot___local) &&
		   bpf_core_field_exists(struct pcpu_hot___local, preempt_count) &&
		   bpf_ksym_exists(&pcpu_hot)) {
		pc = ((struct pcpu_hot___local *)bpf_this_cpu_ptr(&pcpu_hot))->preempt_count;
	} else {
		struct ib_err_stats *e = errs();

		if (e)
			e->irq_unknown++;
		return 0;
	}
#else
	/* arm64: thread_info (first in task_struct) holds it */
	struct task_struct *t = bpf_get_current_task_btf();

	pc = BPF_CORE_READ(t, thread_info.preempt_count);
#endif
	if (pc & 0x00f00000)   /* NMI_MASK */
		return 3;
	if (pc & 0x000f0000)   /* HARDIRQ_MASK */
		return 2;
	if (pc & 0x00000100)   /* SOFTIRQ_OFFSET: serving a softirq */
		return 1;
	return 0;
}

/*
 * ib_bucket and ib_fls64 as global functions: the verifier checks each once
 * and does not know its result. Inlined, each branch of the bit search ended
 * on a different constant index, and the code after it was verified once per
 * constant (about 10 000 instructions verified for every exit program, a
 * quarter of a second each in a TCG guest, where a run loads about a hundred
 * programs).
 */
__noinline int ib_bucket_of(__u64 v)
{
	return (int)ib_bucket(v);
}

__noinline int ib_fls64_of(__u64 v)
{
	return (int)ib_fls64(v);
}

static __always_inline void record(struct ib_stats *s, __u64 d, __u64 bytes)
{
	/* a 64-bit index the verifier can follow: with a __u32, clang
	 * bounds-checks a zero-extended copy and indexes with the original */
	__u64 b = (__u32)ib_bucket_of(d);

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

/*
 * The tag of a thread: its context | phase << 16, or the deferred bucket. A
 * global function, for the verifier: inlined, each tag the scan could stop
 * at was an index of its own and the rest of on_entry was verified once per
 * tag (16 times over).
 */
__noinline int ib_tag_of(__u64 tid)
{
	for (__u32 i = 0; i < IB_MAX_THREADS; i++) {
		if (tags[i].tid == (__u32)tid) {
			if (tags[i].phase != IB_PH_NONE && tags[i].ctx < IB_MAX_CTX)
				return tags[i].ctx | (tags[i].phase < IB_NR_PHASES ? tags[i].phase : IB_PH_NONE) << 16;
			break;
		}
	}
	return IB_DEFERRED | IB_PH_NONE << 16;
}

/* The tag of the current thread: context and phase, or the deferred bucket. */
static __always_inline void attribution(__u32 tid, __u32 level, __u16 *ctx, __u8 *phase)
{
	int t;

	*ctx = IB_DEFERRED;
	*phase = IB_PH_NONE;
	if (level)
		return;
	t = ib_tag_of(tid);
	*ctx = (__u16)t;
	*phase = (__u8)(t >> 16);
}

static __always_inline struct ib_attr *attr_of(__u16 ctx, __u8 phase)
{
	__u32 k = (__u32)(ctx > IB_DEFERRED ? IB_DEFERRED : ctx) * IB_NR_PHASES +
		  (phase < IB_NR_PHASES ? phase : 0);

	return bpf_map_lookup_elem(&attr_stats, &k);
}

struct args {
	__u64 a[6];
};

static __always_inline __u64 pick(const struct args *a, __u8 n)
{
	/* n is 1-based; the compare chain keeps every index constant */
	return n == 1 ? a->a[0] : n == 2 ? a->a[1] : n == 3 ? a->a[2] :
	       n == 4 ? a->a[3] : n == 5 ? a->a[4] : n == 6 ? a->a[5] : 0;
}

static __always_inline __u8 decode_kind(__u32 slot, const struct args *a)
{
	__u8 k = slot_kind[MASK(slot)];

	if (slot_kind_decode[MASK(slot)] == IB_KIND_VTD_IOTLB) {
		/* DMA_TLB_GLOBAL_FLUSH 1, DSI 2, PSI 3 in bits 61:60 */
		switch ((pick(a, slot_kind_arg[MASK(slot)]) >> 60) & 3) {
		case 1: return IB_TLB_ALL;
		case 2: return IB_TLB_DOMAIN;
		case 3: return IB_TLB_RANGE;
		}
	}
	return k;
}

static __always_inline void count_pgsize(__u32 slot, const struct args *a)
{
	__u8 ps = slot_pgsize_arg[MASK(slot)];
	struct ib_pgsize *p;
	__u32 l;

	if (!ps)
		return;
	l = (__u32)ib_fls64_of(pick(a, ps));
	l = l ? l - 1 : 0;
	p = bpf_map_lookup_elem(&pgsize_stats, &l);
	if (p) {
		p->calls++;
		p->pages += slot_pgcount_arg[MASK(slot)] ? pick(a, slot_pgcount_arg[MASK(slot)]) : 1;
	}
}

static __always_inline int on_entry(__u32 slot, const struct args *a)
{
	struct task_state *st;
	struct ib_stats *hs;
	struct ib_err_stats *e;
	__u32 tid, d, role, level;
	__u64 key;
	__u16 ctx;
	__u8 phase, outer = 1;

	if (!wanted() || slot >= IB_MAX_SLOTS)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	level = irq_level();
	key = tid | ((__u64)level << 32);
	st = bpf_map_lookup_elem(&inflight, &key);
	if (!st) {
		bpf_map_update_elem(&inflight, &key, &zero_state, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&inflight, &key);
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
	count_pgsize(slot, a);
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
	role = slot_role[MASK(slot)];
	for (__u32 i = 0; i < IB_STACK_DEPTH; i++) {
		if (i >= d)
			break;
		if (st->f[i].role == role)
			outer = 0;
	}
	if (slot_layer_only[MASK(slot)])
		outer = 0;
	attribution(tid, level, &ctx, &phase);
	if (slot_domain_arg[MASK(slot)]) {
		struct ib_domain_event *ev = bpf_ringbuf_reserve(&domain_log, sizeof(*ev), 0);

		if (ev) {
			ev->domain = pick(a, slot_domain_arg[MASK(slot)]);
			ev->ctx = ctx;
			ev->phase = phase;
			ev->role = role;
			ev->slot = slot;
			bpf_ringbuf_submit(ev, 0);
		} else {
			e = errs();
			if (e)
				e->domain_drops++;
		}
	}
	st->f[d].slot = slot;
	st->f[d].role = role;
	st->f[d].kind = decode_kind(slot, a);
	st->f[d].outer = outer;
	st->f[d].ctx = ctx;
	st->f[d].phase = phase;
	st->f[d].bytes = pick(a, slot_size_arg[MASK(slot)]);
	/* the outermost pagetable: inherited from the call this one runs in */
	st->f[d].pt = 0;
	st->f[d].pt_slot = 0;
	if (per_process) {
		__u64 up = d ? st->f[(d - 1) & (IB_STACK_DEPTH - 1)].pt : 0;

		if (up) {
			st->f[d].pt = up;
			st->f[d].pt_slot = st->f[(d - 1) & (IB_STACK_DEPTH - 1)].pt_slot;
		} else {
			st->f[d].pt = pick(a, slot_pt_arg[MASK(slot)]);
			st->f[d].pt_slot = slot;
		}
	}
	st->depth = d + 1;
	st->f[d].ts = bpf_ktime_get_ns();
	return 0;
}

enum { IB_REC_HOOK, IB_REC_ROLE, IB_REC_INV };

/*
 * One completed call into the per-hook, per-role or per-kind statistics.
 * A global function: the verifier checks it once. Inlined, the branches of
 * the bucket computation multiplied with every path of on_exit, three times
 * over, and 6.1 gave up at a million instructions once trace's accounting
 * was added.
 */
__noinline int ib_record(__u64 which, __u64 key, __u64 d, __u64 bytes)
{
	struct ib_stats *s;
	__u32 k = (__u32)key;

	if (which == IB_REC_HOOK)
		s = bpf_map_lookup_elem(&hook_stats, &k);
	else if (which == IB_REC_ROLE)
		s = bpf_map_lookup_elem(&role_stats, &k);
	else
		s = bpf_map_lookup_elem(&inv_stats, &k);
	if (s)
		record(s, d, bytes);
	return 0;
}

/* trace: the process a call is charged to, created at first sight */
static __always_inline struct ib_proc_stats *proc_of(__u32 level)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct ib_proc_stats *p;
	__u32 key = level ? IB_PROC_IRQ(level) : (__u32)(bpf_get_current_pid_tgid() >> 32);

	p = bpf_map_lookup_elem(&proc_stats, &key);
	if (p)
		return p;
	bpf_map_update_elem(&proc_stats, &key, &zero_proc, BPF_NOEXIST);
	p = bpf_map_lookup_elem(&proc_stats, &key);
	if (!p) {
		struct ib_err_stats *e = errs();

		if (e)
			e->proc_map_full++;
		return NULL;
	}
	if (level)
		return p;
	BPF_CORE_READ_STR_INTO(&p->comm, t, group_leader, comm);
	p->parent = BPF_CORE_READ(t, real_parent, tgid);
	p->from_cmd = bpf_map_lookup_elem(&cmd_tree, &key) != NULL;
	return p;
}

static __always_inline struct ib_pt_stats *pt_of(__u64 pt, __u32 key, __u32 slot)
{
	struct ib_pt_key k = { .pt = pt, .tgid = key };
	struct ib_pt_stats *v;

	v = bpf_map_lookup_elem(&pt_stats, &k);
	if (v)
		return v;
	bpf_map_update_elem(&pt_stats, &k, &zero_pt, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&pt_stats, &k);
	if (!v) {
		struct ib_err_stats *e = errs();

		if (e)
			e->proc_map_full++;
		return NULL;
	}
	if (!v->first_ns) {
		v->first_ns = bpf_ktime_get_ns();
		v->first_slot = slot;
	}
	return v;
}

static __always_inline void add_role(struct ib_attr_role *r, __u64 delta, __u64 bytes)
{
	__sync_fetch_and_add(&r->count, 1);
	__sync_fetch_and_add(&r->sum_ns, delta);
	__sync_fetch_and_add(&r->bytes, bytes);
}

/* One outermost call into a process's or a pagetable's figures; role is
 * below IB_NR_ROLES (checked by the caller). */
static __always_inline void charge(struct ib_attr_role *roles, struct ib_attr_inv *invs, __u64 role,
				   __u64 kind, __u64 delta, __u64 bytes)
{
	add_role(&roles[role], delta, bytes);
	if (role == IB_ROLE_TLB_INV && kind < IB_NR_TLB_KINDS) {
		__sync_fetch_and_add(&invs[kind].count, 1);
		__sync_fetch_and_add(&invs[kind].sum_ns, delta);
	}
}

/* What ib_account gets in its last argument. */
#define ACC_ROLE(x)      (((x) >> 8) & 0xff)
#define ACC_KIND(x)      (((x) >> 16) & 0xff)
#define ACC_OUTER        (1ull << 24)
#define ACC_LEVEL(x)     (((x) >> 25) & 3)
#define ACC_DKIND(x)     (((x) >> 32) & 0xff)
#define ACC_DESCS        (1ull << 40)
#define ACC_PTSLOT(x)    (((x) >> 48) & 0xff)
#define ACC_DPTSLOT(x)   (((x) >> 56) & 0xff)

/*
 * trace: charge one completed call to its process and pagetable. A global
 * function, so the verifier checks it once instead of once for every path
 * through on_exit (inlined, 6.1 gave up at a million instructions). pt is
 * the call's pagetable, dpt that of the invalidation its descriptors belong
 * to; packed holds slot, role, kind, outermost, level, the descriptors' kind
 * and the slots that named the two pagetables.
 */
__noinline int ib_account(__u64 pt, __u64 dpt, __u64 delta, __u64 bytes, __u64 packed)
{
	__u32 level = ACC_LEVEL(packed);
	__u32 key = level ? IB_PROC_IRQ(level) : (__u32)(bpf_get_current_pid_tgid() >> 32);
	__u64 role = ACC_ROLE(packed), kind = ACC_KIND(packed), dk = ACC_DKIND(packed);
	struct ib_proc_stats *p = proc_of(level);
	struct ib_pt_stats *ps;

	if ((packed & ACC_DESCS) && dk < IB_NR_TLB_KINDS) {
		__u64 n = bytes & 0xffffffffull;

		if (p)
			__sync_fetch_and_add(&p->inv[dk].descs, n);
		ps = dpt ? pt_of(dpt, key, ACC_DPTSLOT(packed)) : NULL;
		if (ps)
			__sync_fetch_and_add(&ps->inv[dk].descs, n);
	}
	if (!(packed & ACC_OUTER) || role >= IB_NR_ROLES)
		return 0;
	ps = pt ? pt_of(pt, key, ACC_PTSLOT(packed)) : NULL;
	if (p)
		charge(p->role, p->inv, role, kind, delta, bytes);
	if (ps)
		charge(ps->role, ps->inv, role, kind, delta, bytes);
	return 0;
}

/*
 * The frame of an exiting call in its task's in-flight stack (normally the
 * top one; a lost exit leaves stale frames above it), and the outermost
 * invalidation frame at or below it: found | first_inv << 8, IB_STACK_DEPTH
 * for none. A global function: the verifier checks it once and knows
 * nothing of its result, so the rest of on_exit is checked once. Inlined,
 * every pair of indices the two searches can end on was a path of its own
 * through on_exit: about 14 000 instructions verified per fexit program,
 * a quarter of a second each in a TCG guest.
 */
__noinline int ib_find_frame(__u64 key, __u64 slot)
{
	struct task_state *st = bpf_map_lookup_elem(&inflight, &key);
	__u32 d, found = IB_STACK_DEPTH, first_inv = IB_STACK_DEPTH;

	if (!st)
		return IB_STACK_DEPTH | IB_STACK_DEPTH << 8;
	d = st->depth;
	for (int i = IB_STACK_DEPTH - 1; i >= 0; i--) {
		if ((__u32)i < d && st->f[i].slot == slot) {
			found = i;
			break;
		}
	}
	for (__u32 i = 0; i < IB_STACK_DEPTH; i++) {
		if (i <= found && st->f[i].role == IB_ROLE_TLB_INV) {
			first_inv = i;
			break;
		}
	}
	return found | first_inv << 8;
}

static __always_inline int on_exit(__u32 slot)
{
	__u64 now = bpf_ktime_get_ns();
	struct task_state *st;
	struct ib_attr *at;
	struct ib_err_stats *e;
	__u32 tid, d, role, kind, level, found, first_inv;
	int r;
	__u64 delta, bytes, key;
	__u16 ctx;
	__u8 outer, phase;

	if (!wanted() || slot >= IB_MAX_SLOTS)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	level = irq_level();
	key = tid | ((__u64)level << 32);
	st = bpf_map_lookup_elem(&inflight, &key);
	if (!st || st->depth == 0)
		goto unmatched;
	d = st->depth;
	if (d > IB_STACK_DEPTH) {
		st->depth = d - 1;
		return 0;
	}
	r = ib_find_frame(key, slot);
	found = r & 0xff;
	/* the outermost invalidation this call sits in (itself included) */
	first_inv = (r >> 8) & 0xff;
	if (found >= IB_STACK_DEPTH || found >= d)
		goto unmatched;
	delta = now - st->f[found].ts;
	bytes = st->f[found].bytes;
	role = st->f[found].role;
	kind = st->f[found].kind;
	outer = st->f[found].outer;
	ctx = st->f[found].ctx;
	phase = st->f[found].phase;
	if (found != d - 1) {
		e = errs();
		if (e)
			e->unmatched_exit += d - 1 - found;
	}
	st->depth = found;

	ib_record(IB_REC_HOOK, slot, delta, bytes);
	if (per_process) {
		__u64 packed = (slot & 0xff) | ((__u64)(role & 0xff) << 8) | ((__u64)(kind & 0xff) << 16) |
			       (outer ? ACC_OUTER : 0) | ((__u64)(level & 3) << 25), dpt = 0;

		packed |= (__u64)st->f[found & (IB_STACK_DEPTH - 1)].pt_slot << 48;
		if (slot_descs[MASK(slot)] && first_inv < IB_STACK_DEPTH) {
			packed |= ACC_DESCS | ((__u64)st->f[first_inv & (IB_STACK_DEPTH - 1)].kind << 32) |
				  ((__u64)st->f[first_inv & (IB_STACK_DEPTH - 1)].pt_slot << 56);
			dpt = st->f[first_inv & (IB_STACK_DEPTH - 1)].pt;
		}
		ib_account(st->f[found & (IB_STACK_DEPTH - 1)].pt, dpt, delta, bytes, packed);
	}
	at = attr_of(ctx, phase);
	if (at && slot_descs[MASK(slot)] && first_inv < IB_STACK_DEPTH) {
		__u64 k = st->f[first_inv & (IB_STACK_DEPTH - 1)].kind;

		barrier_var(k);
		/* the count is an unsigned int: drop what the register's upper half holds */
		if (k < IB_NR_TLB_KINDS)
			at->inv[k].descs += bytes & 0xffffffffull;
	}
	if (!outer || role >= IB_NR_ROLES)
		return 0;
	/* Lookups take copies: a variable whose address is taken lives on
	 * the stack, and 6.1 loses its bounds when it is reloaded. The
	 * array indices are 64-bit, bounds-checked right before use. */
	ib_record(IB_REC_ROLE, role, delta, bytes);
	if (at) {
		__u64 r = role;

		barrier_var(r);
		if (r < IB_NR_ROLES) {
			at->role[r].count++;
			at->role[r].sum_ns += delta;
			at->role[r].bytes += bytes;
		}
	}
	if (role == IB_ROLE_TLB_INV && kind < IB_NR_TLB_KINDS) {
		__u64 k = kind;

		ib_record(IB_REC_INV, kind, delta, bytes);
		barrier_var(k);
		if (at && k < IB_NR_TLB_KINDS) {
			at->inv[k].count++;
			at->inv[k].sum_ns += delta;
		}
	}
	return 0;
unmatched:
	e = errs();
	if (e)
		e->unmatched_exit++;
	return 0;
}

static __always_inline int fentry_entry(void *ctx, __u32 slot)
{
	struct args a = {};

	/* bpf_get_func_arg fails (leaving 0) past the function's arg count */
	bpf_get_func_arg(ctx, 0, &a.a[0]);
	bpf_get_func_arg(ctx, 1, &a.a[1]);
	bpf_get_func_arg(ctx, 2, &a.a[2]);
	bpf_get_func_arg(ctx, 3, &a.a[3]);
	bpf_get_func_arg(ctx, 4, &a.a[4]);
	bpf_get_func_arg(ctx, 5, &a.a[5]);
	return on_entry(slot, &a);
}

static __always_inline int kprobe_entry(struct pt_regs *ctx, __u32 slot)
{
	/* Registers at fixed offsets: a variable index into pt_regs is
	 * folded by clang into a computed ctx offset, which the verifier
	 * refuses ("dereference of modified ctx ptr"). Arguments past the
	 * fifth are not read in kprobe mode. */
	struct args a = {
		.a = { PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM3(ctx),
		       PT_REGS_PARM4(ctx), PT_REGS_PARM5(ctx), 0 },
	};

	return on_entry(slot, &a);
}

/* Targets are set by user space (bpf_program__set_attach_target for fentry,
 * the kprobe attach call for kprobes); programs not chosen are not loaded. */
#define IB_SLOT(n)							\
SEC("fentry")								\
int BPF_PROG(fentry_##n) { return fentry_entry(ctx, n); }		\
SEC("fexit")								\
int BPF_PROG(fexit_##n) { return on_exit(n); }				\
SEC("kprobe")								\
int BPF_KPROBE(kprobe_##n) { return kprobe_entry(ctx, n); }		\
SEC("kretprobe")							\
int BPF_KRETPROBE(kretprobe_##n) { return on_exit(n); }

#define IB_SLOTS8(a)							\
	IB_SLOT(a##0) IB_SLOT(a##1) IB_SLOT(a##2) IB_SLOT(a##3)		\
	IB_SLOT(a##4) IB_SLOT(a##5) IB_SLOT(a##6) IB_SLOT(a##7)

/* 128 slots. Each name is its slot number written in octal with a leading
 * 0 ("00", "01", ... "0177"), so the pasted token is also the C literal the
 * program passes: user space finds slot s as "fentry_0%o". */
IB_SLOTS8(0) IB_SLOTS8(01) IB_SLOTS8(02) IB_SLOTS8(03)
IB_SLOTS8(04) IB_SLOTS8(05) IB_SLOTS8(06) IB_SLOTS8(07)
IB_SLOTS8(010) IB_SLOTS8(011) IB_SLOTS8(012) IB_SLOTS8(013)
IB_SLOTS8(014) IB_SLOTS8(015) IB_SLOTS8(016) IB_SLOTS8(017)

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

/* gone in ~6.3 (the drivers' detach_dev callbacks were removed) */
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

/* trace: a fork by the command or one of its descendants adds the child */
SEC("tp/sched/sched_process_fork")
int tp_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32, child = ctx->child_pid;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&cmd_tree, &parent))
		bpf_map_update_elem(&cmd_tree, &child, &one, BPF_ANY);
	return 0;
}
