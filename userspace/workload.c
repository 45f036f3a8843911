// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine. A context is a VFIO type1 container; the device moves between
 * contexts by a rebind (README, "Many contexts on one device"), the only way
 * type1 has:
 *   close device fd -> VFIO_GROUP_UNSET_CONTAINER (domain and mappings go)
 *   -> VFIO_GROUP_SET_CONTAINER (next) -> VFIO_SET_IOMMU (new domain, attach)
 *   -> re-pin and re-map the resident set -> reopen device -> bus master.
 * Every step is timed here and tagged, so the probes report the kernel work
 * of each step separately.
 *
 * With iommufd a context is an IOAS with its own HWPT, every context keeps
 * its mappings, and a switch is one VFIO_DEVICE_ATTACH_IOMMUFD_PT of the
 * live device to another HWPT: the kernel replaces the domain in place.
 *
 * switch_kind=pasid runs on an iommufd selftest mock device (no DMA, no
 * PCI device): contexts are IOASes with PASID-capable HWPTs, the device has
 * pasid_slots PASIDs (1..pasid_slots), and a switch into a context that
 * holds none attaches it to a free PASID, or replaces the least recently
 * used PASID's HWPT with it. Isolation checks ask the mock domain which
 * pages it translates (IOMMU_TEST_OP_MD_CHECK_MAP).
 *
 * Memory: context c owns a block of (pages + resident + 2) pages: the
 * working set, the resident set, and a scratch and a zero page for the
 * isolation checks. Mapping j of every context sits at iova + j * page_size:
 * the contexts' address spaces overlap, as per-process pagetables do.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "edu.h"
#include "iommufd.h"
#include "workload.h"

#define CHECK_LEN 256u     /* bytes moved by each check DMA */
#define CHECK_CMP 128u     /* bytes compared (well inside what edu copies) */
#define DMA_TIMEOUT_MS 5000

uint64_t ib_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* plan.c's size check counts a sample as 16 bytes (SAMPLE_BYTES) */
_Static_assert(sizeof(struct ib_sample) == 16, "update SAMPLE_BYTES in plan.c");

static uint64_t block_pages(const struct ib_scenario *sc)
{
	return sc->pages + sc->resident + 2;
}

static uint64_t scratch_idx(const struct ib_scenario *sc) { return sc->pages + sc->resident; }
static uint64_t zero_idx(const struct ib_scenario *sc) { return sc->pages + sc->resident + 1; }

static uint8_t *page_addr(struct ib_workload *w, unsigned ctx, uint64_t idx)
{
	return (uint8_t *)w->mem.addr + (ctx * block_pages(w->sc) + idx) * w->sc->page_size;
}

static uint64_t iova_of(const struct ib_scenario *sc, uint64_t idx)
{
	return sc->iova_base + idx * sc->page_size;
}

/* Tag slot t: the probes charge this thread's kernel work to (ctx, phase).
 * A slot belongs to whichever thread writes it (worker 0 of a split op and
 * the main thread share slot 0, never at the same time). */
static void tag(struct ib_workload *w, unsigned t, int ctx, int phase)
{
	static __thread uint32_t my_tid;
	struct ib_tag *g = w->probes ? ib_probes_tag(w->probes, t) : NULL;

	if (!g)
		return;
	if (!my_tid)
		my_tid = (uint32_t)syscall(SYS_gettid);
	g->tid = my_tid;
	g->ctx = (uint16_t)(ctx < 0 ? IB_DEFERRED : ctx);
	/* phase last: the probes read ctx once they see a phase */
	__atomic_store_n(&g->phase, (uint16_t)phase, __ATOMIC_RELEASE);
}

/*
 * The sample stores grow by doubling, and the run keeps every timing, so
 * they are the one allocation that grows with the run. Past 64 KiB a store
 * lives in its own mapping and grows with mremap: pages are moved, not
 * copied, and only the pages written are resident. Grown with realloc in
 * the heap instead, each doubling copies and leaves the old block resident
 * (libbpf frees multi-megabyte BTF buffers at load, which raises glibc's
 * mmap threshold above these stores), so RSS grew by about twice the
 * timings kept: the lab soak (tests/lab/test_soak.sh) caught it.
 */
#define IB_SAMPLES_MAPPED (64 * 1024)

static bool samples_mapped(size_t cap)
{
	return cap * sizeof(struct ib_sample) >= IB_SAMPLES_MAPPED;
}

static struct ib_sample *samples_grow(struct ib_samples *v, size_t cap)
{
	size_t was = v->cap * sizeof(*v->s), want = cap * sizeof(*v->s);
	void *p;

	if (!samples_mapped(cap))
		return realloc(v->s, want);
	if (samples_mapped(v->cap)) {
		p = mremap(v->s, was, want, MREMAP_MAYMOVE);
		return p == MAP_FAILED ? NULL : p;
	}
	p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (v->n)
		memcpy(p, v->s, v->n * sizeof(*v->s));
	free(v->s);
	return p;
}

void ib_samples_free(struct ib_samples *v)
{
	if (samples_mapped(v->cap))
		munmap(v->s, v->cap * sizeof(*v->s));
	else
		free(v->s);
	memset(v, 0, sizeof(*v));
}

int ib_samples_add(struct ib_samples *v, uint64_t ns, int ctx, int phase, bool measured)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 1024;
		struct ib_sample *s = samples_grow(v, cap);

		if (!s)
			return -ENOMEM;
		v->s = s;
		v->cap = cap;
	}
	v->s[v->n++] = (struct ib_sample){ .ns = ns, .ctx = (uint16_t)ctx, .phase = (uint8_t)phase,
					   .measured = measured };
	return 0;
}

/*
 * Seconds between progress lines: 5, or IOMMUBENCH_PROGRESS_SECONDS (1 to
 * 3600; the lab's soak test samples memory against them every second).
 */
