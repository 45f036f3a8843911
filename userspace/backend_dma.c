// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The dma backend: dma_map_benchmark's debugfs ioctl. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "backend_dma.h"
#include "hostinfo.h"
#include "state.h"

int ib_dma_args(const struct ib_dma_params *p, struct ib_map_benchmark *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (p->threads < 1 || p->threads > 1024 || p->seconds < 1 || p->seconds > 300 ||
	    p->granule < 1 || p->granule > 1024 || p->dma_bits < 12 || p->dma_bits > 64 ||
	    p->dir > IB_DMA_FROM_DEVICE || p->map > IB_DMA_SG) {
		snprintf(err, errlen, "dma_map_benchmark arguments out of range: threads %u (1..1024), "
			 "seconds %u (1..300), granule %u (1..1024), dma_bits %u (12..64), dir %d, map %d",
			 p->threads, p->seconds, p->granule, p->dma_bits, p->dir, p->map);
		return -EINVAL;
	}
	out->threads = p->threads;
	out->seconds = p->seconds;
	out->node = IB_DMA_NUMA_NO_NODE;
	out->dma_bits = p->dma_bits;
	/* the uapi numbers: 0 bidirectional, 1 to device, 2 from device */
	out->dma_dir = (__u32)p->dir;
	out->dma_trans_ns = 0;
	out->granule = p->granule;
	out->map_mode = (__u8)p->map;
	return 0;
}

int ib_dma_prepare(struct ib_dma *d, const char *bdf, bool bind, const struct ib_dma_params *p,
		   char *err, size_t errlen)
{
	const char *type = p->domain == IB_DMA_DOMAIN_STRICT ? "DMA" :
			   p->domain == IB_DMA_DOMAIN_LAZY ? "DMA-FQ" : NULL;
	char path[128];
	struct stat st;
	int e;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if ((e = ib_pci_bind(&d->pci, bdf, IB_DMA_DRIVER, bind, type,
			     "the kernel needs CONFIG_DMA_MAP_BENCHMARK (the x86-iommufd lab kernel has it)",
			     err, errlen)))
		return e;
	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/type", d->pci.group_id);
	ib_read_line(path, d->domain_type, sizeof(d->domain_type));
	if (stat(IB_DMA_DEBUGFS, &st) && errno == ENOENT) {
		/* recorded first, unmounted when iommubench exits (state.h) */
		if ((e = ib_state_note_mount("/sys/kernel/debug", "debugfs", err, errlen))) {
			ib_dma_release(d);
			return e;
		}
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL)) {
			e = -errno;
			ib_state_forget_mount("/sys/kernel/debug");
			if (e != -EBUSY) {
				snprintf(err, errlen, "mounting debugfs on /sys/kernel/debug: %s (mount it, then retry)",
					 strerror(-e));
				ib_dma_release(d);
				return e;
			}
		}
	}
	d->fd = open(IB_DMA_DEBUGFS, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: %s (%s is bound to %s; is debugfs mounted?)", IB_DMA_DEBUGFS,
			 strerror(-e), bdf, IB_DMA_DRIVER);
		ib_dma_release(d);
		return e;
	}
	return 0;
}

int ib_dma_bench(struct ib_dma *d, const struct ib_dma_params *p, struct ib_map_benchmark *out,
		 char *err, size_t errlen)
{
	int e;

	if ((e = ib_dma_args(p, out, err, errlen)))
		return e;
	if (ioctl(d->fd, IB_DMA_MAP_BENCHMARK, out)) {
		e = -errno;
		snprintf(err, errlen, "DMA_MAP_BENCHMARK on %s: %s (the kernel log says which argument "
			 "it refused: dmesg | grep map_benchmark)", IB_DMA_DEBUGFS, strerror(-e));
		return e;
	}
	return 0;
}

void ib_dma_release(struct ib_dma *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	ib_pci_release(&d->pci);
}
