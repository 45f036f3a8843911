// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* BPF lifecycle: open, set .rodata and autoload, load, attach, read, destroy. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iommubench.h"
#include "iommubench.skel.h"
#include "probes.h"
#include "stats.h"
#include "workload.h"

static bool verbose;
/* name of the last program libbpf said it failed to load */
static char failed_prog[64];

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *p;
	char buf[1024];
	va_list ap2;

	va_copy(ap2, ap);
	vsnprintf(buf, sizeof(buf), fmt, ap2);
	va_end(ap2);
	/* "libbpf: prog 'fentry_00': failed to load: -22" and similar */
	if ((p = strstr(buf, "prog '")) && strstr(buf, "failed")) {
		const char *q = strchr(p + 6, '\'');

		if (q && q - (p + 6) < (long)sizeof(failed_prog))
			snprintf(failed_prog, sizeof(failed_prog), "%.*s", (int)(q - (p + 6)), p + 6);
	}
	(void)level;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap); /* whole: verifier logs are long */
}

void ib_probes_set_verbose(bool v)
{
	verbose = v;
}

/* with -v: how long loading (the verifier), attaching and detaching took;
 * on a TCG guest they are most of a short run's time */
static void step_time(const char *what, size_t n, const char *unit, uint64_t t0)
{
	if (verbose)
		fprintf(stderr, "iommubench: probes: %s %zu %s in %.2f s\n", what, n, unit,
			(double)(ib_now_ns() - t0) / 1e9);
}

static struct bpf_program *slot_prog(struct iommubench_bpf *skel, const char *kind, int slot)
{
	char name[32];

	snprintf(name, sizeof(name), "%s_0%o", kind, slot);
	return bpf_object__find_program_by_name(skel->obj, name);
}

static const char *const tp_prog_names[IB_NR_TPS] = {
	[IB_TP_MAP] = "tp_map", [IB_TP_UNMAP] = "tp_unmap",
	[IB_TP_ATTACH] = "tp_attach", [IB_TP_DETACH] = "tp_detach",
	[IB_TP_FAULT] = "tp_fault", [IB_TP_ADD_GROUP] = "tp_add_group",
	[IB_TP_REMOVE_GROUP] = "tp_remove_group",
};

static struct bpf_program *tp_prog(struct iommubench_bpf *skel, int tp)
{
	if (tp < 0 || tp >= IB_NR_TPS)
		return NULL;
	return bpf_object__find_program_by_name(skel->obj, tp_prog_names[tp]);
}

/* Tracepoint programs needed: each existing tracepoint hook, and each
 * tracepoint that a function hook falls back to. */
static bool tp_wanted(const struct ib_hook *hooks, int tp)
{
	for (size_t i = 0; i < ib_catalog_len; i++)
		if (hooks[i].mode == IB_MODE_TRACEPOINT && hooks[i].def->tp == tp)
			return true;
	return false;
}

