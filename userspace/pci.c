// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Binding a PCI device to the driver a run needs, and giving it back. */
#include <dirent.h>
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
#include "state.h"

static bool force_take;

void ib_pci_set_force(bool force)
{
	force_take = force;
}

static void link_name(const char *path, char *out, size_t len)
{
	char link[PATH_MAX];
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	if (n < 0) {
		out[0] = '\0';
		return;
	}
	link[n] = '\0';
	snprintf(out, len, "%s", basename(link));
}

void ib_pci_current_driver(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];

	ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/driver", bdf);
	link_name(path, out, len);
}

static int group_of(const char *bdf)
{
	char path[PATH_MAX], name[64], *end;
	long g;

	ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/iommu_group", bdf);
	errno = 0;
	link_name(path, name, sizeof(name));
	if (!name[0])
		return errno ? -errno : -ENOENT;
	g = strtol(name, &end, 10);
	return *end || g < 0 ? -EINVAL : (int)g;
}

/* Does the host have any IOMMU group at all? */
static bool host_has_groups(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool any = false;
	DIR *d;

	ib_sys_path(path, sizeof(path), "/sys/kernel/iommu_groups");
	if (!(d = opendir(path)))
		return false;
	while (!any && (de = readdir(d)))
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}

static bool is_bridge(const char *devdir)
{
	char path[PATH_MAX + 8], cls[32];

	snprintf(path, sizeof(path), "%s/class", devdir);
	ib_read_line(path, cls, sizeof(cls));
	return !strncmp(cls, "0x0604", 6);
}

static int check_group(const char *bdf, const char *driver, int g, bool type_change, char *err, size_t errlen)
{
	char dir[PATH_MAX / 2], path[PATH_MAX], drv[64];
	struct dirent *de;
	int e = 0;
	DIR *d;

	ib_sys_path(dir, sizeof(dir), "/sys/kernel/iommu_groups/%d/devices", g);
	if (!(d = opendir(dir))) {
		e = -errno;
		snprintf(err, errlen, "%s: %s (cannot list the members of %s's IOMMU group; nothing was changed)",
			 dir, strerror(-e), bdf);
		return e;
	}
	while (!e && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, bdf))
			continue;
		snprintf(path, sizeof(path), "%s/%s/driver", dir, de->d_name);
		link_name(path, drv, sizeof(drv));
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!drv[0])
			continue;
		if (type_change) {
			snprintf(err, errlen, "%s shares IOMMU group %d with %s, bound to %s: the group's domain type "
				 "can only change when no device of the group has a driver (unbind %s, or use "
				 "domain=default); nothing was changed", bdf, g, de->d_name, drv, de->d_name);
			e = -EBUSY;
		} else if (strcmp(drv, driver) && strcmp(drv, "pci-stub") && strcmp(drv, "pcieport") &&
			   !is_bridge(path)) {
			snprintf(err, errlen, "%s shares IOMMU group %d with %s, bound to %s: %s needs every device "
				 "of the group (bind %s to %s too, or choose a device alone in its group); "
				 "nothing was changed", bdf, g, de->d_name, drv, driver, de->d_name, driver);
			e = -EBUSY;
		}
	}
	closedir(d);
	return e;
}

/* realpath of root/sys/class/CLS/NAME lies below the device's directory */
static bool below(const char *real_dev, const char *cls, const char *name, char *real, size_t len)
{
	char path[PATH_MAX], r[PATH_MAX];
	size_t l = strlen(real_dev);

	ib_sys_path(path, sizeof(path), "/sys/class/%s/%s", cls, name);
	if (!realpath(path, r))
		return false;
	snprintf(real, len, "%s", r);
	return !strncmp(r, real_dev, l) && r[l] == '/';
}

static bool dir_empty(const char *path)
{
	struct dirent *de;
	bool empty = true;
	DIR *d = opendir(path);

	if (!d)
		return true;
	while (empty && (de = readdir(d)))
		empty = de->d_name[0] == '.';
	closedir(d);
	return empty;
}

