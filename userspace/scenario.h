/* Scenario files: fio-style INI job descriptions (see scenarios/README.md). */
#ifndef IB_SCENARIO_H
#define IB_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IB_SC_MAX_KV 64
/* --set KEY=VALUE overrides: at most one per key */
#define IB_SC_MAX_SET 64

enum ib_backend_kind {
	IB_BACKEND_VFIO = 0,    /* VFIO type1 containers; switch = rebind */
	IB_BACKEND_IOMMUFD,     /* /dev/iommu IOAS + HWPT per context, VFIO cdev; switch = replace */
	IB_BACKEND_DMA,         /* the kernel's dma_map_benchmark driver: DMA API (dma-iommu) */
};

/* "vfio" / "iommufd" / "dma" -> backend; -1 otherwise */
int ib_backend_parse(const char *s);

enum ib_memory {
	IB_MEM_ANON = 0,   /* anonymous 4 KiB pages (THP disabled on the range) */
	IB_MEM_THP,        /* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	IB_MEM_HUGETLB,    /* MAP_HUGETLB 2 MiB pages (needs vm.nr_hugepages) */
};

enum ib_switch_pattern {
	IB_SWITCH_ROUND_ROBIN = 0, /* ctx 0, 1, ..., N-1, 0, ... */
	IB_SWITCH_RANDOM,          /* seeded: uniform over the other contexts */
};

enum ib_invalidate {
	IB_INV_PAGE = 0,   /* one UNMAP_DMA per mapping */
	IB_INV_RANGE,      /* one UNMAP_DMA covering the whole working set */
	IB_INV_CONTEXT,    /* one UNMAP_DMA of everything in the context (VFIO_DMA_UNMAP_FLAG_ALL) */
};

/* One entry of the per-visit op mix (ops=map,touch,unmap). */
enum ib_mix_op {
	IB_MIX_MAP = 0,    /* map the working set */
	IB_MIX_UNMAP,      /* unmap it, as invalidate= says */
	IB_MIX_REMAP,      /* unmap then map again each mapping of the working set */
	IB_MIX_TOUCH,      /* DMA through the first working-set mapping (isolation check) */
};

/* How a switch moves the device to another context's pagetable. */
enum ib_switch_kind {
	IB_SWK_AUTO = 0,   /* the backend's own: rebind (vfio), replace (iommufd) */
	IB_SWK_REBIND,     /* vfio: close, leave, join another container, set_iommu, re-map */
	IB_SWK_REPLACE,    /* iommufd: attach the live device to another HWPT */
	IB_SWK_PASID,      /* iommufd mock device: PASID attach/replace on pasid_slots PASIDs */
};

/* dma backend (dma_map_benchmark's ioctl) */
enum ib_dma_dir { IB_DMA_BIDIRECTIONAL = 0, IB_DMA_TO_DEVICE, IB_DMA_FROM_DEVICE };
enum ib_dma_map { IB_DMA_SINGLE = 0, IB_DMA_SG };
enum ib_dma_domain {
	IB_DMA_DOMAIN_KEEP = 0, /* leave the group's default domain type as it is */
	IB_DMA_DOMAIN_STRICT,   /* "DMA": every unmap invalidates before it returns */
	IB_DMA_DOMAIN_LAZY,     /* "DMA-FQ": unmaps queue IOVAs, a flush queue invalidates later */
};

struct ib_dma_params {
	uint32_t threads;       /* kernel threads mapping in parallel; default 1 */
	uint32_t seconds;       /* per repetition; default 1 */
	uint32_t granule;       /* pages per map (single) or scatterlist entries (sg); default 1 */
	enum ib_dma_dir dir;    /* default bidirectional */
	enum ib_dma_map map;    /* default single */
	enum ib_dma_domain domain; /* default keep */
	uint32_t dma_bits;      /* DMA mask width; default 32 */
};

#define IB_SC_MAX_MIX 16
#define IB_SC_MAX_CONTEXTS 64
#define IB_SC_MAX_THREADS 16

/* checks=: auto (the default) runs the isolation checks where iommubench has
 * a DMA engine it can drive (the QEMU edu device, or the iommufd mock device
 * with switch_kind=pasid) and records them as skipped elsewhere; 1 insists
 * (a run on any other device is refused); 0 never runs them. */
enum ib_checks_mode { IB_CHECKS_AUTO = 0, IB_CHECKS_OFF, IB_CHECKS_ON };

enum ib_order {
	IB_ORDER_MAP_ALL_THEN_UNMAP_ALL = 0, /* map pages 0..N-1, then unmap them */
	IB_ORDER_MAP_UNMAP_EACH,             /* map page i, unmap page i, next */
};

struct ib_scenario {
	char path[512];
	char name[64];          /* the job section's name */
	char description[256];
	enum ib_backend_kind backend;
	char device[32];        /* PCI address, "" = must come from --device */
	bool bind;              /* bind the device to vfio-pci if needed */
	uint64_t pages;         /* mappings per loop */
	uint64_t page_size;     /* bytes per mapping, multiple of 4096 */
	uint64_t iova_base;     /* first IOVA */
	uint64_t loops;         /* measured repetitions of the map/unmap pass */
	uint64_t warmup;        /* unmeasured repetitions before them */
	enum ib_order order;