int ib_probes_configure(struct iommubench_bpf *skel, struct ib_hook *hooks, uint32_t tgid,
			const char *comm, bool per_process)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	skel->rodata->filter_tgid = tgid;
	skel->rodata->per_process = per_process;
	if (comm && comm[0]) {
		size_t n = strnlen(comm, IB_COMM_LEN - 1);

		memcpy((char *)skel->rodata->filter_comm, comm, n);
		skel->rodata->filter_comm_len = (__u8)n;
	}
	for (size_t i = 0; i < ib_catalog_len; i++) {
		struct ib_hook *h = &hooks[i];
		const char *entry = NULL, *exit = NULL;

		if (h->def->type != IB_HOOK_FUNC || h->slot < 0)
			continue;
		skel->rodata->slot_role[h->slot] = h->def->role;
		skel->rodata->slot_size_arg[h->slot] = h->size_arg;
		skel->rodata->slot_kind[h->slot] = h->def->kind;
		skel->rodata->slot_kind_decode[h->slot] = h->kind_arg ? h->def->decode : IB_KIND_STATIC;
		skel->rodata->slot_kind_arg[h->slot] = h->kind_arg;
		skel->rodata->slot_pgsize_arg[h->slot] = h->pgsize_arg;
		skel->rodata->slot_pgcount_arg[h->slot] = h->pgcount_arg;
		skel->rodata->slot_descs[h->slot] = h->def->descs;
		skel->rodata->slot_domain_arg[h->slot] = h->domain_arg;
		skel->rodata->slot_pt_arg[h->slot] = h->pt_arg;
		skel->rodata->slot_layer_only[h->slot] = h->def->layer_only;
		if (h->mode == IB_MODE_FENTRY) {
			entry = "fentry";
			exit = "fexit";
		} else if (h->mode == IB_MODE_KPROBE) {
			entry = "kprobe";
			exit = "kretprobe";
		} else {
			continue;
		}
		for (int k = 0; k < 2; k++) {
			prog = slot_prog(skel, k ? exit : entry, h->slot);
			if (!prog)
				return -ENOENT;
			bpf_program__set_autoload(prog, true);
			if (h->mode == IB_MODE_FENTRY) {
				err = bpf_program__set_attach_target(prog, 0, h->def->name);
				if (err)
					return err;
			}
		}
	}
	for (int tp = 0; tp < IB_NR_TPS; tp++)
		if (tp_wanted(hooks, tp))
			bpf_program__set_autoload(tp_prog(skel, tp), true);
	/* trace: follow the command's forks */
	bpf_program__set_autoload(skel->progs.tp_fork, per_process);
	return 0;
}

/* The kernel refused prog: move the hook(s) using it one mode down. */
static bool demote(struct ib_hook *hooks, const char *prog, int load_err)
{
	static const char *const kinds[] = { "fentry", "fexit", "kprobe", "kretprobe" };
	char name[32];

	for (size_t i = 0; i < ib_catalog_len; i++) {
		struct ib_hook *h = &hooks[i];

		for (int k = 0; h->slot >= 0 && k < 4; k++) {
			snprintf(name, sizeof(name), "%s_0%o", kinds[k], h->slot);
			if (strcmp(name, prog))
				continue;
			if (h->mode == IB_MODE_FENTRY) {
				h->mode = IB_MODE_KPROBE;
				snprintf(h->reason, sizeof(h->reason),
					 "kprobe/kretprobe (fentry refused at load: %s)", strerror(-load_err));
			} else {
				h->mode = IB_MODE_NONE;
				snprintf(h->reason, sizeof(h->reason), "program refused at load: %s",
					 strerror(-load_err));
			}
			return true;
		}
	}
	for (int tp = 0; tp < IB_NR_TPS; tp++) {
		bool hit = false;

		if (strcmp(prog, tp_prog_names[tp]))
			continue;
		for (size_t i = 0; i < ib_catalog_len; i++) {
			if (hooks[i].mode == IB_MODE_TRACEPOINT && hooks[i].def->tp == tp) {
				hooks[i].mode = IB_MODE_NONE;
				snprintf(hooks[i].reason, sizeof(hooks[i].reason),
					 "tracepoint program refused at load: %s", strerror(-load_err));
				hit = true;
			}
		}
		return hit;
	}
	return false;
}

static int add_link(struct ib_probes *p, struct bpf_link *l, int hook)
{
	if (!l)
		return -errno;
	p->link_hook[p->nlinks] = hook;
	p->links[p->nlinks++] = l;
	return 0;
}

/* Attach every loaded program; what failed is left in the hooks' reasons.
 * Returns -errno when the fork tracepoint of `trace` failed to attach. */
