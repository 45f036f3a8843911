/* Memory backing for mappings: VFIO's IOMMU page size follows physical
 * contiguity, so the scenario chooses the backing, and this reports what
 * was really obtained. */
#ifndef IB_MEMORY_H
#define IB_MEMORY_H
#include <stddef.h>
#include <stdint.h>
#include "scenario.h"

struct ib_mem {
	void *addr;
	size_t len;           /* bytes usable from addr */
	enum ib_memory kind;
	void *map_addr;       /* what to munmap (may precede addr for alignment) */
	size_t map_len;
	uint64_t huge_bytes;  /* bytes backed by 2 MiB pages after populate (THP: AnonHugePages of the range; hugetlb: all) */
};

/* Allocate and populate len bytes (rounded up to 2 MiB for thp/hugetlb,
 * 2 MiB aligned). err says what failed, errno, and what to do, e.g. for
 * hugetlb "no free 2 MiB huge pages: echo N > /proc/sys/vm/nr_hugepages". */
int ib_mem_alloc(struct ib_mem *m, enum ib_memory kind, size_t len, char *err, size_t errlen);
void ib_mem_free(struct ib_mem *m);

#endif