	/* contexts (pagetables) and switching between them */
	uint32_t contexts;      /* 1..IB_SC_MAX_CONTEXTS; default 1 */
	uint64_t resident;      /* mappings each context holds across visits, re-mapped by a rebind; default 0 */
	enum ib_memory memory;  /* default anon */
	size_t nmix;            /* per-visit op mix; default: map,unmap (with order= deciding the interleave) */
	enum ib_mix_op mix[IB_SC_MAX_MIX];
	bool mix_given;         /* ops= was in the file (order= then does not apply) */
	enum ib_invalidate invalidate; /* default page */
	enum ib_switch_pattern switch_pattern; /* default round-robin */
	uint64_t switches;      /* switches per pass; default 0 (only with contexts > 1) */
	uint64_t burst;         /* op-mix rounds per visit; default 1 */
	uint64_t seed;          /* for switch=random; default 1 */
	uint32_t threads;       /* worker threads splitting each visit's map/unmap work; default 1 */
	uint32_t ncpus;         /* CPUs to pin threads to, in order (thread i -> cpus[i % ncpus]); 0 = no pinning */
	int cpus[IB_SC_MAX_THREADS];
	enum ib_checks_mode checks_mode; /* checks= as given; default auto */
	bool checks;            /* the checks run: checks=1, or auto resolved by ib_checks_resolve() */
	char checks_skipped[256]; /* why checks=auto does not run them ("" when they run, or checks=0) */
	enum ib_switch_kind switch_kind; /* default auto */
	uint32_t pasid_slots;   /* switch_kind=pasid: PASIDs attached at once; default 1 */

	struct ib_dma_params dma; /* backend=dma */

	/* every key=value as read, for echoing into results */
	size_t nkv;
	struct ib_sc_kv { char section[64], key[64], value[256]; int line; } kv[IB_SC_MAX_KV];
	/* every --set KEY=VALUE, in command-line order, applied after the file */
	size_t nset;
	struct ib_sc_set { char key[64], value[256]; } set[IB_SC_MAX_SET];
};

/* Fill defaults, then parse path. On error returns -1 with a message
 * "FILE:LINE: key 'KEY': what is wrong" (or "FILE: ..." when no line applies)
 * in err; sc is then unspecified. */
int ib_scenario_load(const char *path, struct ib_scenario *sc, char *err, size_t errlen);

/* ib_scenario_load(), then each of sets[0..nsets-1] ("KEY=VALUE", as given to
 * --set) applied after the file, through the same key parser and the same
 * checks: an error names "--set KEY=VALUE" instead of FILE:LINE. A key may be
 * set once on the command line; it replaces the file's value. */
int ib_scenario_load_set(const char *path, const char *const *sets, size_t nsets,
			 struct ib_scenario *sc, char *err, size_t errlen);

/* Where key's value came from, for messages: "--set KEY=VALUE" when it was
 * overridden, else "FILE:LINE", or "FILE" when neither gives it. */
/* Where key was given, in the order the values were applied: its file line,
 * or above every line for a --set (a later --set higher); 0 when neither. */
int ib_scenario_key_pos(const struct ib_scenario *sc, const char *key);
void ib_scenario_key_where(const struct ib_scenario *sc, const char *key, char *buf, size_t n);

/* Whether the isolation checks run on a device with these PCI IDs (mock:
 * the iommufd mock device, which answers them itself): 1 they run; 0 they
 * do not (checks=0, or checks=auto without a DMA engine, the reason then in
 * why, e.g. "no DMA engine iommubench can drive on 0000:00:05.0
 * (1b36:0010)"); -1 checks=1 on such a device (the error in why). */
int ib_checks_resolve(const struct ib_scenario *sc, bool mock, const char *bdf, unsigned vendor,
		      unsigned device, char *why, size_t n);
const char *ib_checks_mode_name(enum ib_checks_mode m);

/* The line of key in the scenario file, 0 when the file does not give it. */
int ib_scenario_key_line(const struct ib_scenario *sc, const char *key);
const char *ib_backend_name(enum ib_backend_kind b);
/* the kind a run uses: auto resolved against the backend */
enum ib_switch_kind ib_switch_kind_of(const struct ib_scenario *sc);
const char *ib_switch_kind_name(enum ib_switch_kind k);
const char *ib_dma_dir_name(enum ib_dma_dir d);
const char *ib_dma_map_name(enum ib_dma_map m);
const char *ib_dma_domain_name(enum ib_dma_domain d);
const char *ib_order_name(enum ib_order o);
const char *ib_memory_name(enum ib_memory m);
const char *ib_switch_name(enum ib_switch_pattern s);
const char *ib_invalidate_name(enum ib_invalidate i);
const char *ib_mix_name(enum ib_mix_op m);

#endif
