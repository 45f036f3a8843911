/* Scenario files: fio-style INI job descriptions (see scenarios/README.md). */
#ifndef IB_SCENARIO_H
#define IB_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IB_SC_MAX_KV 64

enum ib_backend_kind {
	IB_BACKEND_VFIO = 0,
};

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
	/* every key=value as read, for echoing into results */
	size_t nkv;
	struct { char section[64], key[64], value[256]; int line; } kv[IB_SC_MAX_KV];
};

/* Fill defaults, then parse path. On error returns -1 with a message
 * "FILE:LINE: key 'KEY': what is wrong" (or "FILE: ..." when no line applies)
 * in err; sc is then unspecified. */
int ib_scenario_load(const char *path, struct ib_scenario *sc, char *err, size_t errlen);

const char *ib_backend_name(enum ib_backend_kind b);
const char *ib_order_name(enum ib_order o);

#endif
