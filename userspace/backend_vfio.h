/* The vfio backend: VFIO type1 container/group ioctls. */
#ifndef IB_BACKEND_VFIO_H
#define IB_BACKEND_VFIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pci.h"

struct ib_vfio {
	char bdf[32];
	int group_id;
	int container_fd, group_fd;
	int iommu_type;           /* VFIO_TYPE1v2_IOMMU or VFIO_TYPE1_IOMMU */
	struct ib_pci_bind pci;   /* the move to vfio-pci, undone by ib_vfio_release */
};

/* Make sure bdf is bound to vfio-pci (binding it when bind is true and it
 * is not), find its group. err explains failures with the errno and what
 * to do. */
int ib_vfio_prepare(struct ib_vfio *v, const char *bdf, bool bind, char *err, size_t errlen);

/* Open the container and group, join them, set the type1 IOMMU (this is
 * where the kernel allocates the domain and attaches the group). */
int ib_vfio_attach(struct ib_vfio *v, char *err, size_t errlen);

/* The pieces of an attach, for rebinds between several containers. */
int ib_vfio_open_group(struct ib_vfio *v, char *err, size_t errlen);
int ib_vfio_container_new(struct ib_vfio *v, int *fd, char *err, size_t errlen);
/* VFIO_GROUP_SET_CONTAINER; the container becomes v->container_fd */
int ib_vfio_join(struct ib_vfio *v, int container_fd, char *err, size_t errlen);
/* VFIO_SET_IOMMU on v->container_fd: domain allocated, group attached */
int ib_vfio_set_iommu(struct ib_vfio *v, char *err, size_t errlen);
/* VFIO_GROUP_UNSET_CONTAINER: the last group leaving drops the domain and
 * every mapping; EBUSY while a device fd of the group is open */
int ib_vfio_leave(struct ib_vfio *v, char *err, size_t errlen);
/* Whether the kernel has VFIO_DMA_UNMAP_FLAG_ALL (5.12+) */
bool ib_vfio_has_unmap_all(struct ib_vfio *v);

int ib_vfio_map(struct ib_vfio *v, uint64_t iova, void *vaddr, uint64_t size);
/* Returns bytes unmapped (>= 0) or -errno. */
int64_t ib_vfio_unmap(struct ib_vfio *v, uint64_t iova, uint64_t size);
/* The same with flags (VFIO_DMA_UNMAP_FLAG_ALL: iova and size 0). */
int64_t ib_vfio_unmap_flags(struct ib_vfio *v, uint64_t iova, uint64_t size, uint32_t flags);

/* Leave the container (detach), close fds, free memory. */
void ib_vfio_detach(struct ib_vfio *v);

/* Give the device back to the driver it had, if we bound it. */
void ib_vfio_release(struct ib_vfio *v);

/* Best effort from a signal handler's point of view: closes and rebinds. */
void ib_vfio_cleanup(struct ib_vfio *v);

#endif