static int attach_hooks(struct ib_probes *p)
{
	struct iommubench_bpf *skel = p->skel;

	for (size_t i = 0; i < ib_catalog_len; i++) {
		struct ib_hook *h = &p->hooks[i];
		struct bpf_program *en, *ex;
		int e1, e2 = 0;

		if (h->def->type != IB_HOOK_FUNC ||
		    (h->mode != IB_MODE_FENTRY && h->mode != IB_MODE_KPROBE))
			continue;
		en = slot_prog(skel, h->mode == IB_MODE_FENTRY ? "fentry" : "kprobe", h->slot);
		ex = slot_prog(skel, h->mode == IB_MODE_FENTRY ? "fexit" : "kretprobe", h->slot);
		/* exit first: an exit without entry is only counted as
		 * unmatched, while an entry without exit would leave a stale
		 * frame that makes later calls look nested */
		if (h->mode == IB_MODE_FENTRY) {
			e1 = add_link(p, bpf_program__attach(ex), (int)i);
			if (!e1)
				e2 = add_link(p, bpf_program__attach(en), (int)i);
		} else if (h->nsyms > 1 && h->addr) {
			/* one of several functions of this name: by address (the
			 * kprobe PMU takes an address when no name is given) */
			LIBBPF_OPTS(bpf_kprobe_opts, ro, .offset = (size_t)h->addr, .retprobe = true);
			LIBBPF_OPTS(bpf_kprobe_opts, eo, .offset = (size_t)h->addr);

			e1 = add_link(p, bpf_program__attach_kprobe_opts(ex, NULL, &ro), (int)i);
			if (!e1)
				e2 = add_link(p, bpf_program__attach_kprobe_opts(en, NULL, &eo), (int)i);
		} else {
			const char *sym = h->sym[0] ? h->sym : h->def->name;

			e1 = add_link(p, bpf_program__attach_kprobe(ex, true, sym), (int)i);
			if (!e1)
				e2 = add_link(p, bpf_program__attach_kprobe(en, false, sym), (int)i);
		}
		if (e1 || e2) {
			if (h->nsyms > 1 && h->addr)
				snprintf(h->reason, sizeof(h->reason), "kprobe at 0x%llx (%s's %s) failed: %s",
					 h->addr, h->driver, h->def->name, strerror(-(e1 ? e1 : e2)));
			else
				snprintf(h->reason, sizeof(h->reason), "%s attach failed: %s",
					 ib_mode_name(h->mode), strerror(-(e1 ? e1 : e2)));
			continue;
		}
		h->attached = true;
	}
	for (int tp = 0; tp < IB_NR_TPS; tp++) {
		int e;

		if (!tp_wanted(p->hooks, tp))
			continue;
		e = add_link(p, bpf_program__attach(tp_prog(skel, tp)), -1);
		for (size_t i = 0; i < ib_catalog_len; i++) {
			struct ib_hook *h = &p->hooks[i];

			if (h->mode != IB_MODE_TRACEPOINT || h->def->tp != tp)
				continue;
			if (e)
				snprintf(h->reason, sizeof(h->reason), "tracepoint attach failed: %s",
					 strerror(-e));
			else
				h->attached = true;
		}
	}
	if (bpf_program__autoload(skel->progs.tp_fork))
		return add_link(p, bpf_program__attach(skel->progs.tp_fork), -1);
	return 0;
}