static uint64_t progress_interval_ns(void)
{
	const char *env = getenv("IOMMUBENCH_PROGRESS_SECONDS");
	char *end;
	unsigned long v;

	if (!env || !*env)
		return 5000000000ull;
	errno = 0;
	v = strtoul(env, &end, 10);
	if (errno || *end || v < 1 || v > 3600)
		return 5000000000ull;
	return v * 1000000000ull;
}

static void progress(struct ib_workload *w)
{
	uint64_t now = ib_now_ns();

	if (now - w->progress_ns < w->progress_every_ns)
		return;
	w->progress_ns = now;
	fprintf(stderr, "iommubench: op %zu/%zu of the plan, %llu ioctls, %.0f s\n",
		w->plan_pos, w->plan->n, (unsigned long long)w->ops_done,
		(double)(now - w->started_ns) / 1e9);
}

static bool is_iommufd(const struct ib_workload *w)
{
	return w->sc->backend == IB_BACKEND_IOMMUFD;
}

const char *ib_switch_kind(const struct ib_workload *w)
{
	return ib_switch_kind_name(ib_switch_kind_of(w->sc));
}

/* Map into context ctx: its IOAS (any context), or the container the
 * device is in (vfio: only the current context can map). */
static int be_map(struct ib_workload *w, int ctx, uint64_t iova, void *va, uint64_t size)
{
	char err[8];

	if (is_iommufd(w))
		return ib_iommufd_map(w->iommufd, w->ioas[ctx], iova, size, va,
				      IB_IOMMU_IOAS_MAP_FIXED_IOVA | IB_IOMMU_IOAS_MAP_READABLE |
				      IB_IOMMU_IOAS_MAP_WRITEABLE, err, sizeof(err));
	return ib_vfio_map(w->v, iova, va, size);
}

/* Bytes unmapped or -errno; all: everything in the context. */
static int64_t be_unmap(struct ib_workload *w, int ctx, uint64_t iova, uint64_t size, bool all)
{
	uint64_t n = 0;
	char err[8];
	int e;

	if (!is_iommufd(w))
		return all ? ib_vfio_unmap_flags(w->v, 0, 0, (uint32_t)w->unmap_all_flag) :
			     ib_vfio_unmap(w->v, iova, size);
	e = all ? ib_iommufd_unmap_all(w->iommufd, w->ioas[ctx], &n, err, sizeof(err)) :
		  ib_iommufd_unmap(w->iommufd, w->ioas[ctx], iova, size, &n, err, sizeof(err));
	return e ? e : (int64_t)n;
}

/* ---- timed ioctls (thread-safe: each thread passes its own samples) ---- */

struct lane {
	struct ib_workload *w;
	unsigned t;                 /* tag slot / thread index */
	struct ib_samples samples;
	uint64_t maps, unmaps, bytes_mapped, bytes_unmapped;
	char err[256];
	int e;
};

static int lane_map(struct lane *l, int ctx, uint64_t idx, int phase, bool measured)
{
	struct ib_workload *w = l->w;
	uint64_t t0, t1;
	int e;

	tag(w, l->t, ctx, phase);
	t0 = ib_now_ns();
	e = be_map(w, ctx, iova_of(w->sc, idx), page_addr(w, ctx, idx), w->sc->page_size);
	t1 = ib_now_ns();
	tag(w, l->t, ctx, IB_PH_NONE);
	if (e) {
		snprintf(l->err, sizeof(l->err), "VFIO_IOMMU_MAP_DMA ctx %d iova 0x%llx size %llu: %s",
			 ctx, (unsigned long long)iova_of(w->sc, idx),
			 (unsigned long long)w->sc->page_size, strerror(-e));
		return e;
	}
	l->maps++;
	l->bytes_mapped += w->sc->page_size;
	if (w->quiet_samples)
		return 0;
	return ib_samples_add(&l->samples, t1 - t0, ctx, phase, measured);
}

/* Unmap [first, first+count) with one ioctl (flags: VFIO_DMA_UNMAP_FLAG_ALL
 * ignores the range). */
static int lane_unmap(struct lane *l, int ctx, uint64_t first, uint64_t count, uint32_t flags,
		      int phase, bool measured)
{
	struct ib_workload *w = l->w;
	uint64_t iova = flags ? 0 : iova_of(w->sc, first), size = flags ? 0 : count * w->sc->page_size;
	bool all = flags != 0;
	uint64_t t0, t1;
	int64_t n;

	if (w->test_skip_unmap && phase != IB_PH_TOUCH)
		return 0; /* the oracle's own test: the checks must notice */
	tag(w, l->t, ctx, phase);
	t0 = ib_now_ns();
	n = be_unmap(w, ctx, iova, size, all);
	t1 = ib_now_ns();
	tag(w, l->t, ctx, IB_PH_NONE);
	if (n < 0 || (!flags && (uint64_t)n != size)) {
		snprintf(l->err, sizeof(l->err), "VFIO_IOMMU_UNMAP_DMA ctx %d iova 0x%llx size %llu%s: %s",
			 ctx, (unsigned long long)iova, (unsigned long long)size,
			 flags ? " (all)" : "", n < 0 ? strerror((int)-n) : "unmapped a different size");
		return n < 0 ? (int)n : -EIO;
	}
	l->unmaps++;
	l->bytes_unmapped += (uint64_t)n;
	return ib_samples_add(&l->samples, t1 - t0, ctx, phase, measured);
}

/* Fold a lane's figures into the workload (under the caller's lock, or
 * single-threaded). */
