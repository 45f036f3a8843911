// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* VFIO type1: one container, one group, MAP_DMA/UNMAP_DMA. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "backend_vfio.h"
#include "pci.h"

int ib_vfio_prepare(struct ib_vfio *v, const char *bdf, bool bind, char *err, size_t errlen)
{
	int e;

	memset(v, 0, sizeof(*v));
	v->container_fd = v->group_fd = -1;
	v->group_id = -1;
	e = ib_pci_bind(&v->pci, bdf, "vfio-pci", bind, NULL, "modprobe vfio-pci first", err, errlen);
	if (e)
		return e;
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	v->group_id = v->pci.group_id;
	return 0;
}

int ib_vfio_container_new(struct ib_vfio *v, int *fd, char *err, size_t errlen)
{
	int e, c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (c < 0) {
		e = -errno;
		snprintf(err, errlen, "/dev/vfio/vfio: %s (modprobe vfio and vfio_iommu_type1)", strerror(-e));
		return e;
	}
	if (ioctl(c, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		snprintf(err, errlen, "/dev/vfio/vfio: unexpected VFIO API version");
		close(c);
		return -EINVAL;
	}
	if (ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		v->iommu_type = VFIO_TYPE1v2_IOMMU;
	else if (ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
		v->iommu_type = VFIO_TYPE1_IOMMU;
	else {
		snprintf(err, errlen, "/dev/vfio/vfio: no type1 IOMMU backend (modprobe vfio_iommu_type1)");
		close(c);
		return -ENODEV;
	}
	*fd = c;
	return 0;
}

int ib_vfio_open_group(struct ib_vfio *v, char *err, size_t errlen)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char gpath[64];
	int e;

	snprintf(gpath, sizeof(gpath), "/dev/vfio/%d", v->group_id);
	v->group_fd = open(gpath, O_RDWR | O_CLOEXEC);
	if (v->group_fd < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: %s%s", gpath, strerror(-e),
			 e == -EBUSY ? " (another process holds the group)" : "");
		return e;
	}
	if (ioctl(v->group_fd, VFIO_GROUP_GET_STATUS, &gs)) {
		e = -errno;
		snprintf(err, errlen, "VFIO_GROUP_GET_STATUS on %s: %s", gpath, strerror(-e));
		return e;
	}
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(err, errlen, "%s is not viable: bind every device of group %d to vfio-pci",
			 gpath, v->group_id);
		return -EPERM;
	}
	return 0;
}

int ib_vfio_join(struct ib_vfio *v, int container_fd, char *err, size_t errlen)
{
	int e;

	if (ioctl(v->group_fd, VFIO_GROUP_SET_CONTAINER, &container_fd)) {
		e = -errno;
		snprintf(err, errlen, "VFIO_GROUP_SET_CONTAINER for group %d: %s", v->group_id, strerror(-e));
		return e;
	}
	v->container_fd = container_fd;
	return 0;
}

int ib_vfio_set_iommu(struct ib_vfio *v, char *err, size_t errlen)
{
	int e;

	if (ioctl(v->container_fd, VFIO_SET_IOMMU, v->iommu_type)) {
		e = -errno;
		snprintf(err, errlen, "VFIO_SET_IOMMU on /dev/vfio/vfio: %s%s", strerror(-e),
			 e == -EPERM ? " (no interrupt remapping: load vfio_iommu_type1 with allow_unsafe_interrupts=1)" : "");
		return e;
	}
	return 0;
}

int ib_vfio_leave(struct ib_vfio *v, char *err, size_t errlen)
{
	int e;

	if (ioctl(v->group_fd, VFIO_GROUP_UNSET_CONTAINER)) {
		e = -errno;
		snprintf(err, errlen, "VFIO_GROUP_UNSET_CONTAINER for group %d: %s%s", v->group_id,
			 strerror(-e), e == -EBUSY ? " (a device fd of the group is still open)" : "");
		return e;
	}
	return 0;
}

bool ib_vfio_has_unmap_all(struct ib_vfio *v)
{
#ifdef VFIO_UNMAP_ALL
	return v->container_fd >= 0 && ioctl(v->container_fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) > 0;
#else
	(void)v;
	return false;
#endif
}

int ib_vfio_attach(struct ib_vfio *v, char *err, size_t errlen)
{
	int e, c;

	if ((e = ib_vfio_container_new(v, &c, err, errlen)))
		return e;
	v->container_fd = c;
	if ((e = ib_vfio_open_group(v, err, errlen)) || (e = ib_vfio_join(v, c, err, errlen)))
		return e;
	return ib_vfio_set_iommu(v, err, errlen);
}

int ib_vfio_map(struct ib_vfio *v, uint64_t iova, void *vaddr, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(v->container_fd, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

int64_t ib_vfio_unmap(struct ib_vfio *v, uint64_t iova, uint64_t size)
{
	return ib_vfio_unmap_flags(v, iova, size, 0);
}

int64_t ib_vfio_unmap_flags(struct ib_vfio *v, uint64_t iova, uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.flags = flags,
		.iova = iova,
		.size = size,
	};

	if (ioctl(v->container_fd, VFIO_IOMMU_UNMAP_DMA, &u))
		return -errno;
	return (int64_t)u.size;
}

void ib_vfio_detach(struct ib_vfio *v)
{
	/* closing the group fd leaves the container: type1 detaches the
	 * group, unmaps what is left and frees the domain */
	if (v->group_fd >= 0)
		close(v->group_fd);
	if (v->container_fd >= 0)
		close(v->container_fd);
	v->group_fd = v->container_fd = -1;
}

void ib_vfio_release(struct ib_vfio *v)
{
	ib_pci_release(&v->pci);
}

void ib_vfio_cleanup(struct ib_vfio *v)
{
	ib_vfio_detach(v);
	ib_vfio_release(v);
}
