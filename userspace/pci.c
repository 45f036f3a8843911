// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Binding a PCI device to the driver a run needs, and giving it back. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hostinfo.h"
#include "pci.h"

int ib_sysfs_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

void ib_pci_current_driver(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), IB_PCI_DEVS "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		out[0] = '\0';
		return;
	}
	link[n] = '\0';
	snprintf(out, len, "%s", basename(link));
}

static int group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), IB_PCI_DEVS "/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return atoi(basename(link));
}

static void type_path(const struct ib_pci_bind *b, char *path, size_t len)
{
	snprintf(path, len, "/sys/kernel/iommu_groups/%d/type", b->group_id);
}

/* With no driver on the device: the group's default domain type. */
static int set_type(struct ib_pci_bind *b, const char *type, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int e;

	if ((b->group_id = group_of(b->bdf)) < 0) {
		e = b->group_id;
		snprintf(err, errlen, "%s has no IOMMU group: %s (is an IOMMU enabled, e.g. intel_iommu=on?)",
			 b->bdf, strerror(-e));
		return e;
	}
	type_path(b, path, sizeof(path));
	ib_read_line(path, b->orig_type, sizeof(b->orig_type));
	if (!strcmp(b->orig_type, type))
		return 0;
	if ((e = ib_sysfs_write(path, type))) {
		snprintf(err, errlen, "writing '%s' to %s: %s (the group's other devices must have no driver; "
			 "the IOMMU driver must support that type)", type, path, strerror(-e));
		return e;
	}
	b->type_changed = true;
	return 0;
}

int ib_pci_bind(struct ib_pci_bind *b, const char *bdf, const char *driver, bool bind,
		const char *group_type, const char *hint, char *err, size_t errlen)
{
	char path[PATH_MAX], drv[64];
	struct stat st;
	int e, g;

	memset(b, 0, sizeof(*b));
	b->group_id = -1;
	if (!ib_pci_valid_bdf(bdf)) {
		snprintf(err, errlen, "device '%s' is not a PCI address (want DDDD:BB:DD.F, e.g. 0000:00:02.0)",
			 bdf ? bdf : "");
		return -EINVAL;
	}
	snprintf(b->bdf, sizeof(b->bdf), "%s", bdf);
	snprintf(b->driver, sizeof(b->driver), "%s", driver);
	snprintf(path, sizeof(path), IB_PCI_DEVS "/%s", bdf);
	if (stat(path, &st)) {
		e = -errno;
		snprintf(err, errlen, "%s: %s (no such PCI device; see lspci -D)", path, strerror(-e));
		return e;
	}
	ib_pci_current_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, driver) || group_type) {
		if (!bind) {
			snprintf(err, errlen, "%s is bound to '%s', not %s (set bind=1 in the scenario or pass --bind)",
				 bdf, drv[0] ? drv : "no driver", driver);
			return -EBUSY;
		}
		snprintf(b->orig_driver, sizeof(b->orig_driver), "%s", drv);
		snprintf(path, sizeof(path), IB_PCI_DEVS "/%s/driver_override", bdf);
		ib_read_line(path, b->orig_override, sizeof(b->orig_override));
		if (!strcmp(b->orig_override, "(null)"))
			b->orig_override[0] = '\0';
		if ((e = ib_sysfs_write(path, driver))) {
			snprintf(err, errlen, "writing %s: %s (is this root?)", path, strerror(-e));
			return e;
		}
		b->bound_by_us = true;
		if (drv[0]) {
			snprintf(path, sizeof(path), IB_PCI_DEVS "/%s/driver/unbind", bdf);
			if ((e = ib_sysfs_write(path, bdf))) {
				snprintf(err, errlen, "unbinding %s from %s: %s", bdf, drv, strerror(-e));
				goto undo;
			}
		}
		if (group_type && (e = set_type(b, group_type, err, errlen)))
			goto undo;
		if ((e = ib_sysfs_write("/sys/bus/pci/drivers_probe", bdf)) ||
		    (ib_pci_current_driver(bdf, drv, sizeof(drv)), strcmp(drv, driver))) {
			snprintf(err, errlen, "binding %s to %s: %s (%s)", bdf, driver,
				 e ? strerror(-e) : "device not claimed", hint ? hint : "is the driver loaded?");
			e = e ? e : -ENODEV;
			goto undo;
		}
	}
	if ((g = group_of(bdf)) < 0) {
		e = g;
		snprintf(err, errlen, IB_PCI_DEVS "/%s/iommu_group: %s (no IOMMU group: is an IOMMU enabled, "
			 "e.g. intel_iommu=on?)", bdf, strerror(-e));
		goto undo;
	}
	b->group_id = g;
	return 0;
undo:
	ib_pci_release(b);
	return e;
}

void ib_pci_release(struct ib_pci_bind *b)
{
	char path[PATH_MAX], drv[64];

	if (!b->bound_by_us)
		return;
	b->bound_by_us = false;
	ib_pci_current_driver(b->bdf, drv, sizeof(drv));
	if (drv[0]) {
		snprintf(path, sizeof(path), IB_PCI_DEVS "/%s/driver/unbind", b->bdf);
		ib_sysfs_write(path, b->bdf);
	}
	if (b->type_changed) {
		type_path(b, path, sizeof(path));
		ib_sysfs_write(path, b->orig_type);
		b->type_changed = false;
	}
	snprintf(path, sizeof(path), IB_PCI_DEVS "/%s/driver_override", b->bdf);
	ib_sysfs_write(path, b->orig_override[0] ? b->orig_override : "\n");
	if (b->orig_driver[0])
		ib_sysfs_write("/sys/bus/pci/drivers_probe", b->bdf);
}