static int lane_merge(struct ib_workload *w, struct lane *l, int ctx)
{
	struct ib_ctx_counts *c = &w->ctx[ctx];

	c->map_calls += l->maps;
	c->unmap_calls += l->unmaps;
	c->bytes_mapped += l->bytes_mapped;
	c->bytes_unmapped += l->bytes_unmapped;
	w->ops_done += l->maps + l->unmaps;
	for (size_t i = 0; i < l->samples.n; i++) {
		const struct ib_sample *s = &l->samples.s[i];

		if (ib_samples_add(&w->samples, s->ns, s->ctx, s->phase, s->measured))
			return -ENOMEM;
	}
	l->samples.n = 0;
	l->maps = l->unmaps = l->bytes_mapped = l->bytes_unmapped = 0;
	return 0;
}

/* ---- one plan op over a range, split across threads ---- */

struct range_job {
	struct lane lane;
	const struct ib_op *op;
	uint64_t first, count;
	int cpu;
};

static int do_range(struct lane *l, const struct ib_op *op, uint64_t first, uint64_t count)
{
	int e = 0;

	for (uint64_t i = first; i < first + count && !e; i++) {
		switch (op->kind) {
		case IB_OP_MAP:
			e = lane_map(l, op->ctx, i, IB_PH_MAP, op->measured);
			break;
		case IB_OP_UNMAP:
			e = lane_unmap(l, op->ctx, i, 1, 0, IB_PH_UNMAP, op->measured);
			break;
		case IB_OP_REMAP:
			e = lane_unmap(l, op->ctx, i, 1, 0, IB_PH_REMAP, op->measured);
			if (!e)
				e = lane_map(l, op->ctx, i, IB_PH_REMAP, op->measured);
			break;
		default:
			e = -EINVAL;
		}
		if (*l->w->stop)
			break;
	}
	return e;
}

