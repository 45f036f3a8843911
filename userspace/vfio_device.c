// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A VFIO device fd: config space through the config region, BAR0 mapped
 * when VFIO lets us, bus mastering. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "vfio_device.h"

#define IB_PCI_VENDOR_ID 0x00
#define IB_PCI_DEVICE_ID 0x02
#define IB_PCI_COMMAND 0x04
#define IB_PCI_COMMAND_MASTER 0x4

static const char *get_fd_hint(int e)
{
	switch (e) {
	case ENODEV:
		return "the device is not in this group or not bound to vfio-pci";
	case EINVAL:
		return "set the group's container and its IOMMU first (VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU), and check the address";
	case EBUSY:
		return "another process or fd has the device open";
	case ENOTTY:
		return "this fd is not a VFIO group: open /dev/vfio/<group>";
	case EPERM:
	case EACCES:
		return "run as root or give this user the group's /dev/vfio node";
	default:
		return "check dmesg";
	}
}

static int cfg_read16(const struct ib_vfio_dev *d, unsigned off, uint16_t *val)
{
	uint16_t le;
	ssize_t n = pread(d->fd, &le, sizeof(le), (off_t)(d->cfg_offset + off));

	if (n != (ssize_t)sizeof(le))
		return n < 0 ? -errno : -EIO;
	*val = le16toh(le);
	return 0;
}

static int cfg_write16(const struct ib_vfio_dev *d, unsigned off, uint16_t val)
{
	uint16_t le = htole16(val);
	ssize_t n = pwrite(d->fd, &le, sizeof(le), (off_t)(d->cfg_offset + off));

	if (n != (ssize_t)sizeof(le))
		return n < 0 ? -errno : -EIO;
	return 0;
}

static int region_info(struct ib_vfio_dev *d, uint32_t index, struct vfio_region_info *ri,
		       const char *name, const char *bdf, char *err, size_t errlen)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, ri)) {
		int e = -errno;

		snprintf(err, errlen, "VFIO_DEVICE_GET_REGION_INFO %s of %s: %s (check dmesg)",
			 name, bdf, strerror(-e));
		return e;
	}
	return 0;
}

int ib_vfio_dev_open(struct ib_vfio_dev *d, int group_fd, const char *bdf, char *err, size_t errlen)
{
	int fd, e;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (!bdf || !bdf[0]) {
		snprintf(err, errlen, "VFIO_GROUP_GET_DEVICE_FD: no device address given (want DDDD:BB:DD.F)");
		return -EINVAL;
	}
	if (group_fd < 0) {
		snprintf(err, errlen, "VFIO_GROUP_GET_DEVICE_FD %s: the group is not open (attach the backend first)", bdf);
		return -EBADF;
	}
	fd = ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "VFIO_GROUP_GET_DEVICE_FD %s: %s (%s)", bdf, strerror(e), get_fd_hint(e));
		return -e;
	}
	return ib_vfio_dev_adopt(d, fd, bdf, err, errlen);
}

int ib_vfio_dev_adopt(struct ib_vfio_dev *d, int fd, const char *bdf, char *err, size_t errlen)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info cfg, bar;
	int e;

	memset(d, 0, sizeof(*d));
	d->fd = fd;
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info)) {
		e = -errno;
		snprintf(err, errlen, "VFIO_DEVICE_GET_INFO %s: %s (check dmesg)", bdf, strerror(-e));
		goto fail;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		snprintf(err, errlen, "VFIO_DEVICE_GET_INFO %s: not a PCI device (flags 0x%x); only vfio-pci devices are supported",
			 bdf, info.flags);
		e = -ENODEV;
		goto fail;
	}
	if (info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		snprintf(err, errlen, "VFIO_DEVICE_GET_INFO %s: only %u regions, no config space region",
			 bdf, info.num_regions);
		e = -ENODEV;
		goto fail;
	}
	if ((e = region_info(d, VFIO_PCI_CONFIG_REGION_INDEX, &cfg, "config", bdf, err, errlen)))
		goto fail;
	if (cfg.size < 64 || !(cfg.flags & VFIO_REGION_INFO_FLAG_READ) ||
	    !(cfg.flags & VFIO_REGION_INFO_FLAG_WRITE)) {
		snprintf(err, errlen, "VFIO config region of %s: size %llu flags 0x%x (want readable, writable, >= 64 bytes)",
			 bdf, (unsigned long long)cfg.size, cfg.flags);
		e = -EIO;
		goto fail;
	}
	d->cfg_offset = cfg.offset;
	if ((e = cfg_read16(d, IB_PCI_VENDOR_ID, &d->vendor)) ||
	    (e = cfg_read16(d, IB_PCI_DEVICE_ID, &d->device))) {
		snprintf(err, errlen, "reading the config space of %s (pread at 0x%llx): %s",
			 bdf, (unsigned long long)d->cfg_offset, strerror(-e));
		goto fail;
	}
	if ((e = region_info(d, VFIO_PCI_BAR0_REGION_INDEX, &bar, "BAR0", bdf, err, errlen)))
		goto fail;
	/* A BAR that VFIO will not let us mmap (none, I/O port, sparse
	 * with MSI-X inside) is not an error: bar0 stays NULL and users
	 * that need it say so. */
	if (bar.size && (bar.flags & VFIO_REGION_INFO_FLAG_MMAP) &&
	    (bar.flags & VFIO_REGION_INFO_FLAG_READ) && (bar.flags & VFIO_REGION_INFO_FLAG_WRITE)) {
		void *p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, (off_t)bar.offset);

		if (p != MAP_FAILED) {
			d->bar0 = p;
			d->bar0_len = bar.size;
		}
	}
	return 0;
fail:
	ib_vfio_dev_close(d);
	return e;
}

int ib_vfio_dev_bus_master(struct ib_vfio_dev *d, bool on, char *err, size_t errlen)
{
	uint16_t cmd = 0, want, got = 0;
	int e;

	if (d->fd < 0) {
		snprintf(err, errlen, "PCI_COMMAND: the device is not open");
		return -EBADF;
	}
	if ((e = cfg_read16(d, IB_PCI_COMMAND, &cmd))) {
		snprintf(err, errlen, "reading PCI_COMMAND through the VFIO config region: %s", strerror(-e));
		return e;
	}
	want = on ? cmd | IB_PCI_COMMAND_MASTER : cmd & ~IB_PCI_COMMAND_MASTER;
	if (want == cmd)
		return 0;
	if ((e = cfg_write16(d, IB_PCI_COMMAND, want))) {
		snprintf(err, errlen, "writing PCI_COMMAND 0x%04x through the VFIO config region: %s",
			 want, strerror(-e));
		return e;
	}
	if ((e = cfg_read16(d, IB_PCI_COMMAND, &got))) {
		snprintf(err, errlen, "reading PCI_COMMAND back: %s", strerror(-e));
		return e;
	}
	if ((got & IB_PCI_COMMAND_MASTER) != (want & IB_PCI_COMMAND_MASTER)) {
		snprintf(err, errlen, "PCI_COMMAND reads 0x%04x after writing 0x%04x: bus mastering did not %s",
			 got, want, on ? "turn on" : "turn off");
		return -EIO;
	}
	return 0;
}

void ib_vfio_dev_close(struct ib_vfio_dev *d)
{
	if (d->bar0)
		munmap((void *)d->bar0, d->bar0_len);
	d->bar0 = NULL;
	d->bar0_len = 0;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