static int start(struct ib_probes *p, struct ib_hook *hooks, uint32_t filter_tgid,
		 const char *filter_comm, bool per_process, char *err, size_t errlen)
{
	int e;

	uint64_t t0 = ib_now_ns();

	memset(p, 0, sizeof(*p));
	p->hooks = hooks;
	libbpf_set_print(print_fn);
	for (;;) {
		p->skel = iommubench_bpf__open();
		if (!p->skel) {
			e = -errno;
			snprintf(err, errlen, "opening the BPF object: %s", strerror(-e));
			return e;
		}
		e = ib_probes_configure(p->skel, hooks, filter_tgid, filter_comm, per_process);
		if (e) {
			snprintf(err, errlen, "configuring the BPF object: %s", strerror(-e));
			goto fail;
		}
		failed_prog[0] = '\0';
		e = iommubench_bpf__load(p->skel);
		if (!e)
			break;
		/* E2BIG: the verifier gave up on the program's complexity; every
		 * slot's copy would fare the same, so demoting one hook at a time
		 * would only repeat minutes of verification */
		if (e == -E2BIG) {
			snprintf(err, errlen, "loading the BPF object: the kernel's verifier found program %s too "
				 "complex (E2BIG); this kernel needs a simpler program: please report it with the "
				 "output of -v", failed_prog[0] ? failed_prog : "?");
			goto fail;
		}
		if (failed_prog[0])
			fprintf(stderr, "iommubench: the kernel refused program %s (%s); trying again without "
				"its hook's current attach mode\n", failed_prog, strerror(-e));
		if (!failed_prog[0] || !demote(hooks, failed_prog, e) || ++p->retries > 2 * IB_MAX_SLOTS) {
			snprintf(err, errlen, "loading the BPF object: %s%s%s (run with -v for the verifier log)",
				 strerror(-e), failed_prog[0] ? ", program " : "", failed_prog);
			goto fail;
		}
		iommubench_bpf__destroy(p->skel);
		p->skel = NULL;
	}
	step_time("loaded the BPF object,", (size_t)p->retries + 1,
		  p->retries ? "loads (each refused program costs one)" : "load", t0);
	t0 = ib_now_ns();
	e = attach_hooks(p);
	step_time("attached", p->nlinks, "links", t0);
	if (e) {
		snprintf(err, errlen, "attaching to the tracepoint sched:sched_process_fork (to follow the "
			 "command's processes): %s (errno %d)", strerror(-e), -e);
		ib_probes_stop(p);
		return e;
	}
	return 0;
fail:
	iommubench_bpf__destroy(p->skel);
	p->skel = NULL;
	return e;
}

int ib_probes_start(struct ib_probes *p, struct ib_hook *hooks, uint32_t filter_tgid,
		    const char *filter_comm, char *err, size_t errlen)
{
	return start(p, hooks, filter_tgid, filter_comm, false, err, errlen);
}

int ib_probes_start_trace(struct ib_probes *p, struct ib_hook *hooks, uint32_t filter_tgid,
			  char *err, size_t errlen)
{
	return start(p, hooks, filter_tgid, NULL, true, err, errlen);
}

int ib_probes_set_command(struct ib_probes *p, uint32_t tgid)
{
	__u8 one = 1;

	if (!p->skel)
		return -EINVAL;
	if (bpf_map__update_elem(p->skel->maps.cmd_tree, &tgid, sizeof(tgid), &one, sizeof(one), BPF_ANY))
		return -errno;
	return 0;
}