static void *range_thread(void *arg)
{
	struct range_job *j = arg;

	if (j->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(j->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	j->lane.e = do_range(&j->lane, j->op, j->first, j->count);
	return NULL;
}

static int run_range_op(struct ib_workload *w, const struct ib_op *op, char *err, size_t errlen)
{
	unsigned nt = w->sc->threads ? w->sc->threads : 1;
	struct range_job jobs[IB_SC_MAX_THREADS] = {0};
	pthread_t tids[IB_SC_MAX_THREADS];
	bool started[IB_SC_MAX_THREADS] = {0};
	int e = 0;

	if (nt > op->count)
		nt = op->count ? op->count : 1;
	for (unsigned t = 0; t < nt; t++) {
		uint64_t per = op->count / nt, extra = op->count % nt;

		jobs[t].lane.w = w;
		jobs[t].lane.t = t;
		jobs[t].op = op;
		jobs[t].first = op->first + t * per + (t < extra ? t : extra);
		jobs[t].count = per + (t < extra);
		jobs[t].cpu = w->sc->ncpus ? w->sc->cpus[t % w->sc->ncpus] : -1;
	}
	if (nt == 1) {
		jobs[0].cpu = -1; /* the main thread keeps its own affinity */
		range_thread(&jobs[0]);
	} else {
		for (unsigned t = 0; t < nt; t++)
			started[t] = !pthread_create(&tids[t], NULL, range_thread, &jobs[t]);
		for (unsigned t = 0; t < nt; t++)
			if (started[t])
				pthread_join(tids[t], NULL);
			else if (!e)
				e = -EAGAIN;
	}
	for (unsigned t = 0; t < nt; t++) {
		if (jobs[t].lane.e && !e) {
			e = jobs[t].lane.e;
			snprintf(err, errlen, "%s", jobs[t].lane.err);
		}
		if (lane_merge(w, &jobs[t].lane, op->ctx) && !e)
			e = -ENOMEM;
		ib_samples_free(&jobs[t].lane.samples);
	}
	if (e == -EAGAIN)
		snprintf(err, errlen, "pthread_create: %s", strerror(EAGAIN));
	return e;
}

/* single-op helpers on lane 0: fold the lane in, pass its error on */
static int lane_finish(struct ib_workload *w, struct lane *l, int ctx, int e, char *err, size_t errlen)
{
	if (e)
		snprintf(err, errlen, "%s", l->err);
	if (lane_merge(w, l, ctx) && !e)
		e = -ENOMEM;
	ib_samples_free(&l->samples);
	return e;
}

static int one_map(struct ib_workload *w, int ctx, uint64_t idx, int phase, bool measured,
		   char *err, size_t errlen)
{
	struct lane l = { .w = w, .t = 0 };

	return lane_finish(w, &l, ctx, lane_map(&l, ctx, idx, phase, measured), err, errlen);
}

static int one_unmap(struct ib_workload *w, int ctx, uint64_t first, uint64_t count, uint32_t flags,
		     int phase, bool measured, char *err, size_t errlen)
{
	struct lane l = { .w = w, .t = 0 };

	return lane_finish(w, &l, ctx, lane_unmap(&l, ctx, first, count, flags, phase, measured),
			   err, errlen);
}

/* ---- isolation checks (edu DMA) ---- */

static void fill_pattern(uint8_t *p, unsigned ctx, uint64_t idx, uint64_t gen)
{
	for (unsigned i = 0; i < CHECK_LEN; i++)
		p[i] = (uint8_t)(0xa5 ^ (ctx * 29) ^ (idx * 7) ^ (gen * 13) ^ (i * 3));
}

static void failure(struct ib_workload *w, int ctx, uint64_t iova, const char *op, const char *what)
{
	json_t *f = json_object();

	if (!w->checks.failures)
		w->checks.failures = json_array();
	json_object_set_new(f, "context", json_integer(ctx));
	json_object_set_new(f, "iova", json_integer((json_int_t)iova));
	json_object_set_new(f, "operation", json_string(op));
	json_object_set_new(f, "what", json_string(what));
	json_array_append_new(w->checks.failures, f);
}

/* DMA through `idx` of the current context into the edu buffer, then out
 * to the scratch page; returns 0 with the scratch page holding what came. */
static int dma_read_through(struct ib_workload *w, int ctx, uint64_t idx, char *err, size_t errlen)
{
	const struct ib_scenario *sc = w->sc;
	uint64_t s = scratch_idx(sc), z = zero_idx(sc);
	char err2[256];
	int e, e2;

	memset(page_addr(w, ctx, z), 0, CHECK_LEN);
	memset(page_addr(w, ctx, s), 0, CHECK_LEN);
	if ((e = one_map(w, ctx, s, IB_PH_TOUCH, false, err, errlen)))
		return e;
	if (!(e = one_map(w, ctx, z, IB_PH_TOUCH, false, err, errlen))) {
		/* clear the edu buffer, read through idx, copy the buffer out */
		tag(w, 0, ctx, IB_PH_TOUCH);
		e = ib_edu_dma(&w->dev, iova_of(sc, z), CHECK_LEN, 0, true, DMA_TIMEOUT_MS, err, errlen);
		if (!e)
			e = ib_edu_dma(&w->dev, iova_of(sc, idx), CHECK_LEN, 0, true, DMA_TIMEOUT_MS, err, errlen);
		if (!e)
			e = ib_edu_dma(&w->dev, iova_of(sc, s), CHECK_LEN, 0, false, DMA_TIMEOUT_MS, err, errlen);
		tag(w, 0, ctx, IB_PH_NONE);
		e2 = one_unmap(w, ctx, z, 1, 0, IB_PH_TOUCH, false, err2, sizeof(err2));
		if (e2 && !e) {
			e = e2;
			snprintf(err, errlen, "%s", err2);
		}
	}
	e2 = one_unmap(w, ctx, s, 1, 0, IB_PH_TOUCH, false, err2, sizeof(err2));
	if (e2 && !e) {
		e = e2;
		snprintf(err, errlen, "%s", err2);
	}
	return e;
}

/* Mock device: does context ctx's HWPT translate idx's IOVA to page
 * owner's page idx? 1 yes, 0 no, <0 error. */
static int mock_maps(struct ib_workload *w, int ctx, int owner, uint64_t idx, char *err, size_t errlen)
{
	int e = ib_iommufd_mock_check_map(w->iommufd, w->hwpt[ctx], iova_of(w->sc, idx), w->sc->page_size,
					  page_addr(w, owner, idx), err, errlen);

	return e == 0 ? 1 : e == -EINVAL ? 0 : e;
}

/* Positive control: the mapping's own data must arrive. Fills the IOTLB. */
static int check_positive(struct ib_workload *w, int ctx, uint64_t idx, const char *op,
			  char *err, size_t errlen)
{
	uint8_t want[CHECK_LEN];
	int e;

	if (w->mock) {
		if ((e = mock_maps(w, ctx, ctx, idx, err, errlen)) < 0)
			return e;
		w->checks.positive_run++;
		if (!e) {
			w->checks.positive_failed++;
			failure(w, ctx, iova_of(w->sc, idx), op,
				"positive control: the mock domain does not translate the IOVA to its page");
		}
		return 0;
	}
	fill_pattern(want, ctx, idx, w->checks.positive_run);
	memcpy(page_addr(w, ctx, idx), want, CHECK_LEN);
	if ((e = dma_read_through(w, ctx, idx, err, errlen)))
		return e;
	w->checks.positive_run++;
	if (memcmp(page_addr(w, ctx, scratch_idx(w->sc)), want, CHECK_CMP)) {
		w->checks.positive_failed++;
		failure(w, ctx, iova_of(w->sc, idx), op, "positive control: the mapped page's data did not arrive");
	}
	return 0;
}

/* After unmap or switch: a DMA through the old IOVA must not bring the
 * old page's data (old_ctx's page idx still holds it in memory). */
static int check_negative(struct ib_workload *w, int ctx, int old_ctx, uint64_t idx, const char *op,
			  char *err, size_t errlen)
{
	int e;

	if (w->mock) {
		if ((e = mock_maps(w, ctx, old_ctx, idx, err, errlen)) < 0)
			return e;
		w->checks.run++;
		if (e) {
			w->checks.failed++;
			failure(w, old_ctx, iova_of(w->sc, idx), op,
				"stale translation: the mock domain still translates the IOVA to the old page");
		}
		return 0;
	}
	if ((e = dma_read_through(w, ctx, idx, err, errlen)))
		return e;
	w->checks.run++;
	if (!memcmp(page_addr(w, ctx, scratch_idx(w->sc)), page_addr(w, old_ctx, idx), CHECK_CMP)) {
		w->checks.failed++;
		failure(w, old_ctx, iova_of(w->sc, idx), op,
			"stale translation: the old page's data arrived through an IOVA that was removed");
	}
	return 0;
}

/* ---- device, attach, rebind ---- */

static int open_device(struct ib_workload *w, int ctx, bool measured, bool timed, char *err, size_t errlen)
{
	uint64_t t0, t1;
	int e;

	tag(w, 0, ctx, timed ? IB_PH_SW_OPEN_DEVICE : IB_PH_SETUP);
	t0 = ib_now_ns();
	e = ib_vfio_dev_open(&w->dev, w->v->group_fd, w->v->bdf, err, errlen);
	t1 = ib_now_ns();
	if (!e && timed)
		e = ib_samples_add(&w->samples, t1 - t0, ctx, IB_PH_SW_OPEN_DEVICE, measured);
	if (e)
		goto out;
	tag(w, 0, ctx, timed ? IB_PH_SW_BUS_MASTER : IB_PH_SETUP);
	t0 = ib_now_ns();
	e = ib_vfio_dev_bus_master(&w->dev, true, err, errlen);
	t1 = ib_now_ns();
	if (!e && timed)
		e = ib_samples_add(&w->samples, t1 - t0, ctx, IB_PH_SW_BUS_MASTER, measured);
out:
	tag(w, 0, ctx, IB_PH_NONE);
	return e;
}

static int map_resident(struct ib_workload *w, int ctx, int phase, bool measured, char *err, size_t errlen)
{
	int e = 0;

	w->quiet_samples = true;
	for (uint64_t j = 0; j < w->sc->resident && !e; j++) {
		e = one_map(w, ctx, w->sc->pages + j, phase, measured, err, errlen);
		if (!e)
			w->ctx[ctx].resident_maps++;
	}
	w->quiet_samples = false;
	return e;
}

static int iommufd_first_attach(struct ib_workload *w, int ctx, char *err, size_t errlen)
{
	int e;

	tag(w, 0, ctx, IB_PH_SETUP);
	e = ib_iommufd_cdev_attach(w->cdev_fd, w->hwpt[ctx], NULL, err, errlen);
	tag(w, 0, ctx, IB_PH_NONE);
	if (e)
		return e;
	w->cur = ctx;
	/* the bound, attached cdev is a VFIO device fd: regions, BAR, config */
	e = ib_vfio_dev_adopt(&w->dev, w->cdev_fd, w->v->bdf, err, errlen);
	w->cdev_fd = -1; /* owned by w->dev now, closed with it */
	if (e)
		return e;
	tag(w, 0, ctx, IB_PH_SETUP);
	e = ib_vfio_dev_bus_master(&w->dev, true, err, errlen);
	tag(w, 0, ctx, IB_PH_NONE);
	return e;
}

static int first_attach(struct ib_workload *w, int ctx, char *err, size_t errlen)
{
	int e;

	if (is_iommufd(w))
		return iommufd_first_attach(w, ctx, err, errlen);
	tag(w, 0, ctx, IB_PH_SETUP);
	e = ib_vfio_join(w->v, w->containers[ctx], err, errlen);
	if (!e)
		e = ib_vfio_set_iommu(w->v, err, errlen);
	tag(w, 0, ctx, IB_PH_NONE);
	if (e)
		return e;
	w->cur = ctx;
	w->unmap_all_flag = ib_vfio_has_unmap_all(w->v) ? VFIO_DMA_UNMAP_FLAG_ALL : 0;
	if ((e = map_resident(w, ctx, IB_PH_SETUP, false, err, errlen)))
		return e;
	return open_device(w, ctx, false, false, err, errlen);
}

/* A timed step: run fn under the step's tag, keep its duration. */
#define STEP(w, ctx, ph, measured, call) ({					\
	uint64_t _t0, _t1;							\
	int _e;									\
	tag(w, 0, ctx, ph);							\
	_t0 = ib_now_ns();							\
	_e = (call);								\
	_t1 = ib_now_ns();							\
	tag(w, 0, ctx, IB_PH_NONE);						\
	if (!_e)								\
		_e = ib_samples_add(&(w)->samples, _t1 - _t0, ctx, ph, measured);	\
	_e;									\
})