/* Where a block device (MAJ:MIN) is mounted, "" if nowhere. */
static void mount_of(const char *majmin, char *out, size_t len)
{
	char path[PATH_MAX], line[1024], id[32], mp[512];
	FILE *f;

	out[0] = '\0';
	ib_sys_path(path, sizeof(path), "/proc/self/mountinfo");
	if (!(f = fopen(path, "re")))
		return;
	while (!out[0] && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %31s %*s %511s", id, mp) == 2 && !strcmp(id, majmin))
			snprintf(out, len, "%s", mp);
	fclose(f);
}

static bool is_swap(const char *name)
{
	char path[PATH_MAX], line[512], dev[256];
	bool found = false;
	FILE *f;

	ib_sys_path(path, sizeof(path), "/proc/swaps");
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s", dev) == 1 && !strncmp(dev, "/dev/", 5) && !strcmp(dev + 5, name))
			found = true;
	fclose(f);
	return found;
}

static int check_in_use(const char *bdf, const char *cur, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], real_dev[PATH_MAX], real[PATH_MAX], v[64], mp[512];
	const char *todo = "pick another device, or pass --force if taking it away is safe; nothing was changed";
	struct dirent *de;
	DIR *d;
	int e = 0;

	ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s", bdf);
	if (!realpath(path, real_dev)) {
		e = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	snprintf(path, sizeof(path), "%s/boot_vga", real_dev);
	ib_read_line(path, v, sizeof(v));
	if (!strcmp(v, "1")) {
		snprintf(err, errlen, "%s is the boot display (boot_vga=1, driver %s): %s", bdf,
			 cur[0] ? cur : "none", todo);
		return -EBUSY;
	}
	ib_sys_path(path, sizeof(path), "/sys/class/block");
	if ((d = opendir(path))) {
		while (!e && (de = readdir(d))) {
			if (de->d_name[0] == '.' || !below(real_dev, "block", de->d_name, real, sizeof(real)))
				continue;
			snprintf(path, sizeof(path), "%s/dev", real);
			ib_read_line(path, v, sizeof(v));
			mount_of(v, mp, sizeof(mp));
			snprintf(path, sizeof(path), "%s/holders", real);
			if (mp[0] || !dir_empty(path) || is_swap(de->d_name)) {
				snprintf(err, errlen, "%s (driver %s) holds block device %s, %s%s: %s", bdf,
					 cur[0] ? cur : "none", de->d_name, mp[0] ? "mounted on " : !dir_empty(path) ?
					 "held by another block device (dm, md: see its holders/)" : "used as swap",
					 mp, todo);
				e = -EBUSY;
			}
		}
		closedir(d);
	}
	ib_sys_path(path, sizeof(path), "/sys/class/net");
	if (!e && (d = opendir(path))) {
		while (!e && (de = readdir(d))) {
			if (de->d_name[0] == '.' || !below(real_dev, "net", de->d_name, real, sizeof(real)))
				continue;
			snprintf(path, sizeof(path), "%s/flags", real);
			ib_read_line(path, v, sizeof(v));
			if (strtoul(v, NULL, 16) & 1) { /* IFF_UP */
				snprintf(err, errlen, "%s (driver %s) is network interface %s, which is up: %s", bdf,
					 cur[0] ? cur : "none", de->d_name, todo);
				e = -EBUSY;
			}
		}
		closedir(d);
	}
	return e;
}

int ib_pci_check(const char *bdf, const char *driver, const char *cur, bool type_change, bool force,
		 char *err, size_t errlen)
{
	int g, e;

	g = group_of(bdf);
	if (g < 0 && cur[0]) {
		snprintf(err, errlen, "%s has no IOMMU group while bound to %s (%s): no IOMMU translates its DMA, "
			 "so it is left with %s; enable the IOMMU (intel_iommu=on, amd_iommu=on, an SMMU in the "
			 "firmware tables) or choose a device behind it; nothing was changed", bdf, cur,
			 strerror(-g), cur);
		return -ENODEV;
	}
	if (g < 0 && !host_has_groups()) {
		snprintf(err, errlen, "%s has no IOMMU group and this host has none (/sys/kernel/iommu_groups is "
			 "empty): enable the IOMMU (intel_iommu=on, amd_iommu=on, an SMMU in the firmware tables); "
			 "nothing was changed", bdf);
		return -ENODEV;
	}
	/* g < 0 here: no driver, and the group appears on binding (arm64);
	 * ib_pci_bind checks it then */
	if (g >= 0 && (e = check_group(bdf, driver, g, type_change, err, errlen)))
		return e;
	if (!force && (e = check_in_use(bdf, cur, err, errlen)))
		return e;
	return 0;
}

static void type_path(const struct ib_pci_bind *b, char *path, size_t len)
{
	ib_sys_path(path, len, "/sys/kernel/iommu_groups/%d/type", b->group_id);
}

static void state_of(const struct ib_pci_bind *b, struct ib_state_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->active = true;
	snprintf(d->bdf, sizeof(d->bdf), "%s", b->bdf);
	snprintf(d->driver, sizeof(d->driver), "%s", b->driver);
	snprintf(d->orig_driver, sizeof(d->orig_driver), "%s", b->orig_driver);
	snprintf(d->orig_override, sizeof(d->orig_override), "%s", b->orig_override);
	d->group_id = b->group_id;
	snprintf(d->orig_type, sizeof(d->orig_type), "%s", b->orig_type);
}

/* With no driver on the device: the group's default domain type. */
static int set_type(struct ib_pci_bind *b, const char *type, char *err, size_t errlen)
{
	struct ib_state_dev sd;
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
	/* written down before it is changed */
	state_of(b, &sd);
	if ((e = ib_state_note_device(&sd, err, errlen)))
		return e;
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
	struct ib_state_dev sd;
	struct stat st;
	int e, g;

	memset(b, 0, sizeof(*b));
	b->group_id = -1;
	b->lock_fd = -1;
	if (!ib_pci_valid_bdf(bdf)) {
		snprintf(err, errlen, "device '%s' is not a PCI address (want DDDD:BB:DD.F, e.g. 0000:00:02.0)",
			 bdf ? bdf : "");
		return -EINVAL;
	}
	snprintf(b->bdf, sizeof(b->bdf), "%s", bdf);
	snprintf(b->driver, sizeof(b->driver), "%s", driver);
	ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s", bdf);
	if (stat(path, &st)) {
		e = -errno;
		snprintf(err, errlen, "%s: %s (no such PCI device; see lspci -D)", path, strerror(-e));
		return e;
	}
	/* one run per device, whether it moves the device or not */
	if ((e = ib_state_lock_device(bdf, &b->lock_fd, err, errlen)))
		return e;
	b->locked = true;
	ib_pci_current_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, driver) || group_type) {
		if (!bind) {
			snprintf(err, errlen, "%s is bound to '%s', not %s (set bind=1 in the scenario or pass --bind)",
				 bdf, drv[0] ? drv : "no driver", driver);
			e = -EBUSY;
			goto undo;
		}
		if ((e = ib_pci_check(bdf, driver, drv, group_type != NULL, force_take, err, errlen)))
			goto undo;
		snprintf(b->orig_driver, sizeof(b->orig_driver), "%s", drv);
		ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/driver_override", bdf);
		ib_read_line(path, b->orig_override, sizeof(b->orig_override));
		if (!strcmp(b->orig_override, "(null)"))
			b->orig_override[0] = '\0';
		b->group_id = group_of(bdf);
		if (group_type && b->group_id >= 0) {
			type_path(b, path, sizeof(path));
			ib_read_line(path, b->orig_type, sizeof(b->orig_type));
		}
		/* written down before the first change */
		state_of(b, &sd);
		if ((e = ib_state_note_device(&sd, err, errlen)))
			goto undo;
		b->bound_by_us = true;
		ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/driver_override", bdf);
		if ((e = ib_sysfs_write(path, driver))) {
			snprintf(err, errlen, "writing %s: %s (is this root?)", path, strerror(-e));
			goto undo;
		}
		if (drv[0]) {
			ib_sys_path(path, sizeof(path), IB_PCI_DEVS "/%s/driver/unbind", bdf);
			if ((e = ib_sysfs_write(path, bdf))) {
				snprintf(err, errlen, "unbinding %s from %s: %s", bdf, drv, strerror(-e));
				goto undo;
			}
		}
		if (group_type && (e = set_type(b, group_type, err, errlen)))
			goto undo;
		ib_sys_path(path, sizeof(path), "/sys/bus/pci/drivers_probe");
		if ((e = ib_sysfs_write(path, bdf)) ||
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

int ib_pci_release(struct ib_pci_bind *b)
{
	struct ib_state_dev sd;
	char err[512];
	int e = 0;

	if (b->bound_by_us) {
		b->bound_by_us = false;
		state_of(b, &sd);
		if (!b->type_changed)
			sd.orig_type[0] = '\0';
		b->type_changed = false;
		if ((e = ib_state_restore_dev(&sd, false, NULL, err, sizeof(err))))
			fprintf(stderr, "iommubench: giving %s back: %s\n", b->bdf, err);
		else
			ib_state_device_done();
	}
	if (b->locked) {
		ib_state_unlock_device(&b->lock_fd);
		b->locked = false;
	}
	return e;
}
