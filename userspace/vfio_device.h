/* A VFIO device fd: config space, BAR mapping, bus mastering. */
#ifndef IB_VFIO_DEVICE_H
#define IB_VFIO_DEVICE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ib_vfio_dev {
	int fd;                  /* -1 when closed */
	uint16_t vendor, device; /* from config space */
	uint64_t cfg_offset;     /* config region offset within fd */
	volatile uint8_t *bar0;  /* mmap of BAR0, NULL if not mappable */
	size_t bar0_len;
};

/* VFIO_GROUP_GET_DEVICE_FD(bdf) on group_fd (the group must be in a
 * container with an IOMMU set), read vendor/device, map BAR0 when it is
 * mmap-able. err names the ioctl, errno and what to do. */
int ib_vfio_dev_open(struct ib_vfio_dev *d, int group_fd, const char *bdf, char *err, size_t errlen);
/* The same for a device fd obtained otherwise (a VFIO cdev bound to
 * iommufd); the fd is owned by d from then on, closed on failure too. */
int ib_vfio_dev_adopt(struct ib_vfio_dev *d, int fd, const char *bdf, char *err, size_t errlen);
/* Set or clear PCI_COMMAND_MASTER through the config region. */
int ib_vfio_dev_bus_master(struct ib_vfio_dev *d, bool on, char *err, size_t errlen);
/* Unmap BAR0, close the fd; safe on a closed device. */
void ib_vfio_dev_close(struct ib_vfio_dev *d);

#endif