static uint64_t prog_misses(struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = prog ? bpf_program__fd(prog) : -1;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

/* Read entry k of a per-CPU array and add the CPUs up with add(). */
static int read_percpu(struct bpf_map *map, __u32 k, void *buf, size_t vsz, int ncpu,
		       void (*add)(void *dst, const void *src), void *dst)
{
	if (bpf_map__lookup_elem(map, &k, sizeof(k), buf, (size_t)ncpu * vsz, 0))
		return -errno;
	for (int c = 0; c < ncpu; c++)
		add(dst, (char *)buf + (size_t)c * vsz);
	return 0;
}

static void add_stats(void *d, const void *s) { ib_stats_add(d, s); }

static void add_u64s(void *d, const void *s, size_t n)
{
	__u64 *a = d;
	const __u64 *b = s;

	for (size_t i = 0; i < n; i++)
		a[i] += b[i];
}

/* these structs are all __u64 fields: add them field by field */
static void add_tp(void *d, const void *s) { add_u64s(d, s, sizeof(struct ib_tp_stats) / 8); }
static void add_err(void *d, const void *s) { add_u64s(d, s, sizeof(struct ib_err_stats) / 8); }
static void add_attr(void *d, const void *s) { add_u64s(d, s, sizeof(struct ib_attr) / 8); }
static void add_pgsize(void *d, const void *s) { add_u64s(d, s, sizeof(struct ib_pgsize) / 8); }

static int on_domain_event(void *ctx, void *data, size_t size)
{
	struct ib_readout *out = ctx;

	if (size < sizeof(struct ib_domain_event))
		return 0;
	if (out->ndomain_events < IB_DOMAIN_LOG)
		memcpy(&out->domain_log[out->ndomain_events], data, sizeof(struct ib_domain_event));
	out->ndomain_events++;
	return 0;
}

int ib_probes_read(struct ib_probes *p, struct ib_readout *out)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct iommubench_bpf *sk = p->skel;
	void *buf;

	memset(out, 0, sizeof(*out));
	if (!sk)
		return -EINVAL;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	buf = calloc((size_t)ncpu, sizeof(struct ib_stats));
	if (!buf)
		return -ENOMEM;
	for (__u32 k = 0; !err && k < IB_MAX_SLOTS; k++)
		err = read_percpu(sk->maps.hook_stats, k, buf, sizeof(struct ib_stats), ncpu,
				  add_stats, &out->hook[k]);
	for (__u32 k = 0; !err && k < IB_NR_ROLES; k++)
		err = read_percpu(sk->maps.role_stats, k, buf, sizeof(struct ib_stats), ncpu,
				  add_stats, &out->role[k]);
	for (__u32 k = 0; !err && k < IB_NR_TLB_KINDS; k++)
		err = read_percpu(sk->maps.inv_stats, k, buf, sizeof(struct ib_stats), ncpu,
				  add_stats, &out->inv[k]);
	for (__u32 k = 0; !err && k < (IB_MAX_CTX + 1) * IB_NR_PHASES; k++)
		err = read_percpu(sk->maps.attr_stats, k, buf, sizeof(struct ib_attr), ncpu,
				  add_attr, &out->attr[k / IB_NR_PHASES][k % IB_NR_PHASES]);
	for (__u32 k = 0; !err && k < 64; k++)
		err = read_percpu(sk->maps.pgsize_stats, k, buf, sizeof(struct ib_pgsize), ncpu,
				  add_pgsize, &out->pgsize[k]);
	for (__u32 k = 0; !err && k < IB_NR_TPS; k++) {
		err = read_percpu(sk->maps.tp_stats, k, buf, sizeof(struct ib_tp_stats), ncpu,
				  add_tp, &out->tp[k]);
		out->tp_misses[k] = prog_misses(tp_prog(sk, k));
	}
	if (!err)
		err = read_percpu(sk->maps.err_stats, 0, buf, sizeof(struct ib_err_stats), ncpu,
				  add_err, &out->err);
	if (!err) {
		struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(sk->maps.domain_log), on_domain_event,
							  out, NULL);

		if (!rb)
			err = -errno;
		else if (ring_buffer__consume(rb) < 0)
			err = -errno;
		ring_buffer__free(rb);
	}
	for (size_t i = 0; !err && i < ib_catalog_len; i++) {
		const struct ib_hook *h = &p->hooks[i];
		bool fe = h->mode == IB_MODE_FENTRY;

		if (h->slot < 0 || !h->attached)
			continue;
		out->misses[h->slot] = prog_misses(slot_prog(sk, fe ? "fentry" : "kprobe", h->slot)) +
				       prog_misses(slot_prog(sk, fe ? "fexit" : "kretprobe", h->slot));
	}
	free(buf);
	return err;
}