static int dev_close0(struct ib_workload *w)
{
	ib_vfio_dev_close(&w->dev);
	return 0;
}

static int rebind(struct ib_workload *w, int to, bool measured, char *err, size_t errlen)
{
	int from = w->cur, e;
	uint64_t t0 = ib_now_ns(), t1;

	/* the old context's close and leave are charged to it, the rest to the new one */
	if ((e = STEP(w, from, IB_PH_SW_CLOSE_DEVICE, measured, dev_close0(w))) ||
	    (e = STEP(w, from, IB_PH_SW_LEAVE, measured, ib_vfio_leave(w->v, err, errlen))))
		return e;
	w->cur = -1;
	if ((e = STEP(w, to, IB_PH_SW_JOIN, measured, ib_vfio_join(w->v, w->containers[to], err, errlen))) ||
	    (e = STEP(w, to, IB_PH_SW_SET_IOMMU, measured, ib_vfio_set_iommu(w->v, err, errlen))))
		return e;
	w->cur = to;
	{
		uint64_t r0 = ib_now_ns();

		if ((e = map_resident(w, to, IB_PH_SW_REMAP, measured, err, errlen)))
			return e;
		if ((e = ib_samples_add(&w->samples, ib_now_ns() - r0, to, IB_PH_SW_REMAP, measured)))
			return e;
	}
	if ((e = open_device(w, to, measured, true, err, errlen)))
		return e;
	t1 = ib_now_ns();
	if (measured)
		w->ctx[to].switches_in++;
	return ib_samples_add(&w->switches, t1 - t0, to, IB_PH_NONE, measured);
}

static int attach_pt(struct ib_workload *w, int to, char *err, size_t errlen)
{
	return ib_iommufd_cdev_attach(w->dev.fd, w->hwpt[to], NULL, err, errlen);
}

/* iommufd: one ioctl moves the live device to the other HWPT; both
 * contexts keep their mappings */
static int replace(struct ib_workload *w, int to, bool measured, char *err, size_t errlen)
{
	uint64_t t0 = ib_now_ns();
	int e = STEP(w, to, IB_PH_SW_REPLACE, measured, attach_pt(w, to, err, errlen));

	if (e)
		return e;
	w->cur = to;
	if (measured)
		w->ctx[to].switches_in++;
	return ib_samples_add(&w->switches, ib_now_ns() - t0, to, IB_PH_NONE, measured);
}

/* switch_kind=pasid: give context `to` a PASID: the one it holds (a hit,
 * no kernel call), a free one (attach), or the least recently used one
 * (replace its HWPT). */
static int pasid_ioctl(struct ib_workload *w, struct ib_pasid_slot *sl, uint32_t pasid, int to,
		       char *err, size_t errlen)
{
	if (sl->ctx < 0)
		return ib_iommufd_mock_pasid_attach(w->iommufd, w->mockdev.stdev_id, pasid, w->hwpt[to],
						    NULL, err, errlen);
	return ib_iommufd_mock_pasid_replace(w->iommufd, w->mockdev.stdev_id, pasid, w->hwpt[to],
					     NULL, err, errlen);
}

