/* The dma backend: the kernel's own DMA-API benchmark (CONFIG_DMA_MAP_BENCHMARK,
 * kernel/dma/map_benchmark.c). The device is bound to the dma_map_benchmark
 * driver; kernel threads ("dma-map-benchmark/N") map and unmap through the
 * DMA API (dma-iommu, IOVA allocator, flush queue in lazy mode) for the
 * seconds asked and report their average times in 100 ns units. */
#ifndef IB_BACKEND_DMA_H
#define IB_BACKEND_DMA_H
#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#include "pci.h"
#include "scenario.h"

#define IB_DMA_DRIVER "dma_map_benchmark"
#define IB_DMA_DEBUGFS "/sys/kernel/debug/dma_map_benchmark"
/* the benchmark threads' task name: "dma-map-benchmark/%d" cut to 15 bytes */
#define IB_DMA_COMM "dma-map-benchma"
#define IB_DMA_NUMA_NO_NODE (-1)

/* The ioctl argument, as in include/uapi/linux/map_benchmark.h (7.x) and
 * kernel/dma/map_benchmark.c before it (5.11+): map_mode took a byte of
 * the expansion in ~6.17, 0 is single mode on every version. */
struct ib_map_benchmark {
	__u64 avg_map_100ns;
	__u64 map_stddev;
	__u64 avg_unmap_100ns;
	__u64 unmap_stddev;
	__u32 threads;
	__u32 seconds;
	__s32 node;
	__u32 dma_bits;
	__u32 dma_dir;
	__u32 dma_trans_ns;
	__u32 granule;
	__u8 map_mode;
	__u8 expansion[75];
};
_Static_assert(sizeof(struct ib_map_benchmark) == 136, "map_benchmark layout");
#define IB_DMA_MAP_BENCHMARK _IOWR('d', 1, struct ib_map_benchmark)

struct ib_dma {
	struct ib_pci_bind pci;
	int fd;                    /* the debugfs file, -1 closed */
	char domain_type[32];      /* the group's default domain type during the run */
};

/* Fill the ioctl argument from the scenario; -EINVAL with err when a value
 * is outside what the kernel accepts (checked before any ioctl). */
int ib_dma_args(const struct ib_dma_params *p, struct ib_map_benchmark *out, char *err, size_t errlen);

/* Bind bdf to dma_map_benchmark (setting the group's domain type first when
 * params ask for strict or lazy) and open its debugfs file, mounting
 * debugfs when needed. */
int ib_dma_prepare(struct ib_dma *d, const char *bdf, bool bind, const struct ib_dma_params *p,
		   char *err, size_t errlen);

/* One run of the benchmark: blocks for p->seconds; a signal ends it early
 * (the kernel then reports what ran). */
int ib_dma_bench(struct ib_dma *d, const struct ib_dma_params *p, struct ib_map_benchmark *out,
		 char *err, size_t errlen);

/* Close, give the device and the group's domain type back. Safe twice. */
void ib_dma_release(struct ib_dma *d);

#endif