int ib_probes_role_counts(struct ib_probes *p, uint64_t counts[IB_NR_ROLES])
{
	int ncpu = libbpf_num_possible_cpus();
	struct ib_stats *buf, sum;
	int err = 0;

	if (!p->skel)
		return -EINVAL;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	buf = calloc((size_t)ncpu, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	for (__u32 k = 0; !err && k < IB_NR_ROLES; k++) {
		memset(&sum, 0, sizeof(sum));
		err = read_percpu(p->skel->maps.role_stats, k, buf, sizeof(*buf), ncpu, add_stats, &sum);
		counts[k] = sum.count;
	}
	free(buf);
	return err;
}

/* Every entry of a hash map into *rows: each row of rsz bytes holds the key
 * at 0 and the value at voff. */
static int read_hash(struct bpf_map *map, size_t ksz, size_t voff, size_t rsz, void **rows, size_t *n)
{
	size_t cap = 0;
	char key[64], next[64];
	void *prev = NULL;
	int fd = bpf_map__fd(map);

	*rows = NULL;
	*n = 0;
	if (ksz > sizeof(key))
		return -EINVAL;
	for (;;) {
		char *row;

		if (bpf_map_get_next_key(fd, prev, next))
			return errno == ENOENT ? 0 : -errno;
		memcpy(key, next, ksz);
		prev = key;
		if (*n == cap) {
			void *r = realloc(*rows, (cap ? cap * 2 : 64) * rsz);

			if (!r)
				return -ENOMEM;
			*rows = r;
			cap = cap ? cap * 2 : 64;
		}
		row = (char *)*rows + *n * rsz;
		memcpy(row, key, ksz);
		if (bpf_map_lookup_elem(fd, key, row + voff))
			continue; /* gone since: LRU or a race with an update; skip it */
		(*n)++;
	}
}

int ib_probes_read_trace(struct ib_probes *p, struct ib_trace_readout *out)
{
	void *rows;
	int err;

	memset(out, 0, sizeof(*out));
	if (!p->skel)
		return -EINVAL;
	err = read_hash(p->skel->maps.proc_stats, sizeof(__u32), offsetof(struct ib_trace_proc, s),
			sizeof(struct ib_trace_proc), &rows, &out->nprocs);
	out->procs = rows;
	if (!err) {
		err = read_hash(p->skel->maps.pt_stats, sizeof(struct ib_pt_key), offsetof(struct ib_trace_pt, s),
				sizeof(struct ib_trace_pt), &rows, &out->npts);
		out->pts = rows;
	}
	if (err)
		ib_trace_readout_free(out);
	return err;
}

void ib_trace_readout_free(struct ib_trace_readout *t)
{
	free(t->procs);
	free(t->pts);
	memset(t, 0, sizeof(*t));
}

struct ib_tag *ib_probes_tag(struct ib_probes *p, unsigned idx)
{
	if (!p->skel || !p->skel->bss || idx >= IB_MAX_THREADS)
		return NULL;
	return &p->skel->bss->tags[idx];
}

/* Detaching a fentry/fexit link waits for an RCU Tasks grace period (about
 * 100 ms on any machine, more in a TCG guest), one after the other: 40 hooks
 * took 14 s in the lab. Detached from several threads the waits overlap. */
#define DETACH_THREADS 16

struct detacher {
	struct ib_probes *p;
	int n, t;
};

/* Thread t's share: every link of the hooks h with h % n == t (and, for
 * t == 0, the tracepoints'), newest first, so a hook's entry goes before
 * its exit as in attach_hooks' reverse. */
static void *detach_share(void *arg)
{
	const struct detacher *d = arg;
	struct ib_probes *p = d->p;

	for (size_t i = p->nlinks; i > 0; i--) {
		int h = p->link_hook[i - 1];

		if ((h < 0 ? 0 : h % d->n) == d->t) {
			bpf_link__destroy(p->links[i - 1]);
			p->links[i - 1] = NULL;
		}
	}
	return NULL;
}

void ib_probes_stop(struct ib_probes *p)
{
	struct detacher d[DETACH_THREADS];
	pthread_t th[DETACH_THREADS];
	bool started[DETACH_THREADS] = { false };
	int n = p->nlinks / 2 < DETACH_THREADS ? (int)(p->nlinks / 2) : DETACH_THREADS;
	size_t nlinks = p->nlinks;
	uint64_t t0 = ib_now_ns();

	if (n < 1)
		n = 1;
	for (int t = 0; t < n; t++)
		d[t] = (struct detacher){ .p = p, .n = n, .t = t };
	/* thread 0's share in this thread; a thread that cannot start leaves
	 * its share to the sequential pass below */
	for (int t = 1; t < n; t++)
		started[t] = pthread_create(&th[t], NULL, detach_share, &d[t]) == 0;
	detach_share(&d[0]);
	for (int t = 1; t < n; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	for (size_t i = p->nlinks; i > 0; i--)
		bpf_link__destroy(p->links[i - 1]);	/* NULL: nothing */
	p->nlinks = 0;
	iommubench_bpf__destroy(p->skel);
	p->skel = NULL;
	step_time("detached", nlinks, "links", t0);
}