static int pasid_switch(struct ib_workload *w, int to, bool measured, char *err, size_t errlen)
{
	unsigned n = w->sc->pasid_slots, pick = 0;
	uint64_t t0 = ib_now_ns();
	struct ib_pasid_slot *sl;
	int e;

	for (unsigned i = 0; i < n; i++) {
		if (w->pasid[i].ctx == to) {
			w->pasid[i].hits++;
			w->pasid[i].last_use = ++w->pasid_clock;
			w->cur = to;
			if (measured)
				w->ctx[to].switches_in++;
			return ib_samples_add(&w->switches, ib_now_ns() - t0, to, IB_PH_NONE, measured);
		}
	}
	for (unsigned i = 1; i < n; i++) {
		const struct ib_pasid_slot *a = &w->pasid[i], *b = &w->pasid[pick];

		if (b->ctx >= 0 && (a->ctx < 0 || a->last_use < b->last_use))
			pick = i;
	}
	sl = &w->pasid[pick];
	e = STEP(w, to, IB_PH_SW_PASID, measured, pasid_ioctl(w, sl, pick + 1, to, err, errlen));
	if (e)
		return e;
	if (sl->ctx < 0)
		sl->attaches++;
	else
		sl->replaces++;
	sl->ctx = to;
	sl->served |= 1ull << to;
	sl->last_use = ++w->pasid_clock;
	if ((e = ib_iommufd_mock_pasid_check(w->iommufd, w->mockdev.stdev_id, pick + 1, w->hwpt[to],
					     err, errlen)))
		return e;
	w->cur = to;
	if (measured)
		w->ctx[to].switches_in++;
	return ib_samples_add(&w->switches, ib_now_ns() - t0, to, IB_PH_NONE, measured);
}

static int do_switch(struct ib_workload *w, const struct ib_op *op, char *err, size_t errlen)
{
	const struct ib_scenario *sc = w->sc;
	int from = w->cur, e;

	if (w->mock) {
		if (from == op->ctx)
			return 0;
		if ((e = pasid_switch(w, op->ctx, from >= 0 && op->measured, err, errlen)))
			return e;
		/* the context's PASID translates its own pages, never the old context's */
		if (sc->checks && sc->resident && from >= 0) {
			if ((e = check_positive(w, op->ctx, sc->pages, "switch", err, errlen)))
				return e;
			if ((e = check_negative(w, op->ctx, from, sc->pages, "switch", err, errlen)))
				return e;
		}
		return 0;
	}
	if (from < 0)
		return first_attach(w, op->ctx, err, errlen);
	if (from == op->ctx)
		return 0;
	/* warm the old context's IOTLB for the resident page the check will probe */
	if (sc->checks && sc->resident &&
	    (e = check_positive(w, from, sc->pages, "switch (before)", err, errlen)))
		return e;
	if ((e = is_iommufd(w) ? replace(w, op->ctx, op->measured, err, errlen) :
				 rebind(w, op->ctx, op->measured, err, errlen)))
		return e;
	/* same IOVA in the new context: its own data, not the old context's */
	if (sc->checks && sc->resident) {
		uint8_t want[CHECK_LEN];

		fill_pattern(want, op->ctx, sc->pages, w->checks.positive_run + 1000000);
		memcpy(page_addr(w, op->ctx, sc->pages), want, CHECK_LEN);
		if ((e = check_negative(w, op->ctx, from, sc->pages, "switch", err, errlen)))
			return e;
		w->checks.positive_run++;
		if (memcmp(page_addr(w, op->ctx, scratch_idx(sc)), want, CHECK_CMP)) {
			w->checks.positive_failed++;
			failure(w, op->ctx, iova_of(sc, sc->pages), "switch",
				"the new context's data did not arrive through its own mapping");
		}
	}
	return 0;
}

static int teardown(struct ib_workload *w, char *err, size_t errlen)
{
	int e = 0, ctx = w->cur;

	if (ctx < 0)
		return 0;
	tag(w, 0, ctx, IB_PH_TEARDOWN);
	if (w->mock) {
		/* every PASID off; the mock device and HWPTs go when /dev/iommu closes */
		for (unsigned i = 0; i < w->sc->pasid_slots; i++) {
			char err2[256];
			int e2;

			if (w->pasid[i].ctx < 0)
				continue;
			e2 = ib_iommufd_mock_pasid_detach(w->iommufd, w->mockdev.stdev_id, i + 1,
							  err2, sizeof(err2));
			if (e2 && !e) {
				e = e2;
				snprintf(err, errlen, "%s", err2);
			}
			if (!e2) {
				w->pasid[i].detaches++;
				w->pasid[i].ctx = -1;
			}
		}
		tag(w, 0, ctx, IB_PH_NONE);
		w->cur = -1;
		return e;
	}
	if (is_iommufd(w)) {
		/* the IOASes and HWPTs go when /dev/iommu closes (release) */
		e = ib_iommufd_cdev_detach(w->dev.fd, err, errlen);
		tag(w, 0, ctx, IB_PH_NONE);
		w->cur = -1;
		return e;
	}
	ib_vfio_dev_close(&w->dev);
	/* leaving the container drops the domain and what is still mapped */
	e = ib_vfio_leave(w->v, err, errlen);
	tag(w, 0, ctx, IB_PH_NONE);
	w->cur = -1;
	return e;
}

/* The touched mapping of each context waits here for its negative check. */
static int after_unmap(struct ib_workload *w, const struct ib_op *op, int64_t *touched,
		       const char *what, char *err, size_t errlen)
{
	int64_t t = touched[op->ctx];

	if (t < 0 || !w->sc->checks)
		return 0;
	if (op->kind != IB_OP_UNMAP_ALL && ((uint64_t)t < op->first || (uint64_t)t >= op->first + op->count))
		return 0;
	touched[op->ctx] = -1;
	return check_negative(w, op->ctx, op->ctx, (uint64_t)t, what, err, errlen);
}

/* /dev/iommu, the device's cdev bound to it, and per context an IOAS with
 * its own HWPT and its resident set mapped once for the whole run. */
static int iommufd_setup(struct ib_workload *w, char *err, size_t errlen)
{
	const struct ib_scenario *sc = w->sc;
	int e;

	w->ioas = calloc(sc->contexts, sizeof(*w->ioas));
	w->hwpt = calloc(sc->contexts, sizeof(*w->hwpt));
	if (!w->ioas || !w->hwpt) {
		snprintf(err, errlen, "out of memory for %u contexts", sc->contexts);
		return -ENOMEM;
	}
	tag(w, 0, 0, IB_PH_SETUP);
	e = ib_iommufd_open(&w->iommufd, err, errlen);
	if (!e)
		e = ib_iommufd_cdev_open(w->v->bdf, NULL, &w->cdev_fd, err, errlen);
	if (!e)
		e = ib_iommufd_cdev_bind(w->cdev_fd, w->iommufd, &w->dev_id, err, errlen);
	for (unsigned c = 0; c < sc->contexts && !e; c++) {
		tag(w, 0, (int)c, IB_PH_SETUP);
		e = ib_iommufd_ioas_alloc(w->iommufd, &w->ioas[c], err, errlen);
		if (!e)
			e = ib_iommufd_hwpt_alloc(w->iommufd, w->dev_id, w->ioas[c], 0, &w->hwpt[c], err, errlen);
		tag(w, 0, (int)c, IB_PH_NONE);
		if (!e)
			e = map_resident(w, (int)c, IB_PH_SETUP, false, err, errlen);
	}
	tag(w, 0, 0, IB_PH_NONE);
	w->unmap_all_flag = 1; /* IOMMU_IOAS_UNMAP of the whole IOVA space */
	return e;
}

/* switch_kind=pasid: /dev/iommu, per context an IOAS with a PASID-capable
 * HWPT and its resident set, and one mock device with PASIDs whose RID is
 * moved to a PASID-capable HWPT (the kernel wants that before any PASID
 * attach). */
static int mock_setup(struct ib_workload *w, char *err, size_t errlen)
{
	const struct ib_scenario *sc = w->sc;
	uint64_t end = sc->iova_base + (sc->pages + sc->resident + 2) * sc->page_size;
	int e;

	if (sc->iova_base < IB_MOCK_APERTURE_START || end - 1 > IB_MOCK_APERTURE_LAST) {
		snprintf(err, errlen, "switch_kind=pasid: IOVAs %#llx..%#llx are outside the mock domain's "
			 "aperture [%#llx, %#llx]; set iova= to 0x1000000 or above",
			 (unsigned long long)sc->iova_base, (unsigned long long)end - 1,
			 (unsigned long long)IB_MOCK_APERTURE_START, (unsigned long long)IB_MOCK_APERTURE_LAST);
		return -ERANGE;
	}
	w->ioas = calloc(sc->contexts, sizeof(*w->ioas));
	w->hwpt = calloc(sc->contexts, sizeof(*w->hwpt));
	if (!w->ioas || !w->hwpt) {
		snprintf(err, errlen, "out of memory for %u contexts", sc->contexts);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < IB_SC_MAX_CONTEXTS; i++)
		w->pasid[i].ctx = -1;
	tag(w, 0, 0, IB_PH_SETUP);
	e = ib_iommufd_open(&w->iommufd, err, errlen);
	if (!e)
		e = ib_iommufd_test_probe(w->iommufd, err, errlen);
	for (unsigned c = 0; c < sc->contexts && !e; c++)
		e = ib_iommufd_ioas_alloc(w->iommufd, &w->ioas[c], err, errlen);
	if (!e)
		e = ib_iommufd_mock_domain(w->iommufd, w->ioas[0], IB_MOCK_FLAGS_DEVICE_PASID, &w->mockdev,
					   err, errlen);
	for (unsigned c = 0; c < sc->contexts && !e; c++) {
		tag(w, 0, (int)c, IB_PH_SETUP);
		e = ib_iommufd_hwpt_alloc(w->iommufd, w->mockdev.idev_id, w->ioas[c], IB_IOMMU_HWPT_ALLOC_PASID,
					  &w->hwpt[c], err, errlen);
	}
	/* the RID leaves its auto-allocated HWPT (freed, never mapped) before
	 * anything is mapped, so each context's maps reach its own domain only */
	tag(w, 0, 0, IB_PH_SETUP);
	if (!e)
		e = ib_iommufd_mock_replace(w->iommufd, w->mockdev.stdev_id, w->hwpt[0], NULL, err, errlen);
	tag(w, 0, 0, IB_PH_NONE);
	for (unsigned c = 0; c < sc->contexts && !e; c++)
		e = map_resident(w, (int)c, IB_PH_SETUP, false, err, errlen);
	w->unmap_all_flag = 1;
	return e;
}

int ib_workload_run(struct ib_workload *w, char *err, size_t errlen)
{
	const struct ib_scenario *sc = w->sc;
	int64_t touched[IB_SC_MAX_CONTEXTS];
	int e = 0;

	w->started = true;
	w->cur = -1;
	w->dev.fd = -1;
	w->iommufd = w->cdev_fd = -1;
	for (unsigned c = 0; c < IB_SC_MAX_CONTEXTS; c++)
		touched[c] = -1;
	w->ctx = calloc(sc->contexts, sizeof(*w->ctx));
	w->containers = malloc(sc->contexts * sizeof(int));
	if (!w->ctx || !w->containers) {
		snprintf(err, errlen, "out of memory for %u contexts", sc->contexts);
		return -ENOMEM;
	}
	for (unsigned c = 0; c < sc->contexts; c++)
		w->containers[c] = -1;
	if ((e = ib_mem_alloc(&w->mem, sc->memory, sc->contexts * block_pages(sc) * sc->page_size,
			      err, errlen)))
		return e;
	w->mem_len = w->mem.len;
	w->mem_huge_bytes = w->mem.huge_bytes;
	w->mock = ib_switch_kind_of(sc) == IB_SWK_PASID;
	if (w->mock)
		e = mock_setup(w, err, errlen);
	else if (is_iommufd(w))
		e = iommufd_setup(w, err, errlen);
	for (unsigned c = 0; c < sc->contexts && !e && !is_iommufd(w); c++)
		e = ib_vfio_container_new(w->v, &w->containers[c], err, errlen);
	if (!e && !is_iommufd(w))
		e = ib_vfio_open_group(w->v, err, errlen);
	w->rep_sample_start = calloc(sc->loops + 1, sizeof(size_t));
	w->rep_switch_start = calloc(sc->loops + 1, sizeof(size_t));
	if (!w->rep_sample_start || !w->rep_switch_start) {
		snprintf(err, errlen, "out of memory for %llu repetitions", (unsigned long long)sc->loops);
		return -ENOMEM;
	}
	w->started_ns = w->progress_ns = ib_now_ns();
	w->progress_every_ns = progress_interval_ns();

	for (size_t i = 0; !e && i < w->plan->n && !*w->stop; i++) {
		const struct ib_op *op = &w->plan->ops[i];

		w->plan_pos = i;
		/* a measured pass begins: the samples from here on are its own */
		if (op->measured && op->pass - sc->warmup == w->reps_started && w->reps_started < sc->loops) {
			w->rep_sample_start[w->reps_started] = w->samples.n;
			w->rep_switch_start[w->reps_started] = w->switches.n;
			w->reps_started++;
		}
		switch (op->kind) {
		case IB_OP_SWITCH:
			e = do_switch(w, op, err, errlen);
			if (!e && sc->checks && i == 0 && !w->mock && !ib_edu_is(&w->dev)) {
				snprintf(err, errlen, "checks=1 needs the QEMU edu device (1234:11e8) as its DMA engine; "
					 "%s is %04x:%04x", w->v->bdf, w->dev.vendor, w->dev.device);
				e = -ENODEV;
			}
			break;
		case IB_OP_MAP:
		case IB_OP_UNMAP:
		case IB_OP_REMAP:
			e = run_range_op(w, op, err, errlen);
			if (!e && op->kind == IB_OP_UNMAP)
				e = after_unmap(w, op, touched, "unmap", err, errlen);
			break;
		case IB_OP_UNMAP_RANGE:
			e = one_unmap(w, op->ctx, op->first, op->count, 0, IB_PH_UNMAP_RANGE, op->measured,
				      err, errlen);
			if (!e)
				e = after_unmap(w, op, touched, "unmap_range", err, errlen);
			break;
		case IB_OP_UNMAP_ALL:
			if (w->unmap_all_flag)
				e = one_unmap(w, op->ctx, 0, 0, (uint32_t)w->unmap_all_flag, IB_PH_UNMAP_ALL,
					      op->measured, err, errlen);
			else /* before 5.12: one range over everything the context maps */
				e = one_unmap(w, op->ctx, 0, sc->pages + sc->resident, 0, IB_PH_UNMAP_ALL,
					      op->measured, err, errlen);
			if (!e)
				e = after_unmap(w, op, touched, "unmap_all", err, errlen);
			if (!e && sc->resident) /* the resident set went too: restore it */
				e = map_resident(w, op->ctx, IB_PH_SW_REMAP, op->measured, err, errlen);
			break;
		case IB_OP_TOUCH:
			if (sc->checks) {
				e = check_positive(w, op->ctx, op->first, "touch", err, errlen);
				touched[op->ctx] = op->first;
			}
			break;
		case IB_OP_END:
			e = teardown(w, err, errlen);
			break;
		default:
			snprintf(err, errlen, "plan op %zu has unknown kind %d", i, op->kind);
			e = -EINVAL;
		}
		progress(w);
	}
	/* error or signal part way: leave the container (its mappings go with
	 * the domain) so the device is free again */
	if (w->cur >= 0) {
		char err2[256];

		teardown(w, err2, sizeof(err2));
	}
	return e;
}

void ib_workload_release(struct ib_workload *w)
{
	if (!w->started)
		return; /* a zeroed struct: fds are 0, not ours */
	ib_vfio_dev_close(&w->dev);
	if (w->cdev_fd >= 0)
		close(w->cdev_fd);
	w->cdev_fd = -1;
	if (w->iommufd >= 0)
		ib_iommufd_close(&w->iommufd); /* destroys the IOASes and HWPTs */
	if (w->containers && w->sc)
		for (unsigned c = 0; c < w->sc->contexts; c++)
			if (w->containers[c] >= 0) {
				close(w->containers[c]);
				w->containers[c] = -1;
			}
	/* every container is closed: backend_vfio must not close one again */
	if (w->v)
		w->v->container_fd = -1;
	ib_mem_free(&w->mem);
}

void ib_workload_free(struct ib_workload *w)
{
	ib_workload_release(w);
	free(w->containers);
	free(w->rep_sample_start);
	free(w->rep_switch_start);
	w->rep_sample_start = w->rep_switch_start = NULL;
	free(w->ioas);
	free(w->hwpt);
	w->ioas = w->hwpt = NULL;
	ib_samples_free(&w->samples);
	ib_samples_free(&w->switches);
	free(w->ctx);
	json_decref(w->checks.failures);
	w->containers = NULL;
	w->ctx = NULL;
	w->checks.failures = NULL;
}
